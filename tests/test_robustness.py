"""All analyses together: the document is plain JSON and the text renders it faithfully."""

from __future__ import annotations

import json

from tender.robustness import analyse, document, text_lines
from tender.sensitivity import Case


def _doc(tiny, prices, moderated=None, marks=None, **extra):
    tender = tiny.tender({"Q1": 30, "Q2": 10}, **extra)
    bids, mark_frame, moderated_frame = tiny.tables(prices, moderated, marks)
    case = Case(tender, bids, mark_frame, moderated_frame)
    return document(analyse(case, case.evaluate()))


def test_document_is_plain_json_and_names_the_standing(tiny):
    doc = _doc(
        tiny,
        {"A": 100, "B": 125, "C": 200},
        {"A": {"Q1": 5, "Q2": 5}, "B": {"Q1": 8, "Q2": 6}, "C": {"Q1": 6, "Q2": 6}},
    )
    json.dumps(doc, allow_nan=False)
    assert doc["standing"] == "80.00 points, 2.00 ahead of B (78.00)."
    lines = text_lines(doc, {"A": "Alpha"})
    assert lines[1] == "Quality from moderated marks."
    assert lines[2] == "Leader: A (Alpha). 80.00 points, 2.00 ahead of B (78.00)."
    assert "  at 55.56 the lead passes from B to A" in lines
    assert "  changes the leader (1 mark):" in lines
    assert "  ties first place (2 marks):" in lines
    assert all(len(line) <= 100 for line in lines)
    assert (
        "  price formula lowest_price: a bid worse than all others cannot reorder the rest" in lines
    )


def test_shared_first_place_and_provisional_marks_are_said_plainly(tiny):
    doc = _doc(
        tiny,
        {"A": 100, "B": 100},
        marks={"A": {"Q1": [5, 5, 6], "Q2": [5] * 3}, "B": {"Q1": [5, 5, 4], "Q2": [5] * 3}},
    )
    lines = text_lines(doc, {})
    assert lines[1] == (
        "PROVISIONAL: quality from the median of the evaluators' marks (no moderated marks yet)."
    )
    assert lines[2] == "Leader: A and B. Level on 80.00 points."
    assert "  first place is already shared by A and B" in lines
    assert "  A v B: FRAGILE. Their totals are equal." in " ".join(lines)


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


def test_rank_reversal_risk_is_named_for_interpolation(tiny):
    tender = tiny.tender({"Q1": 50}, price_weight=50, formula="interpolation")
    bids, _, moderated = tiny.tables(
        {"A": 100, "B": 110, "C": 300}, {"A": {"Q1": 2}, "B": {"Q1": 3}, "C": {"Q1": 10}}
    )
    case = Case(tender, bids, None, moderated)
    lines = text_lines(document(analyse(case, case.evaluate())), {})
    assert (
        "  price formula interpolation: a bid worse than all others CAN reorder the rest "
        "(rank reversal)" in lines
    )
    assert "  without C: B falls level with or below A" in lines
