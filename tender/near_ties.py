"""Near-ties: compliant bids close enough to the leader to need a clarification interview.

Pure and vectorised; no I/O.
"""

from __future__ import annotations

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
