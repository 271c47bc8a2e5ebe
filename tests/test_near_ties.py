"""Near-tie rules: points margin, evaluator-range overlap, the UfAB corridor."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tender import near_ties
from tender.near_ties import gap_to_leader, within_margin
from tender.sensitivity import Case, near_tie_rules


def test_total_ranges_by_hand():
    # Two criteria worth 30 and 10 on 0-10 (3 and 1 points a mark), price scores 60 and 48.
    # Bid 0: Q1 marks 4, 5, 6 → 12-18; Q2 5, 5, 5 → 5: totals 77-83.
    # Bid 1: Q1 8, 8, 10 → 24-30; Q2 2, 6, 9 → 2-9: totals 74-87.
    individual = np.array([[[4, 5, 6], [5, 5, 5]], [[8, 8, 10], [2, 6, 9]]], dtype=float)
    low, high = near_ties.total_ranges(np.array([60.0, 48.0]), individual, np.array([30, 10.0]), 10)
    assert low == pytest.approx([77, 74])
    assert high == pytest.approx([83, 87])


def test_total_ranges_ignore_a_missing_evaluator():
    individual = np.array([[[4, np.nan, 6]]])
    low, high = near_ties.total_ranges(np.array([0.0]), individual, np.array([10.0]), 10)
    assert (low[0], high[0]) == pytest.approx((4, 6))


def test_ranges_overlap_flags_only_bids_reaching_the_leaders_range():
    low = np.array([70.0, 65.0, 50.0, 69.0])
    high = np.array([80.0, 70.0, 64.9, 75.0])
    ranked = np.array([True, True, True, False])
    flags = near_ties.ranges_overlap(low, high, ranked, leader=0)
    assert list(flags) == [True, True, False, False]  # touching at 70 counts; 3 is unranked


def test_ranges_overlap_leader_alone_is_not_a_near_tie():
    flags = near_ties.ranges_overlap(
        np.array([70.0, 50.0]), np.array([80.0, 60.0]), np.array([True, True]), leader=0
    )
    assert not flags.any()


@given(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0, 20)), min_size=2, max_size=6),
)
def test_range_overlap_is_symmetric(pairs):
    low = np.array([a for a, _ in pairs])
    high = low + np.array([b for _, b in pairs])
    ranked = np.ones(low.size, dtype=bool)
    for i in range(low.size):
        for j in range(low.size):
            if i == j:
                continue
            a = near_ties.ranges_overlap(low[[i, j]], high[[i, j]], ranked[:2], leader=0)
            b = near_ties.ranges_overlap(low[[j, i]], high[[j, i]], ranked[:2], leader=0)
            assert a.all() == b.all()


def test_corridor_candidates_and_choice_by_hand():
    # Leader 80; a 5% corridor reaches down to 76: bids at 80, 78 and 76 are candidates.
    total = np.array([80.0, 78.0, 76.0, 75.9])
    ranked = np.ones(4, dtype=bool)
    quality = np.array([20.0, 25.0, 24.0, 30.0])
    candidates, chosen = near_ties.corridor(total, ranked, 5, quality)
    assert list(candidates) == [True, True, True, False]
    assert list(chosen) == [False, True, False, False]  # best quality among the candidates


def test_corridor_by_better_price_ignores_missing_prices():
    total = np.array([80.0, 79.0])
    candidates, chosen = near_ties.corridor(
        total, np.ones(2, dtype=bool), 10, np.array([np.nan, -1000.0])
    )
    assert list(candidates) == [True, True]
    assert list(chosen) == [False, True]


def test_corridor_configured_in_the_definition(tiny):
    # A 80 (quality 20), B 78 (quality 30): 2.5% below A, inside a 3% corridor decided by
    # quality, so B is chosen; with better_price, A (£100 < £125) is.
    for decide_by, chosen in (("higher_quality", ["B"]), ("better_price", ["A"])):
        tender = tiny.tender(
            {"Q1": 30, "Q2": 10},
            near_tie={"margin": 1, "corridor": {"percent": 3, "decide_by": decide_by}},
        )
        bids, _, moderated = tiny.tables(
            {"A": 100, "B": 125}, {"A": {"Q1": 5, "Q2": 5}, "B": {"Q1": 8, "Q2": 6}}
        )
        ev = Case(tender, bids, None, moderated).evaluate()
        rules = near_tie_rules(ev)
        assert not rules.points.any()  # 2 points apart, margin 1
        assert rules.ranges is None  # no individual marks
        assert rules.corridor is not None
        assert rules.corridor_choice is not None
        assert list(ev.table.loc[rules.corridor, "bidder_id"]) == ["A", "B"]
        assert list(ev.table.loc[rules.corridor_choice, "bidder_id"]) == chosen


def test_corridor_above_ten_percent_is_refused(tiny):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="less than or equal to 10"):
        tiny.tender(
            {"Q1": 40}, near_tie={"corridor": {"percent": 12, "decide_by": "higher_quality"}}
        )


def test_evaluator_range_rule_can_be_switched_off(tiny):
    tender = tiny.tender({"Q1": 40}, near_tie={"evaluator_range": False})
    bids, marks, _ = tiny.tables(
        {"A": 100, "B": 100}, None, {"A": {"Q1": [5, 6, 7]}, "B": {"Q1": [5, 6, 6]}}
    )
    ev = Case(tender, bids, marks, None).evaluate()
    assert near_tie_rules(ev).ranges is None


def test_margin_is_inclusive_and_symmetric():
    total = np.array([80.3, 79.1, 78.3, 50.0])
    ranked = np.ones(4, dtype=bool)
    assert within_margin(total, ranked, 2.0).tolist() == [True, True, True, False]
    assert within_margin(total, ranked, 1.0).tolist() == [False, False, False, False]


def test_widening_the_margin_never_removes_a_flag():
    total = np.array([70.0, 69.0, 65.0, 60.0])
    ranked = np.ones(4, dtype=bool)
    previous = np.zeros(4, dtype=bool)
    for margin in (0.5, 1, 5, 10, 20):
        flags = within_margin(total, ranked, margin)
        assert (flags | ~previous).all()
        previous = flags


def test_unranked_bids_are_never_near_ties():
    total = np.array([80.0, np.nan, 79.0])
    ranked = np.array([True, False, True])
    assert within_margin(total, ranked, 2).tolist() == [True, False, True]
    assert np.isnan(gap_to_leader(total, ranked)[1])


def test_corridor_flags_and_picks_by_the_announced_criterion(tmp_path):
    from pathlib import Path

    from tender.workflows.evaluation import evaluate_file

    tiny = Path(__file__).parent / "data" / "tiny"
    text = (tiny / "criteria" / "tiny.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "near_tie:\n  margin: 6",
        "near_tie:\n  margin: 1\n  evaluator_range: false\n"
        "  corridor: {percent: 10, decide_by: better_price}",
    ).replace("../bids/tiny/", str(tiny / "bids" / "tiny") + "/")
    definition = tmp_path / "tiny.yaml"
    definition.write_text(text, encoding="utf-8")
    records = {r.bidder_id: r.as_json() for r in evaluate_file(definition).evaluation.records()}
    # Y leads on 86; 10% below is 77.4, so X (80) is a candidate; X's price 100 beats Y's 125.
    assert records["Y"]["flags"] == ["corridor"]
    assert records["X"]["flags"] == ["corridor"]
    assert records["X"]["notes"] == [
        "Within the 10% corridor below the leading total; the pre-announced criterion "
        "(better price) picks X."
    ]
