"""The OCDS release package: valid, agreeing with results.json, and saying nothing internal."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from tender.ocds import (
    DocumentsWritten,
    at,
    award_criteria,
    award_criteria_details,
    release_package,
    text_of,
    uk_offset,
)
from tender.ocds_schema import validate_package
from tender.publication import published
from tender.workflows.evaluation import evaluate_file
from tender.workflows.score import score


def set_details(bids: Path, details: dict[str, dict[str, str]]) -> None:
    """Give bidders supplier details in the bids file (columns added where missing)."""
    frame = pd.read_csv(bids, dtype=str, keep_default_na=False)
    for bidder, values in details.items():
        for column, value in values.items():
            if column not in frame:
                frame[column] = ""
            frame.loc[frame["bidder_id"] == bidder, column] = value
    frame.to_csv(bids, index=False)


def package_of(reference: Path, written: DocumentsWritten | None = None) -> dict[str, Any]:
    run = evaluate_file(reference)
    facts = published(run.evaluation, run.inputs.bids, "bids.csv")
    return release_package(facts, written or DocumentsWritten())


def as_pa2023(reference: Path) -> None:
    text = reference.read_text(encoding="utf-8")
    text = text.replace("regime: local_rules ", "regime: pa2023      ")
    text = text.replace("  sent: 2016-12-14", "  sent: 2016-12-14\n  award_notice: 2016-12-15")
    reference.write_text(text, encoding="utf-8")


def test_the_reference_package_validates(reference: Path) -> None:
    assert validate_package(package_of(reference)) == []


def test_a_pa2023_package_with_the_report_validates_and_carries_the_uk_fields(
    reference: Path,
) -> None:
    as_pa2023(reference)
    package = package_of(reference, DocumentsWritten(award_report=True))
    assert validate_package(package) == []
    (award,) = package["releases"][0]["awards"]
    # eight working days from Thu 15 Dec 2016: 15, 16, 19-23, then 28 (26, 27 bank holidays)
    assert award["standstillPeriod"] == {
        "startDate": "2016-12-15T00:00:00Z",
        "endDate": "2016-12-28T23:59:59Z",
    }
    assert award["assessmentSummariesDateSent"] == "2016-12-14T00:00:00Z"
    assert [d["id"] for d in award["documents"]] == ["award-report", "assessment-summaries"]
    assert package["publishedDate"] == "2016-12-15T00:00:00Z"  # the award notice


def test_awards_bids_and_parties_match_results_json(reference: Path) -> None:
    results = json.loads((score(reference).folder / "results.json").read_text(encoding="utf-8"))
    (release,) = package_of(reference)["releases"]
    bids = results["bids"]
    winner = next(b for b in bids if b["rank"] == 1)
    (award,) = release["awards"]
    assert [s["name"] for s in award["suppliers"]] == [winner["bidder"]]
    assert award["relatedBid"] == f"bid-{winner['bidder_id']}"
    details = release["bids"]["details"]
    assert [d["id"] for d in details] == [f"bid-{b['bidder_id']}" for b in bids]
    assert [d["status"] for d in details] == [
        "valid" if b["rank"] else "disqualified" for b in bids
    ]
    tenderers = [p for p in release["parties"] if "tenderer" in p["roles"]]
    assert len(tenderers) == len(bids) == release["tender"]["numberOfTenderers"]
    assert [p["id"] for p in release["parties"] if "supplier" in p["roles"]] == [
        award["suppliers"][0]["id"]
    ]
    # anonymised as in the public report: only the recommended bidder is named
    assert [p["name"] for p in tenderers][1:] == [f"Company {b['bidder_id']}" for b in bids[1:]]
    buyer = release["buyer"]
    assert [p["roles"] for p in release["parties"] if p["id"] == buyer["id"]] == [["buyer"]]


def _texts_held_back(project: Path) -> list[str]:
    """Every rationale, feedback, justification, clarification and officer's note."""
    folder = project / "bids" / "pest-control-2016"
    held = []
    for name, columns in (
        ("moderated.csv", ("rationale", "feedback")),
        ("clarifications.csv", ("clarification", "rationale")),
        ("marks.csv", ("justification",)),
        ("bids.csv", ("note",)),
    ):
        with (folder / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                held += [row[c] for c in columns if len(row.get(c) or "") > 12]
    return held


def test_the_package_contains_no_rationale_feedback_or_notes(
    project: Path, reference: Path
) -> None:
    held = _texts_held_back(project)
    assert len(held) > 20, "the reference has rationales and feedback to hold back"
    text = text_of(package_of(reference, DocumentsWritten(award_report=True)))
    assert [t for t in held if t in text] == []
    for word in ("rationale", "feedback", "Near-tie", "interview", "justification"):
        assert word.casefold() not in text.casefold(), word


def test_the_award_criteria_and_their_weights(reference: Path) -> None:
    tender = evaluate_file(reference).evaluation.tender
    assert award_criteria(tender) == "ratedCriteria"
    assert award_criteria_details(tender) == (
        "Guaranteed annual income offered to the councils 60%; quality 40%: "
        "Q1 Performance measurement 12%, Q2 Auditable and easily accessible systems 11%, "
        "Q3 Environmental and social value 9%, Q4 Potential to grow the business 8%"
    )


def test_the_tiny_tenders_sub_criteria_are_given_with_their_parent() -> None:
    tender = evaluate_file(
        Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml"
    ).evaluation.tender
    assert award_criteria_details(tender) == (
        "Price 40%; quality 60%: T1 Method 30% (T1a Staffing 20%, T1b Equipment 10%), T2 Safety 30%"
    )


def test_uk_dates_carry_the_offset_of_the_clock_that_day() -> None:
    # 2016: BST from Sunday 27 March to Sunday 30 October
    assert at(date(2016, 12, 14)) == "2016-12-14T00:00:00Z"
    assert at(date(2016, 7, 1), end_of_day=True) == "2016-07-01T23:59:59+01:00"
    assert uk_offset(date(2016, 3, 27)) == "Z"  # midnight, before the 01:00 change
    assert uk_offset(date(2016, 3, 27), end_of_day=True) == "+01:00"
    assert uk_offset(date(2016, 10, 30)) == "+01:00"
    assert uk_offset(date(2016, 10, 30), end_of_day=True) == "Z"


def test_identifiers_appear_only_for_named_bidders_that_have_one(reference: Path) -> None:
    bids = reference.parents[1] / "bids" / "pest-control-2016" / "bids.csv"
    set_details(
        bids,
        {
            "A": {
                "legal_name": "Goodwin Pest Management Ltd",
                "identifier_scheme": "GB-COH",
                "identifier_id": "01234567",
                "sme": "yes",
            },
            # anonymised: stays anonymous
            "C": {"legal_name": "Company C Ltd", "identifier_scheme": "GB-COH",
                  "identifier_id": "07654321", "sme": "no"},
        },
    )  # fmt: skip
    package = package_of(reference)
    assert validate_package(package) == []
    parties = {p["id"]: p for p in package["releases"][0]["parties"]}
    assert parties["tenderer-A"]["identifier"] == {
        "scheme": "GB-COH",
        "id": "01234567",
        "legalName": "Goodwin Pest Management Ltd",
    }
    assert parties["tenderer-A"]["details"] == {"scale": "sme"}
    assert parties["tenderer-C"] == {"id": "tenderer-C", "name": "Company C", "roles": ["tenderer"]}
    assert "07654321" not in text_of(package)
    assert "identifier" not in parties["tenderer-B"]


def test_the_same_inputs_give_the_same_bytes_and_release_id(reference: Path) -> None:
    first = text_of(package_of(reference))
    assert text_of(package_of(reference)) == first
    release_id = json.loads(first)["releases"][0]["id"]
    assert release_id.startswith("ocds-h6vhtk-MBC-PEST-2016-award-")
    text = reference.read_text(encoding="utf-8")
    reference.write_text(text.replace("category: services", "category: works"), encoding="utf-8")
    assert json.loads(text_of(package_of(reference)))["releases"][0]["id"] != release_id
