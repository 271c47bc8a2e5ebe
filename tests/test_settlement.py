"""Open items: every step the evaluation says is still open, by name, from one function."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tender.errors import TenderInputError
from tender.settlement import check_near_tie_decisions, open_items
from tender.workflows.evaluation import evaluate_file

BIDS = Path("bids") / "pest-control-2016"


def kinds(reference: Path) -> list[tuple[str, str]]:
    return [(i.kind, i.subject) for i in evaluate_file(reference).open_items()]


def test_the_reference_is_settled(reference: Path) -> None:
    assert kinds(reference) == []


def test_without_the_interview_record_each_near_tie_is_open(project: Path, reference: Path) -> None:
    (project / BIDS / "clarifications.csv").unlink()
    assert kinds(reference) == [("near-tie", "bidder A"), ("near-tie", "bidder B")]


def test_a_recorded_decision_not_to_interview_closes_a_near_tie(
    project: Path, reference: Path
) -> None:
    (project / BIDS / "clarifications.csv").unlink()
    definition = reference.read_text()
    reference.write_text(
        definition.replace(
            "  clarifications:",
            "  near_tie_decisions: ../bids/pest-control-2016/near-ties.csv\n  clarifications:",
            1,
        )
    )
    (project / BIDS / "near-ties.csv").write_text(
        "bidder_id,decision,reason,decided_on\n"
        "B,not interviewed,The panel found the written answers clear,2016-11-21\n"
    )
    run = evaluate_file(reference)
    assert [(i.kind, i.subject) for i in run.open_items()] == [("near-tie", "bidder A")]
    assert "bids/pest-control-2016/near-ties.csv" in run.evaluation.fingerprints


def test_provisional_marks_are_open(tiny) -> None:  # type: ignore[no-untyped-def]
    from tender.scoring import evaluate

    tender = tiny.tender({"Q1": 40}, panel=2)
    bids, marks, _ = tiny.tables(
        {"A": 100, "B": 110}, marks={"A": {"Q1": [6, 7]}, "B": {"Q1": [5, 5]}}
    )
    ev = evaluate(tender, bids, marks, None)
    assert [(i.kind, i.subject) for i in open_items(ev)] == [("moderation", "quality marks")]


def test_dates_out_of_order_are_open(tiny) -> None:  # type: ignore[no-untyped-def]
    import datetime

    from tender.scoring import evaluate

    tender = tiny.tender(
        {"Q1": 40},
        report={"meeting_date": datetime.date(2026, 3, 10)},
        letters={"sent": datetime.date(2026, 3, 9)},
        abnormally_low={"enabled": False},
    )
    bids, _, moderated = tiny.tables(
        {"A": 100, "B": 300}, moderated={"A": {"Q1": 6}, "B": {"Q1": 5}}
    )
    ev = evaluate(tender, bids, None, moderated)
    assert [str(i) for i in open_items(ev)] == [
        "letters.sent: 2026-03-09, before the decision (2026-03-10); expected letters sent "
        "on or after report.meeting_date"
    ]


@pytest.mark.parametrize(
    ("row", "found"),
    [
        ("Z,not interviewed,x,", "'Z'"),
        ("A,interviewed,x,", "'interviewed'"),
        ("A,not interviewed,,", "no reason"),
        ("A,not interviewed,x,2016-13-01", "'2016-13-01'"),
    ],
)
def test_a_decisions_file_is_checked_like_every_input(row: str, found: str) -> None:
    frame = pd.read_csv(
        __import__("io").StringIO("bidder_id,decision,reason,decided_on\n" + row),
        dtype=str,
        keep_default_na=False,
    )
    with pytest.raises(TenderInputError) as caught:
        check_near_tie_decisions(frame, "near-ties.csv", ["A", "B"])
    (problem,) = caught.value.problems
    assert problem.found == found
    assert problem.where.startswith("line 2 (bidder ")


def test_a_contract_starting_within_the_standstill_is_open(tiny) -> None:  # type: ignore[no-untyped-def]
    import datetime

    from tender.scoring import evaluate

    # PCR 2015 reg 87: letters sent Monday 3 March 2025 -> the tenth day, Thursday 13 March,
    # is a working day, so the standstill ends then; a start on 13 March is within it.
    tender = tiny.tender(
        {"Q1": 40},
        tender={
            "reference": "TINY-1",
            "title": "Tiny",
            "authority": "Test Council",
            "regime": "pcr2015",
        },
        contract={"start": datetime.date(2025, 3, 13)},
        letters={"sent": datetime.date(2025, 3, 3)},
        abnormally_low={"enabled": False},
    )
    bids, _, moderated = tiny.tables(
        {"A": 100, "B": 110}, moderated={"A": {"Q1": 6}, "B": {"Q1": 5}}
    )
    ev = evaluate(tender, bids, None, moderated)
    assert [str(i) for i in open_items(ev)] == [
        "contract.start: 2025-03-13, within the standstill ending 2025-03-13; expected a "
        "contract start after the standstill period ends"
    ]
    later = tender.model_copy(
        update={
            "contract": tender.contract.model_copy(update={"start": datetime.date(2025, 3, 14)})
        }
    )
    assert open_items(evaluate(later, bids, None, moderated)) == []


def test_a_shared_first_place_is_open(tiny) -> None:  # type: ignore[no-untyped-def]
    from tender.scoring import evaluate

    tender = tiny.tender({"Q1": 40}, abnormally_low={"enabled": False})
    bids, _, moderated = tiny.tables(
        {"A": 100, "B": 100}, moderated={"A": {"Q1": 6}, "B": {"Q1": 6}}
    )
    ev = evaluate(tender, bids, None, moderated)
    kinds = [(i.kind, i.found) for i in open_items(ev)]
    assert ("ranking", "2 bids ranked first") in kinds


def test_an_abnormal_price_awaiting_its_decision_is_open(tiny) -> None:  # type: ignore[no-untyped-def]
    from tender.scoring import evaluate

    # A at 50 is more than 20% below the mean of the others (100 and 110): explanation due
    tender = tiny.tender({"Q1": 40})
    bids, _, moderated = tiny.tables(
        {"A": 50, "B": 100, "C": 110},
        moderated={"A": {"Q1": 6}, "B": {"Q1": 6}, "C": {"Q1": 5}},
    )
    ev = evaluate(tender, bids, None, moderated)
    assert [(i.kind, i.subject) for i in open_items(ev)] == [("abnormal-price", "bidder A")]


def test_an_award_notice_before_the_assessment_summaries_is_open(tiny) -> None:  # type: ignore[no-untyped-def]
    import datetime

    from tender.scoring import evaluate

    tender = tiny.tender(
        {"Q1": 40},
        tender={"reference": "T", "title": "T", "authority": "A", "regime": "pa2023"},
        letters={"sent": datetime.date(2025, 3, 10), "award_notice": datetime.date(2025, 3, 7)},
        abnormally_low={"enabled": False},
    )
    bids, _, moderated = tiny.tables(
        {"A": 100, "B": 110}, moderated={"A": {"Q1": 6}, "B": {"Q1": 5}}
    )
    ev = evaluate(tender, bids, None, moderated)
    assert [(i.kind, i.subject) for i in open_items(ev)] == [("dates", "letters.award_notice")]
