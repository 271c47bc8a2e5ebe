"""Publication facts: bidders as published, the award's value, term and standstill."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from tender.errors import TenderInputError
from tender.publication import _years_on, published, standstill
from tender.workflows.evaluation import Run, evaluate_file

IDS = "bidder_id,legal_name,identifier_scheme,identifier_id,address,sme,vcse"


def with_details(reference: Path, rows: str, anonymise: bool = True) -> Run:
    """The reference with bidder-detail columns joined onto its bids file."""
    bids = reference.parents[1] / "bids" / "pest-control-2016" / "bids.csv"
    base = pd.read_csv(bids, dtype=str, keep_default_na=False)
    extra = pd.read_csv(pd.io.common.StringIO(f"{IDS}\n{rows}"), dtype=str, keep_default_na=False)
    base = base.drop(columns=[c for c in extra.columns if c != "bidder_id" and c in base])
    base.merge(extra, on="bidder_id", how="left").fillna("").to_csv(bids, index=False)
    if not anonymise:
        text = reference.read_text(encoding="utf-8")
        reference.write_text(
            text.replace("anonymise_unsuccessful: true", "anonymise_unsuccessful: false"),
            encoding="utf-8",
        )
    return evaluate_file(reference)


def facts_of(run: Run):  # type: ignore[no-untyped-def]
    return published(run.evaluation, run.inputs.bids, "bids.csv")


def test_the_reference_award_as_published(reference: Path) -> None:
    facts = facts_of(evaluate_file(reference))
    assert facts.supplier.bidder_id == "A"
    assert facts.supplier.name == "Goodwin Pest Management"
    assert [b.name for b in facts.bidders] == [
        "Goodwin Pest Management", "Company B", "Company C", "Company D", "Company E",
        "Company F",
    ]  # fmt: skip
    assert [b.anonymised for b in facts.bidders] == [False] + [True] * 5
    assert all(b.status == "valid" for b in facts.bidders)
    # an income contract: the estimated value, not the income offered
    assert (facts.award_value, facts.value_from) == (Decimal(135000), "estimate")
    assert facts.published_on == date(2016, 12, 14)  # letters.sent; no award notice
    assert facts.award_date == date(2016, 12, 13)
    assert (facts.contract_start, facts.contract_end, facts.max_extent) == (
        date(2017, 1, 1),
        date(2019, 12, 31),
        date(2021, 12, 31),
    )
    assert facts.standstill is None  # the councils' own rules
    assert facts.summaries_sent is None


def test_identifiers_only_where_given_and_never_for_an_anonymised_bidder(
    reference: Path,
) -> None:
    rows = (
        "A,Goodwin Pest Management Ltd,GB-COH,01234567,1 High Street,yes,no\n"
        "C,Company C Ltd,GB-COH,07654321,,no,\n"
    )
    facts = facts_of(with_details(reference, rows))
    a, b, c = facts.bidders[:3]
    assert (a.name, a.scheme, a.identifier, a.address, a.sme, a.vcse) == (
        "Goodwin Pest Management Ltd", "GB-COH", "01234567", "1 High Street", True, False,
    )  # fmt: skip
    assert (b.scheme, b.identifier, b.sme) == (None, None, None)
    assert (c.name, c.scheme, c.identifier, c.sme) == ("Company C", None, None, None)


def test_without_anonymisation_every_bidder_carries_its_own_details(reference: Path) -> None:
    rows = "C,Company C Ltd,GB-COH,07654321,,no,\n"
    c = facts_of(with_details(reference, rows, anonymise=False)).bidders[2]
    assert (c.name, c.scheme, c.identifier, c.sme) == ("Company C Ltd", "GB-COH", "07654321", False)


def test_an_unclear_sme_or_vcse_answer_is_refused_by_line_and_column(reference: Path) -> None:
    run = with_details(reference, "A,,,,,maybe,\nB,,,,,,Y\nC,,,,,,charity\n")
    with pytest.raises(TenderInputError) as raised:
        facts_of(run)
    assert [str(p) for p in raised.value.problems] == [
        "bids.csv: line 2 (bidder A), column sme: found 'maybe'; expected yes, no or blank",
        "bids.csv: line 4 (bidder C), column vcse: found 'charity'; expected yes, no or blank",
    ]


def test_half_an_identifier_is_refused_where_the_bids_file_is_read(reference: Path) -> None:
    with pytest.raises(TenderInputError) as raised:
        with_details(reference, "A,,GB-COH,,,,\n")
    (problem,) = raised.value.problems
    assert problem.where.endswith("column identifier_id")


def test_a_cost_contract_publishes_the_awarded_price_and_marks_exclusions_disqualified() -> None:
    run = evaluate_file(Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml")
    ev = run.evaluation
    dated = ev.tender.model_copy(
        update={"report": ev.tender.report.model_copy(update={"meeting_date": date(2025, 3, 3)})}
    )
    facts = published(replace(ev, tender=dated), run.inputs.bids, "bids.csv")
    # Y is first (tests/test_scoring.py); Z fails insurance, V a quality threshold
    assert facts.supplier.bidder_id == "Y"
    assert (facts.award_value, facts.value_from) == (Decimal(125), "awarded bid")
    assert {b.bidder_id: b.status for b in facts.bidders} == {
        "X": "valid", "Y": "valid", "Z": "disqualified", "W": "valid", "V": "disqualified",
    }  # fmt: skip


def test_no_date_to_publish_on_is_refused(reference: Path) -> None:
    run = evaluate_file(reference)
    tender = run.evaluation.tender
    undated = tender.model_copy(
        update={
            "letters": tender.letters.model_copy(update={"sent": None}),
            "report": tender.report.model_copy(update={"meeting_date": None}),
        }
    )
    with pytest.raises(TenderInputError) as raised:
        published(replace(run.evaluation, tender=undated), run.inputs.bids, "bids.csv")
    (problem,) = raised.value.problems
    assert problem.where == "publication.published_on"


def test_standstill_by_regime(reference: Path) -> None:
    tender = evaluate_file(reference).evaluation.tender
    pcr = tender.model_copy(
        update={"tender": tender.tender.model_copy(update={"regime": "pcr2015"})}
    )
    found = standstill(pcr)
    # sent Wed 14 Dec 2016 + 10 days = Sat 24th; 25-27 are Sunday and bank holidays
    assert found is not None
    assert (found.start, found.end) == (date(2016, 12, 14), date(2016, 12, 28))
    pa = tender.model_copy(
        update={
            "tender": tender.tender.model_copy(update={"regime": "pa2023"}),
            "letters": tender.letters.model_copy(update={"award_notice": date(2016, 12, 15)}),
        }
    )
    found = standstill(pa)
    # eight working days from Thu 15 Dec: 15, 16, 19, 20, 21, 22, 23, 28
    assert found is not None
    assert (found.start, found.end) == (date(2016, 12, 15), date(2016, 12, 28))


def test_a_term_of_years_ends_the_day_before_its_anniversary() -> None:
    assert _years_on(date(2017, 1, 1), 3) == date(2019, 12, 31)
    assert _years_on(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert _years_on(date(2024, 3, 1), 4) == date(2028, 2, 29)
