"""The robustness document: plain JSON, full precision, what the analyses found."""

from __future__ import annotations

import json

from tender.robustness import analyse
from tender.robustness_document import document
from tender.sensitivity import Case


def _doc(tiny, prices, moderated=None, marks=None, **extra):
    tender = tiny.tender({"Q1": 30, "Q2": 10}, **extra)
    bids, mark_frame, moderated_frame = tiny.tables(prices, moderated, marks)
    case = Case(tender, bids, mark_frame, moderated_frame)
    return document(analyse(case, case.evaluate()))


SMALL = {"A": {"Q1": 5, "Q2": 5}, "B": {"Q1": 8, "Q2": 6}, "C": {"Q1": 6, "Q2": 6}}


def test_document_is_plain_json_and_names_the_standing(tiny):
    doc = _doc(tiny, {"A": 100, "B": 125, "C": 200}, SMALL)
    json.dumps(doc, allow_nan=False)
    assert doc["standing"] == "80.00 points, 2.00 ahead of B (78.00)."
    assert doc["leaders"] == ["A"]
    assert doc["totals"] == {"A": 80.0, "B": 78.0, "C": 54.0}
    assert doc["price_weight"]["crossovers"][0]["before"] == "B"


def test_a_removal_that_anchors_nothing_has_no_order_of_its_own(tiny):
    # Lowest price: A £100 is the lowest and C £200 the highest, each alone there; B £125
    # is neither, so removing it moves no score and the rest keep their order (null).
    # Removing C is re-scored: A 80, B 78, the same order.
    doc = _doc(tiny, {"A": 100, "B": 125, "C": 200}, SMALL)
    reversal = doc["rank_reversal"]
    assert reversal["price_formula"] == "lowest_price"
    assert reversal["removals"] == [
        {"removed": "B", "order": None, "swaps": []},
        {"removed": "C", "order": ["A", "B"], "swaps": []},
    ]


def test_evaluator_ranges_and_leave_one_out_are_stated_with_their_rule(tiny):
    doc = _doc(
        tiny,
        {"A": 100, "B": 125},
        {"A": {"Q1": 5, "Q2": 5}, "B": {"Q1": 8, "Q2": 6}},
        {"A": {"Q1": [5] * 3, "Q2": [5] * 3}, "B": {"Q1": [8, 8, 10], "Q2": [6] * 3}},
        near_tie={"margin": 2, "evaluator_range": True},
    )
    # A 60 + [15, 15] + [5, 5]; B 48 + [24, 30] + [6, 6]: 80-80 against 78-84, overlapping.
    ranges = doc["near_ties"]["evaluator_range"]
    assert ranges["flagged"] == ["A", "B"]
    assert ranges["ranges"] == {"A": [80.0, 80.0], "B": [78.0, 84.0]}
    assert doc["near_ties"]["corridor"] is None
    assert [w["without"] for w in doc["leave_one_out"]] == [None, "E1", "E2", "E3"]
    assert doc["abnormally_low"]["flagged"] == []
