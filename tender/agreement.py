"""How far the panel agrees: per-evaluator leniency and Krippendorff's alpha per criterion.

For the moderation meeting: the chair spends time where agreement is low and knows whose
marks run high or low. Pure; no I/O. Alpha comes from the `krippendorff` package (interval
level: marks are equally spaced numbers); its formula is checked by hand in the tests.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import krippendorff
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Leniency:
    """An evaluator's mean offset from the panel: + marks higher than colleagues, − lower."""

    evaluator_id: str
    mean_offset: float
    marks: int


@dataclass(frozen=True)
class Agreement:
    """Krippendorff's alpha for one criterion over the bids it was marked for.

    `alpha` is None when it is undefined: fewer than two bids marked by two or more
    evaluators, or every mark the same (no variation to agree about).
    """

    criterion_id: str
    alpha: float | None
    bids: int


def panel_offsets(cube: FloatArray) -> FloatArray:
    """Each mark minus the panel's mean mark for that bid and criterion (NaN if unmarked)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells stay NaN
        mean = np.nanmean(cube, axis=-1, keepdims=True)
    return np.asarray(cube - mean, dtype=np.float64)


def leniency(cube: FloatArray, evaluator_ids: list[str]) -> list[Leniency]:
    """Mean offset from the panel per evaluator, over every bid and criterion they marked.

    Only cells marked by at least two evaluators count: a lone mark has no panel to
    differ from.
    """
    shared = (~np.isnan(cube)).sum(axis=-1, keepdims=True) >= 2
    offsets = np.where(shared, panel_offsets(cube), np.nan)
    counts = (~np.isnan(offsets)).sum(axis=(0, 1))
    totals = np.nansum(offsets, axis=(0, 1))
    means = np.divide(totals, counts, out=np.full(counts.shape, np.nan), where=counts > 0)
    return [
        Leniency(evaluator, float(mean), int(count))
        for evaluator, mean, count in zip(evaluator_ids, means, counts, strict=True)
    ]


def interval_alpha(marks: FloatArray) -> float | None:
    """Krippendorff's alpha, interval metric, for an evaluators × units array (NaN = none).

    alpha = 1 − D_o / D_e: observed disagreement within units over the disagreement
    expected by chance across all pairable marks.
    """
    pairable = (~np.isnan(marks)).sum(axis=0) >= 2
    data = marks[:, pairable]
    if data.shape[1] < 2 or np.unique(data[~np.isnan(data)]).size < 2:
        return None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))


def alpha_per_criterion(cube: FloatArray, criterion_ids: list[str]) -> list[Agreement]:
    """Alpha per marked criterion; `cube` is bids × criteria × evaluators."""
    out = []
    for position, criterion in enumerate(criterion_ids):
        marks = cube[:, position, :].T  # evaluators × bids
        bids = int(((~np.isnan(marks)).sum(axis=0) >= 2).sum())
        out.append(Agreement(criterion, interval_alpha(marks), bids))
    return out
