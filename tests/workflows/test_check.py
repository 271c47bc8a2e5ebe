"""`check`: the definition and every file it names, checked at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tender.errors import TenderInputError
from tender.model import SUPPLIER_COLUMNS
from tender.workflows.check import check


def test_a_sound_tender_lists_every_file_it_read(reference: Path) -> None:
    checked = check(reference)
    assert len(checked.run.evaluation.table) == 6
    assert set(checked.fingerprints) >= {
        "criteria/pest-control-2016.yaml",
        "bids/pest-control-2016/bids.csv",
        "bids/pest-control-2016/clarifications.csv",
    }
    assert all(len(digest) == 64 for digest in checked.fingerprints.values())


def test_problems_in_a_named_file_are_reported(project: Path, reference: Path) -> None:
    outcomes = project / "bids" / "pest-control-2016" / "clarifications.csv"
    outcomes.write_text(outcomes.read_text().replace("2016-11-22", "2016-13-22", 1))
    with pytest.raises(TenderInputError) as caught:
        check(reference)
    assert any("clarifications.csv" in str(p) for p in caught.value.problems)


def _answer(column: str) -> str:
    """'yes' in a pass/fail column, blank in the optional supplier columns."""
    return "" if column in SUPPLIER_COLUMNS else "yes"


def test_a_new_tender_with_only_its_bids_is_ok_for_templates(tmp_path: Path) -> None:
    from tender.workflows.new import new
    from tender.workflows.status import status

    new("cleaning-2027", tmp_path)
    bids = tmp_path / "bids" / "cleaning-2027" / "bids.csv"
    header = bids.read_text().splitlines()[0]
    rows = {"bidder_id": "A", "bidder": "Alpha Cleaning Ltd", "price": "1000"}
    other = {"bidder_id": "B", "bidder": "Beta Services", "price": "1200"}
    columns = header.split(",")
    # pass/fail answers "yes"; the optional supplier columns left blank
    lines = [",".join(r.get(c, _answer(c)) for c in columns) for r in (rows, other)]
    bids.write_text("\n".join([header, *lines]) + "\n")
    definition = tmp_path / "criteria" / "cleaning-2027.yaml"
    checked = check(definition)
    assert (checked.ready_for, checked.bids) == ("templates", 2)
    assert checked.run is None
    assert status(definition).next_command == "tender templates criteria/cleaning-2027.yaml"


def test_before_marking_a_bad_bid_is_still_an_error(tmp_path: Path) -> None:
    from tender.workflows.new import new

    new("cleaning-2027", tmp_path)
    bids = tmp_path / "bids" / "cleaning-2027" / "bids.csv"
    header = bids.read_text().splitlines()[0]
    columns = header.split(",")
    row = {"bidder_id": "-A", "bidder": "Alpha", "price": "£1000"}
    bids.write_text(header + "\n" + ",".join(row.get(c, _answer(c)) for c in columns) + "\n")
    with pytest.raises(TenderInputError) as caught:
        check(tmp_path / "criteria" / "cleaning-2027.yaml")
    found = " | ".join(str(p) for p in caught.value.problems)
    assert "found bidder_id '-A'" in found
