"""Consensus marks: the panel's moderated marks, or a PROVISIONAL rule when none exist.

Moderated marks are what the panel agreed and are never replaced by a formula. When they
are missing the named provisional rule below is used and every output says so. No I/O.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt

from .model import Tender

FloatArray = npt.NDArray[np.float64]
PROVISIONAL_RULE = "median of the evaluators' marks"


def median_marks(cube: FloatArray) -> FloatArray:
    """Median over evaluators (last axis), ignoring evaluators who gave no mark."""
    if cube.shape[-1] == 3 and not np.isnan(cube).any():
        return _median_of_three(cube)
    if not np.isnan(cube).any():
        return np.median(cube, axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells stay NaN
        return np.nanmedian(cube, axis=-1)


def _median_of_three(cube: FloatArray) -> FloatArray:
    """The usual panel of three: median = max(min(a, b), min(max(a, b), c)), exact.

    A block of bids at a time into the result, so the working arrays stay small and are
    reused rather than three arrays the size of the marks allocated for each step.
    """
    out = np.empty(cube.shape[:-1])
    low, high = np.empty((0,)), np.empty((0,))
    for start in range(0, cube.shape[0], _BLOCK):
        a, b, c = (cube[start : start + _BLOCK, ..., k] for k in range(3))
        if low.shape != a.shape:
            low, high = np.empty(a.shape), np.empty(a.shape)
        np.minimum(a, b, out=low)
        np.maximum(a, b, out=high)
        np.minimum(high, c, out=high)
        np.maximum(low, high, out=out[start : start + _BLOCK])
    return out


_BLOCK = 32_768  # bids a block: a few megabytes of marks, within the processor's caches
_CELLS = 1 << 18  # marks a block


def spreads(cube: FloatArray) -> FloatArray:
    """Highest minus lowest evaluator mark per bid and criterion (NaN if unmarked)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmax(cube, axis=-1) - np.nanmin(cube, axis=-1), dtype=np.float64)


def default_spread_flag(scale_minimum: float, scale_maximum: float) -> float:
    """Spread that needs discussion when the tender sets none: 3 on 0-10, 2 on 0-5.

    Rounded 30% of the scale's range, at least 1 mark.
    """
    span = scale_maximum - scale_minimum
    return float(max(1.0, np.floor(0.3 * span + 0.5)))


# Marks closer than this are the same mark: steps such as 0.1 are not exact in binary, so a
# consensus typed as 0.3 must equal a median computed as 0.30000000000000004. Used for every
# comparison below, by collect, moderate, score and the report alike.
TOLERANCE = 1e-9


def differs_from_median(consensus: npt.ArrayLike, median: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Where a consensus mark differs from the evaluators' median (and so needs a reason).

    A consensus with no median to compare (NaN) counts as differing; a missing consensus
    never does.
    """
    mark, middle = np.broadcast_arrays(
        np.asarray(consensus, dtype=np.float64), np.asarray(median, dtype=np.float64)
    )
    out = np.empty(mark.shape, dtype=bool)
    flat_mark, flat_middle, flat_out = mark.reshape(-1), middle.reshape(-1), out.reshape(-1)
    for start in range(0, flat_out.size, _CELLS):  # a block at a time, as above
        at = slice(start, start + _CELLS)
        gap = np.abs(flat_mark[at] - flat_middle[at])
        with np.errstate(invalid="ignore"):
            apart = ~(gap <= TOLERANCE)
        flat_out[at] = apart & ~np.isnan(flat_mark[at])
    return out


def needs_discussion(spread: npt.ArrayLike, threshold: float) -> npt.NDArray[np.bool_]:
    """Where the evaluators' spread reaches the tender's discussion threshold."""
    gap = np.asarray(spread, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray(gap >= threshold - TOLERANCE, dtype=bool)


def spread_threshold(tender: Tender) -> float:
    """The spread that flags a row for discussion: the tender's, or 3 on 0-10, 2 on 0-5."""
    spec = tender.quality
    if spec.moderation.spread_flag is not None:
        return spec.moderation.spread_flag
    return default_spread_flag(spec.scale.minimum, spec.scale.maximum)
