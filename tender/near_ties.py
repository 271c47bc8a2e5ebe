"""Near-ties: compliant bids close enough to the leader to need a clarification interview.

Pure and vectorised; no I/O.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .model import NearTieRule
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


def apply_rules(
    rule: NearTieRule,
    *,
    total: FloatArray,
    ranked: BoolArray,
    price_score: FloatArray,
    quality_score: FloatArray,
    price: FloatArray,
    price_better: str,
    individual: FloatArray | None,
    leaf_weights: FloatArray,
    scale_maximum: float,
) -> dict[str, FloatArray | BoolArray]:
    """The evaluator-range and corridor rules as table columns (all False/NaN when off).

    `is_range_overlap`, `total_low`, `total_high`: the evaluator-range rule (needs the
    evaluators' individual marks); `is_corridor_candidate`, `is_corridor_choice`: the
    UfAB corridor, decided by the pre-announced criterion.
    """
    n = total.size
    out: dict[str, FloatArray | BoolArray] = {
        "is_range_overlap": np.zeros(n, dtype=bool),
        "total_low": np.full(n, np.nan),
        "total_high": np.full(n, np.nan),
        "is_corridor_candidate": np.zeros(n, dtype=bool),
        "is_corridor_choice": np.zeros(n, dtype=bool),
    }
    if rule.evaluator_range and individual is not None and ranked.any():
        low, high = total_ranges(price_score, individual, leaf_weights, scale_maximum)
        leader = int(np.flatnonzero(ranked)[np.argmax(total[ranked])])
        out["total_low"] = np.where(ranked, low, np.nan)
        out["total_high"] = np.where(ranked, high, np.nan)
        out["is_range_overlap"] = ranges_overlap(low, high, ranked, leader)
    if rule.corridor is not None:
        if rule.corridor.decide_by == "higher_quality":
            deciding = quality_score
        else:
            deciding = -price if price_better == "lower" else price
        candidates, chosen = corridor(total, ranked, rule.corridor.percent, deciding)
        out["is_corridor_candidate"] = candidates
        out["is_corridor_choice"] = chosen
    return out


def total_ranges(
    price_score: FloatArray, individual: FloatArray, leaf_weights: FloatArray, scale_maximum: float
) -> tuple[FloatArray, FloatArray]:
    """Lowest and highest total per bid when each criterion ranges over its evaluators' marks.

    `individual` is bids × marked criteria × evaluators (NaN where no mark). A bid with a
    criterion nobody marked gets NaN. Worked through the bids a block at a time, so the
    lowest and highest marks of a million bids are never held whole: two small buffers,
    reused, instead of two arrays the size of the marks allocated and filled once.
    """
    unit = leaf_weights / scale_maximum
    bids = individual.shape[0]
    low_total, high_total = np.empty(bids), np.empty(bids)
    for start in range(0, bids, _BLOCK):
        block = individual[start : start + _BLOCK]
        low = block[..., 0].copy()
        high = low.copy()
        for evaluator in range(1, block.shape[-1]):
            # fmin/fmax skip a missing mark (NaN) unless every evaluator's is missing
            np.fmin(low, block[..., evaluator], out=low)
            np.fmax(high, block[..., evaluator], out=high)
        low_total[start : start + _BLOCK] = low @ unit
        high_total[start : start + _BLOCK] = high @ unit
    return price_score + low_total, price_score + high_total


_BLOCK = 32_768  # bids a block: a few megabytes of marks, within the processor's caches


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
