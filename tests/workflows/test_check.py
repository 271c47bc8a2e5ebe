"""`check`: the definition and every file it names, checked at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tender.errors import TenderInputError
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
