"""Ranking with a stated rule for exact ties. Pure and vectorised; no I/O.

Totals are compared after rounding to `TIE_DECIMALS` places so that two totals equal on
paper but a rounding error apart in binary floating point are treated as the tie they are.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .model import TieBreak

TIE_DECIMALS = 9
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def comparable(values: npt.ArrayLike) -> FloatArray:
    """Values rounded for equality tests (see module docstring)."""
    return np.asarray(
        np.round(np.asarray(values, dtype=np.float64), TIE_DECIMALS), dtype=np.float64
    )


def rank(
    total: FloatArray,
    eligible: BoolArray,
    *,
    quality: FloatArray,
    price: FloatArray,
    price_better: str,
    tie_break: list[TieBreak],
) -> tuple[IntArray, BoolArray, BoolArray]:
    """Rank eligible bids by total, highest first (1 = best); others get rank 0.

    Equal totals are ordered by each `tie_break` rule in turn; bids still equal share
    the better rank ("1, 1, 3"). Returns (rank, tied on total, still tied after tie-break).
    """
    n = total.size
    ranks = np.zeros(n, dtype=np.int64)
    tied_total = np.zeros(n, dtype=bool)
    tied_after = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(eligible)
    if idx.size == 0:
        return ranks, tied_total, tied_after
    keys = sort_keys(
        total[idx],
        quality=quality[idx],
        price=price[idx],
        price_better=price_better,
        tie_break=tie_break,
    )
    order = _order(keys)
    primary = keys[0][order]
    same_total = np.zeros(idx.size, dtype=bool)
    same_total[1:] = primary[1:] == primary[:-1]
    new_group = ~same_total
    later = np.flatnonzero(same_total)  # only a bid level on total can share a group
    for key in keys[1:]:
        new_group[later] |= key[order[later]] != key[order[later - 1]]
    positions = np.arange(1, idx.size + 1)
    group_rank = np.maximum.accumulate(np.where(new_group, positions, 0))
    ranks[idx[order]] = group_rank
    tied_after[idx[order]] = _equal_to_a_neighbour(~new_group)
    tied_total[idx[order]] = _equal_to_a_neighbour(same_total)
    return ranks, tied_total, tied_after


def _order(keys: list[FloatArray]) -> IntArray:
    """Positions in rank order: by the first key, then each next key among equals, then
    list order (as a stable sort on every key gives it).

    One plain sort of the totals orders every bid whose total no other bid shares; only
    the runs of equal totals are then sorted on all keys, in place. On a million bids
    this is several times faster than a stable sort on every key.
    """
    order = np.argsort(keys[0])
    primary = keys[0][order]
    equal = primary[1:] == primary[:-1]
    if not equal.any():
        return order
    in_run = np.zeros(primary.size, dtype=bool)
    in_run[1:] |= equal
    in_run[:-1] |= equal
    places = np.flatnonzero(in_run)
    members = np.sort(order[places])  # list order, so the stable sort keeps it among equals
    order[places] = members[np.lexsort([key[members] for key in keys[::-1]])]
    return order


def sort_keys(
    total: FloatArray,
    *,
    quality: FloatArray,
    price: FloatArray,
    price_better: str,
    tie_break: list[TieBreak],
) -> list[FloatArray]:
    """The keys `rank` orders bids by, most significant first; smaller is better.

    The rounded total, then each stated tie-break (higher quality; better price, a
    missing price last). Bids whose keys are all equal share a rank.
    """
    keys: list[FloatArray] = [-comparable(total)]
    for rule in tie_break:
        if rule == "higher_quality":
            keys.append(-comparable(quality))
        else:
            signed = price if price_better == "lower" else -price
            keys.append(np.where(np.isnan(signed), np.inf, comparable(signed)))
    return keys


def _equal_to_a_neighbour(same_as_previous: BoolArray) -> BoolArray:
    """In a sorted run, True where a value equals the one before or the one after."""
    after = np.zeros_like(same_as_previous)
    after[:-1] = same_as_previous[1:]
    return same_as_previous | after
