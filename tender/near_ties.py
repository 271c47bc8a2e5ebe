"""Near-ties: compliant bids close enough to the leader to need a clarification interview.

Pure and vectorised; no I/O.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt

from .ranking import comparable

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def within_margin(total: FloatArray, ranked: BoolArray, margin: float) -> BoolArray:
    """Ranked bids whose total is within `margin` points of the leader's.

    The leader is included when at least one other bid is within the margin; a leader
    alone is not a near-tie. Gaps are compared on rounded values (see `ranking`).
    """
    flags = np.zeros(total.size, dtype=bool)
    if not ranked.any():
        return flags
    leader = total[ranked].max()
    close = ranked & (comparable(leader - total) <= comparable(np.float64(margin)))
    if close.sum() >= 2:
        flags = close
    return flags


def gap_to_leader(total: FloatArray, ranked: BoolArray) -> FloatArray:
    """Points behind the leading total (NaN for unranked bids)."""
    if not ranked.any():
        return np.full(total.size, np.nan)
    return np.where(ranked, total[ranked].max() - total, np.nan)


def total_ranges(
    price_score: FloatArray, individual: FloatArray, leaf_weights: FloatArray, scale_maximum: float
) -> tuple[FloatArray, FloatArray]:
    """Lowest and highest total per bid when each criterion ranges over its evaluators' marks.

    `individual` is bids × marked criteria × evaluators (NaN where no mark). A bid with a
    criterion nobody marked gets NaN.
    """
    unit = leaf_weights / scale_maximum
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells stay NaN
        low = np.nanmin(individual, axis=-1)
        high = np.nanmax(individual, axis=-1)
    return price_score + (low * unit).sum(axis=1), price_score + (high * unit).sum(axis=1)


def ranges_overlap(low: FloatArray, high: FloatArray, ranked: BoolArray, leader: int) -> BoolArray:
    """Ranked bids whose range of totals overlaps the leader's (the leader included if any).

    Two ranges overlap when neither lies wholly above the other: some choice of the
    evaluators' own marks would put the bids level. The relation is symmetric.
    """
    flags = np.zeros(low.size, dtype=bool)
    if not ranked.any() or np.isnan(low[leader]):
        return flags
    with np.errstate(invalid="ignore"):
        close = (
            ranked
            & (comparable(high) >= comparable(low[leader]))
            & (comparable(low) <= comparable(high[leader]))
        )
    if close.sum() >= 2:
        flags = close
    return flags


def corridor(
    total: FloatArray,
    ranked: BoolArray,
    percent: float,
    deciding: FloatArray,
) -> tuple[BoolArray, BoolArray]:
    """UfAB corridor: ranked bids within `percent` % of the leader's total, and the chosen.

    `deciding` is the pre-announced criterion as a score where higher is better (quality
    score, or price turned so that the better price is higher; NaN never wins). Returns (candidates,
    chosen); more than one chosen means the deciding criterion is itself tied.
    """
    candidates = np.zeros(total.size, dtype=bool)
    chosen = np.zeros(total.size, dtype=bool)
    if not ranked.any():
        return candidates, chosen
    leader = total[ranked].max()
    floor = leader * (1 - percent / 100)
    candidates = ranked & (comparable(total) >= comparable(np.float64(floor)))
    score = np.where(np.isnan(deciding), -np.inf, comparable(deciding))
    chosen = candidates & (score == score[candidates].max())
    return candidates, chosen
