"""The contracts register row: the transparency code's columns, gaps shown, never guessed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tender.publication import published
from tender.register import COLUMNS, register_csv, register_row
from tender.workflows.evaluation import evaluate_file
from tests.test_ocds import set_details


def row_of(reference: Path) -> dict[str, str]:
    run = evaluate_file(reference)
    facts = published(run.evaluation, run.inputs.bids, "bids.csv")
    (row,) = csv.DictReader(io.StringIO(register_csv(facts).decode("utf-8")))
    return dict(row)


def test_the_reference_row_states_what_is_known_and_marks_each_gap(reference: Path) -> None:
    assert row_of(reference) == {
        "Reference number": "MBC-PEST-2016",
        "Title": "Pest Control Arrangements",
        "Department": "Environment and Public Realm",
        "Description": "Pest control service for Maidstone and Swale: treatments for residents "
        "and businesses, with a guaranteed annual income to the councils.",
        "Supplier name": "Goodwin Pest Management",
        "Supplier details": "[NOT SET: bids.csv address]",
        "Supplier registration number": "[NOT SET: bids.csv identifier_id]",
        "Total value": "135000",
        "Value basis": "the contract's estimated whole-life value",
        "VAT not recoverable": "[NOT SET: publication.vat_not_recoverable]",
        "Start date": "2017-01-01",
        "End date": "2019-12-31",
        "Review date": "[NOT SET: publication.review_date]",
        "Procedure": "Published invitation to tender",
        "SME": "[NOT SET: bids.csv sme]",
        "VCSE": "[NOT SET: bids.csv vcse]",
    }


def test_every_gap_is_listed_for_the_warnings(reference: Path) -> None:
    run = evaluate_file(reference)
    row = register_row(published(run.evaluation, run.inputs.bids, "bids.csv"))
    assert len(row.values) == len(COLUMNS)
    assert row.not_set == (
        "bids.csv address",
        "bids.csv identifier_id",
        "publication.vat_not_recoverable",
        "publication.review_date",
        "bids.csv sme",
        "bids.csv vcse",
    )


def test_given_facts_fill_the_row_and_text_cannot_become_a_formula(reference: Path) -> None:
    text = reference.read_text(encoding="utf-8")
    text = text.replace(
        "  procedure: published_tender",
        "  procedure: invitation_to_quote\n  vat_not_recoverable: 0\n"
        '  review_date: 2018-06-30\n  department: =HYPERLINK("http://x")',
    ).replace("  department: Environment and Public Realm\n", "")
    reference.write_text(text, encoding="utf-8")
    bids = reference.parents[1] / "bids" / "pest-control-2016" / "bids.csv"
    set_details(
        bids,
        {
            "A": {
                "address": "1 High Street, Maidstone",
                "identifier_scheme": "GB-COH",
                "identifier_id": "01234567",
                "sme": "yes",
                "vcse": "no",
            }
        },
    )
    row = row_of(reference)
    assert row["Department"] == '\'=HYPERLINK("http://x")'
    assert (row["Supplier details"], row["Supplier registration number"]) == (
        "1 High Street, Maidstone",
        "GB-COH 01234567",
    )
    assert (row["VAT not recoverable"], row["Review date"]) == ("0", "2018-06-30")
    assert (row["Procedure"], row["SME"], row["VCSE"]) == ("Invitation to quote", "Yes", "No")
