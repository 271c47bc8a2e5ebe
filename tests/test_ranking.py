"""Ranking and exact ties."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tender.ranking import _order, rank


def ranks(total, quality, price, tie_break, better="lower"):
    total = np.array(total, dtype=float)
    return rank(
        total,
        np.ones(total.size, dtype=bool),
        quality=np.array(quality, dtype=float),
        price=np.array(price, dtype=float),
        price_better=better,
        tie_break=tie_break,
    )


def test_exact_ties_share_a_rank_without_a_rule():
    r, tied, still = ranks([80, 90, 80], [1, 1, 1], [1, 1, 1], [])
    assert r.tolist() == [2, 1, 2]
    assert tied.tolist() == [True, False, True]
    assert still.tolist() == [True, False, True]


def test_floating_point_noise_is_a_tie():
    r, tied, _ = ranks([0.1 + 0.2, 0.3], [1, 1], [1, 1], [])
    assert r.tolist() == [1, 1]
    assert tied.all()


def test_tie_break_by_quality_then_price():
    r, tied, still = ranks(
        [80, 80, 80], [40, 50, 50], [100, 120, 110], ["higher_quality", "better_price"]
    )
    assert r.tolist() == [3, 2, 1]
    assert tied.all()
    assert not still.any()


def test_ineligible_bids_get_rank_zero():
    total = np.array([50.0, 60.0])
    r, _, _ = rank(
        total,
        np.array([True, False]),
        quality=total,
        price=total,
        price_better="lower",
        tie_break=[],
    )
    assert r.tolist() == [1, 0]


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=40
    )
)
def test_the_fast_order_is_the_stable_sort_on_every_key(rows) -> None:
    """Sorting the totals once and only the runs of equal totals on every key gives the
    order a stable sort on all keys gives, ties kept in list order."""
    keys = [np.array(column, dtype=float) for column in zip(*rows, strict=True)]
    assert _order(keys).tolist() == np.lexsort(keys[::-1]).tolist()


@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.integers(0, 2),
            st.one_of(st.integers(0, 2).map(float), st.just(float("nan"))),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([[], ["higher_quality"], ["better_price"], ["higher_quality", "better_price"]]),
)
def test_ranks_and_tie_flags_follow_their_definitions(rows, tie_break) -> None:
    """Each eligible bid's rank is one more than the number of eligible bids ahead of it on
    total and then each tie-break; it is tied on total, or still tied after the rules,
    when another eligible bid is level with it on those keys (a missing price last)."""
    total, quality, price, eligible = (np.array(c) for c in zip(*rows, strict=True))
    eligible = eligible.astype(bool)
    got = rank(
        total.astype(float),
        eligible,
        quality=quality.astype(float),
        price=price.astype(float),
        price_better="lower",
        tie_break=tie_break,
    )

    def key(i: int) -> tuple[float, ...]:
        parts = [-float(total[i])]
        for rule in tie_break:
            parts.append(
                -float(quality[i])
                if rule == "higher_quality"
                else np.nan_to_num(price[i], nan=np.inf)
            )
        return tuple(parts)

    chosen = np.flatnonzero(eligible).tolist()
    expected_rank = [
        1 + sum(key(j) < key(i) for j in chosen) if eligible[i] else 0 for i in range(len(rows))
    ]
    level = [
        eligible[i] and any(j != i and total[j] == total[i] for j in chosen)
        for i in range(len(rows))
    ]
    still = [
        eligible[i] and any(j != i and key(j) == key(i) for j in chosen) for i in range(len(rows))
    ]
    assert got[0].tolist() == expected_rank
    assert got[1].tolist() == level
    assert got[2].tolist() == still
