"""`log`: the evaluation log, read whole, its chain checked."""

from __future__ import annotations

from pathlib import Path

from tender.workflows.log import log
from tender.workflows.templates import templates


def test_the_log_of_issued_templates_is_intact(reference: Path) -> None:
    issued = templates(reference)
    checked = log(reference)
    assert checked.intact
    assert [e["evaluator_id"] for e in checked.entries] == [i.evaluator_id for i in issued]


def test_a_tender_with_no_log_yet_has_an_intact_empty_one(reference: Path) -> None:
    checked = log(reference)
    assert checked.intact
    assert checked.entries == []
