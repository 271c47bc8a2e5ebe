"""The robustness text renders the document faithfully, wrapped for a terminal."""

from __future__ import annotations

from tender.robustness import analyse
from tender.robustness_document import document
from tender.robustness_text import text_lines
from tender.sensitivity import Case


def _doc(tiny, prices, moderated=None, marks=None, **extra):
    tender = tiny.tender({"Q1": 30, "Q2": 10}, **extra)
    bids, mark_frame, moderated_frame = tiny.tables(prices, moderated, marks)
    case = Case(tender, bids, mark_frame, moderated_frame)
    return document(analyse(case, case.evaluate()))


def test_text_names_the_standing_and_every_section(tiny):
    doc = _doc(
        tiny,
        {"A": 100, "B": 125, "C": 200},
        {"A": {"Q1": 5, "Q2": 5}, "B": {"Q1": 8, "Q2": 6}, "C": {"Q1": 6, "Q2": 6}},
    )
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
    assert "  no swap among the remaining bids, whichever bid is removed" in lines


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
