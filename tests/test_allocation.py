"""Lots under a cap: both stated rules, hand-computed, and the optimum checked by brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.allocation import Standing, allocate


def standings(table: dict[str, dict[str, float]]) -> list[Standing]:
    """{lot: {bidder: total}} → standings ranked within each lot by total (1 = best)."""
    out = []
    for lot, totals in table.items():
        order = sorted(totals, key=lambda b: (-totals[b], b))
        out += [Standing(lot, b, order.index(b) + 1, totals[b]) for b in order]
    return out


# X tops all three lots; Y is second on lots 1 and 2, Z second on lot 3.
THREE = {
    "L1": {"X": 80.0, "Y": 79.0, "Z": 60.0},
    "L2": {"X": 90.0, "Y": 70.0, "Z": 65.0},
    "L3": {"X": 85.0, "Y": 50.0, "Z": 84.0},
}


def winners(allocation) -> dict[str, str | None]:
    return {a.lot_id: a.bidder_id for a in allocation.awards}


def test_no_cap_gives_every_lot_to_its_top_bidder():
    result = allocate(["L1", "L2", "L3"], standings(THREE), None, "best_total")
    assert winners(result) == {"L1": "X", "L2": "X", "L3": "X"}
    assert [a.reason for a in result.awards] == ["ranked 1st on this lot"] * 3


def test_lot_order_awards_each_lot_in_turn():
    # Cap 1: L1 → X (80); L2 → X is at the cap, so Y (70); L3 → X and Y at the cap, so Z (84).
    result = allocate(["L1", "L2", "L3"], standings(THREE), 1, "lot_order")
    assert winners(result) == {"L1": "X", "L2": "Y", "L3": "Z"}
    assert result.awards[1].reason == (
        "ranked 2nd on this lot; the better-ranked X (lot L1) is already awarded earlier lots "
        "up to the cap of 1 lot per bidder"
    )
    assert result.lots_of("X") == ["L1"]


def test_best_total_finds_the_highest_sum_under_the_cap():
    # Cap 1, sums of one lot each: X L2 + Y L1 + Z L3 = 90 + 79 + 84 = 253 is the best of
    # the six one-each allocations (lot order's X L1 + Y L2 + Z L3 gives 80 + 70 + 84 = 234).
    result = allocate(["L1", "L2", "L3"], standings(THREE), 1, "best_total")
    assert winners(result) == {"L1": "Y", "L2": "X", "L3": "Z"}
    assert sum(a.total or 0 for a in result.awards) == 253
    assert result.awards[0].reason.startswith(
        "ranked 2nd on this lot; the better-ranked X (lot L2)"
    )


def test_equal_sums_are_settled_in_lot_order_preferring_the_better_ranked_bidder():
    # Cap 1: X L1 + Y L2 = 50 + 40 = 90 = Y L1 + X L2 = 45 + 45. Lot L1 is settled first and
    # prefers its better-ranked bidder, X.
    table = {"L1": {"X": 50.0, "Y": 45.0}, "L2": {"X": 45.0, "Y": 40.0}}
    result = allocate(["L1", "L2"], standings(table), 1, "best_total")
    assert winners(result) == {"L1": "X", "L2": "Y"}


def test_more_lots_awarded_outweighs_a_higher_sum():
    # Cap 1: X alone on L2. Giving L1 to X (90) leaves L2 unawarded; Y L1 + X L2 awards both.
    table = {"L1": {"X": 90.0, "Y": 10.0}, "L2": {"X": 80.0}}
    assert winners(allocate(["L1", "L2"], standings(table), 1, "best_total")) == {
        "L1": "Y",
        "L2": "X",
    }
    by_order = allocate(["L1", "L2"], standings(table), 1, "lot_order")
    assert winners(by_order) == {"L1": "X", "L2": None}
    assert by_order.awards[1].reason == (
        "every bidder ranked on this lot is awarded other lots up to the cap of 1 lot per bidder"
    )


def test_a_lot_nobody_could_win_says_so():
    result = allocate(["L1", "L2"], standings({"L1": {"X": 70.0}, "L2": {}}), 2, "lot_order")
    assert result.awards[1].bidder_id is None
    assert result.awards[1].reason == "no eligible bid was ranked on this lot"


def test_bad_calls_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        allocate(["L1"], [], 0, "lot_order")
    with pytest.raises(ValueError, match="not one of"):
        allocate(["L1"], [Standing("L9", "X", 1, 50.0)], 1, "lot_order")


def brute_force(lots, table, cap):
    """Every allocation, best by (lots awarded, exact sum, lot-by-lot preference)."""
    options = []
    for lot in lots:
        ranked = sorted(table[lot], key=lambda b: (-table[lot][b], b))
        options.append([*ranked, None])
    best, best_key = None, None
    for pick in itertools.product(*options):
        held = [b for b in pick if b is not None]
        if cap is not None and any(held.count(b) > cap for b in set(held)):
            continue
        score = sum(
            round(table[lot][b] * 10**9) for lot, b in zip(lots, pick, strict=True) if b is not None
        )
        preference = tuple(opts.index(b) for opts, b in zip(options, pick, strict=True))
        key = (len(held), score, tuple(-p for p in preference))
        if best_key is None or key > best_key:
            best, best_key = pick, key
    return dict(zip(lots, best, strict=True))


marks = st.sampled_from([40.0, 45.5, 50.0, 55.25, 60.0, 70.0, 70.1])


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.just([f"L{i + 1}" for i in range(n)]),
            st.lists(
                st.dictionaries(st.sampled_from(["P", "Q", "R", "S"]), marks, max_size=4),
                min_size=n,
                max_size=n,
            ),
        )
    ),
    st.one_of(st.none(), st.integers(1, 3)),
    st.sampled_from(["lot_order", "best_total"]),
)
def test_the_cap_holds_and_best_total_is_the_brute_force_optimum(case, cap, rule):
    lots, totals = case
    table = dict(zip(lots, totals, strict=True))
    result = allocate(lots, standings(table), cap, rule)
    held = [a.bidder_id for a in result.awards if a.bidder_id is not None]
    assert cap is None or all(held.count(b) <= cap for b in held)
    for award in result.awards:
        assert award.bidder_id is None or award.bidder_id in table[award.lot_id]
    if rule == "best_total":
        assert winners(result) == brute_force(lots, table, cap)
