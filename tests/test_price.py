"""Price formulas: hand-computed values and properties every formula must keep."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tender import price
from tender.model import BudgetRelative, HighestOffer, LinearDeduction, Log, LowestPrice
from tender.price import FORMULAS, score_prices


def test_lowest_price_hand_computed():
    # 60 × 100/100, 60 × 100/125, 60 × 100/200
    assert price.lowest_price([100, 125, 200], 60).tolist() == [60.0, 48.0, 30.0]


def test_linear_deduction_hand_computed():
    # k = 1: 25% dearer loses 25% of W; twice the lowest or more scores 0
    assert price.linear_deduction([100, 125, 200, 300], 40).tolist() == [40.0, 30.0, 0.0, 0.0]
    # k = 2: 25% dearer loses 50%
    assert price.linear_deduction([100, 125], 40, k=2).tolist() == [40.0, 20.0]


def test_interpolation_hand_computed():
    assert price.interpolation([100, 150, 200], 50).tolist() == [50.0, 25.0, 0.0]
    assert price.interpolation([120, 120], 50).tolist() == [50.0, 50.0]


def test_budget_relative_hand_computed():
    # budget 200, lowest 100: (200 − 150)/(200 − 100) = 0.5; above budget → 0
    assert price.budget_relative([100, 150, 250], 30, budget=200).tolist() == [30.0, 15.0, 0.0]
    assert price.budget_relative([200, 210], 30, budget=200).tolist() == [30.0, 0.0]
    assert price.budget_relative([210, 220], 30, budget=200).tolist() == [0.0, 0.0]


def test_highest_offer_hand_computed_pest_control():
    # Table 1: 60 × 11,400/12,000 = 57; 60 × 7,140/12,000 = 35.7
    scores = price.highest_offer([12000, 11400, 7140, 5540, 460], 60)
    assert scores.tolist() == pytest.approx([60, 57, 35.7, 27.7, 2.3])
    assert price.highest_offer([0, 0], 60).tolist() == [60.0, 60.0]
    assert price.highest_offer([0, 500], 60).tolist() == [0.0, 60.0]


def test_log_hand_computed():
    # A = 2: 1.5 × lowest scores W × (1 − ln 1.5/ln 2) = W × 0.41504...
    scores = price.log([100, 150, 200, 400], 10, zero_at_multiple=2)
    assert scores.tolist() == pytest.approx([10, 10 * (1 - math.log(1.5) / math.log(2)), 0, 0])


def test_log_keeps_others_order_when_lowest_changes():
    before = price.log([110, 130, 150], 10, zero_at_multiple=3)
    after = price.log([90, 110, 130, 150], 10, zero_at_multiple=3)
    # Each other bid loses the same amount: differences between them are unchanged.
    assert np.diff(before).tolist() == pytest.approx(np.diff(after[1:]).tolist())


def test_every_formula_is_registered_documented_and_directed():
    assert set(FORMULAS) == {
        "lowest_price",
        "linear_deduction",
        "interpolation",
        "budget_relative",
        "highest_offer",
        "log",
    }
    for formula in FORMULAS.values():
        assert formula.better in ("lower", "higher")
        assert "W" in formula.summary
        assert "W" in formula.equation


def test_empty_input_scores_nothing():
    for formula in FORMULAS.values():
        kwargs = {"budget": 100.0} if formula.name == "budget_relative" else {}
        assert formula.kernel([], 60, **kwargs).size == 0


SPECS = [
    LowestPrice(name="lowest_price"),
    LinearDeduction(name="linear_deduction", k=1.5),
    BudgetRelative(name="budget_relative", budget=5000),
    Log(name="log", zero_at_multiple=3),
]
prices = st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=30)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@given(values=prices, weight=st.sampled_from([0.0, 10.0, 40.0, 60.0, 100.0]))
def test_cost_formula_bounds_best_and_monotone(spec, values, weight):
    scores = score_prices(values, weight, spec)
    assert np.all(scores >= 0)
    assert np.all(scores <= weight + 1e-9)
    order = np.argsort(values, kind="stable")
    sorted_scores = scores[order]
    assert np.all(np.diff(sorted_scores) <= 1e-9), "a cheaper bid scored lower"
    if spec.name != "budget_relative" or min(values) <= 5000:
        assert scores[np.argmin(values)] == pytest.approx(weight)


@given(values=prices, weight=st.sampled_from([10.0, 60.0]))
@example(values=[100, 100], weight=60.0)
def test_interpolation_bounds_and_monotone(values, weight):
    scores = price.interpolation(values, weight)
    assert np.all(scores >= -1e-9)
    assert np.all(scores <= weight + 1e-9)
    assert np.all(np.diff(scores[np.argsort(values, kind="stable")]) <= 1e-9)


@given(values=st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=30))
def test_income_formula_higher_offer_never_scores_lower(values):
    scores = score_prices(values, 60.0, HighestOffer(name="highest_offer"))
    assert np.all(scores >= 0)
    assert np.all(scores <= 60 + 1e-9)
    assert np.all(np.diff(scores[np.argsort(values, kind="stable")]) >= -1e-9)
    assert scores[np.argmax(values)] == pytest.approx(60.0)


@pytest.mark.parametrize("spec", [*SPECS, HighestOffer(name="highest_offer")], ids=lambda s: s.name)
@given(data=st.data())
def test_scores_follow_their_bids_when_shuffled(spec, data):
    values = data.draw(prices)
    permutation = data.draw(st.permutations(range(len(values))))
    scores = score_prices(values, 60.0, spec)
    shuffled = score_prices([values[i] for i in permutation], 60.0, spec)
    assert shuffled.tolist() == pytest.approx([scores[i] for i in permutation])


@given(values=prices, factor=st.sampled_from([0.01, 3.0, 1000.0]))
def test_lowest_price_is_scale_invariant(values, factor):
    base = price.lowest_price(values, 60)
    scaled = price.lowest_price([v * factor for v in values], 60)
    assert scaled.tolist() == pytest.approx(base.tolist())


def test_interpolation_documents_rank_reversal():
    """Adding a dearer bid swaps A and B under interpolation (guide: A £100 q10, B £110 q60)."""
    quality = np.array([10.0, 60.0])
    totals_before = price.interpolation([100, 110], 60) + quality
    totals_after = price.interpolation([100, 110, 300], 60)[:2] + quality
    assert totals_before.tolist() == [70.0, 60.0]  # A leads
    assert totals_after.tolist() == [70.0, 117.0]  # B leads once C is added
    assert not FORMULAS["interpolation"].independent_of_worse_bid
    assert FORMULAS["lowest_price"].independent_of_worse_bid
