"""All analyses together, run once on an evaluation, leaving their inputs as they were."""

from __future__ import annotations

import pytest

from tender.robustness import analyse
from tender.sensitivity import Case


def test_analyses_never_change_their_inputs(tiny):
    tender = tiny.tender({"Q1": 30, "Q2": 10})
    bids, marks, moderated = tiny.tables(
        {"A": 100, "B": 125},
        {"A": {"Q1": 5, "Q2": 5}, "B": {"Q1": 8, "Q2": 6}},
        {"A": {"Q1": [5] * 3, "Q2": [5] * 3}, "B": {"Q1": [8, 8, 10], "Q2": [6] * 3}},
    )
    copies = [frame.copy(deep=True) for frame in (bids, marks, moderated)]
    case = Case(tender, bids, marks, moderated)
    analyse(case, case.evaluate())
    for frame, copy in zip((bids, marks, moderated), copies, strict=True):
        assert frame.equals(copy)


def test_every_analysis_is_in_the_record(tiny):
    # A £100 marks 5, 5: 60 + 15 + 5 = 80; B £125 marks 8, 6: 48 + 24 + 6 = 78.
    tender = tiny.tender({"Q1": 30, "Q2": 10})
    bids, marks, moderated = tiny.tables(
        {"A": 100, "B": 125},
        {"A": {"Q1": 5, "Q2": 5}, "B": {"Q1": 8, "Q2": 6}},
        {"A": {"Q1": [5] * 3, "Q2": [5] * 3}, "B": {"Q1": [8, 8, 10], "Q2": [6] * 3}},
    )
    case = Case(tender, bids, marks, moderated)
    ev = case.evaluate()
    found = analyse(case, ev)
    assert found.evaluation is ev
    assert list(found.lines.intercept) == pytest.approx([50, 75])
    assert [w.evaluator_id for w in found.without] == [None, "E1", "E2", "E3"]
    assert [m.removed for m in found.removals] == ["B"]
    assert [(v.leader, v.other) for v in found.verdicts] == [("A", "B")]
    assert [x.evaluator_id for x in found.leniency] == ["E1", "E2", "E3"]
