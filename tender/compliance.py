"""Compliance: pass/fail requirements and minimum quality thresholds → exclusions with reasons.

Compliance comes first: price anchors use compliant bids only, so an excluded bid never
moves another bid's score. Pure; no I/O.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from .model import Requirement, Tender

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def requirement_failures(bids: pd.DataFrame, requirements: list[Requirement]) -> pd.Series:
    """Reason text per bid for every failed pass/fail requirement ('' where all passed)."""
    reasons = pd.Series("", index=bids.index, dtype=object)
    for req in requirements:
        answers = bids[req.column].astype(str).str.strip()
        text = f"failed requirement {req.id} ({req.description}): answered '" + answers + "'"
        reasons = join_reasons(reasons, text.where(~passes(bids, req), ""))
    return reasons


def passes(bids: pd.DataFrame, req: Requirement) -> pd.Series:
    """Whether each bid's answer to `req` is one of its pass values (case and spaces aside)."""
    answers = bids[req.column].astype(str).str.strip().str.casefold()
    return answers.isin([v.casefold() for v in req.pass_values])


def threshold_failures(tender: Tender, marks: FloatArray, quality: FloatArray) -> pd.Series:
    """Reason text per bid for every minimum mark or minimum quality score not reached."""
    reasons = pd.Series("", index=range(len(quality)), dtype=object)
    for i, leaf in enumerate(tender.quality.leaves()):
        if leaf.minimum_mark is None:
            continue
        column = marks[:, i]
        below = column < leaf.minimum_mark
        text = pd.Series(
            [
                f"{leaf.id} mark {m:g} is below the minimum of {leaf.minimum_mark:g}"
                for m in column[below]
            ],
            index=np.flatnonzero(below),
            dtype=object,
        )
        reasons = join_reasons(reasons, text.reindex(reasons.index, fill_value=""))
    minimum = tender.quality.minimum_score
    if minimum is not None:
        below = quality < minimum - 1e-9
        text = pd.Series(
            [f"quality score {q:.2f} is below the minimum of {minimum:g}" for q in quality[below]],
            index=np.flatnonzero(below),
            dtype=object,
        )
        reasons = join_reasons(reasons, text.reindex(reasons.index, fill_value=""))
    return reasons


def join_reasons(reasons: pd.Series, more: pd.Series) -> pd.Series:
    if reasons.index.equals(more.index) and _all_empty(more):
        return reasons.astype(object)  # the usual case: nothing to add
    both = (reasons != "") & (more != "")
    joined = reasons + np.where(both, "; ", "") + more
    return joined.astype(object)


def _all_empty(texts: pd.Series) -> bool:
    """Whether every text is '', in one join rather than a comparison per object."""
    try:
        return not "".join(texts.to_numpy(dtype=object))
    except TypeError:  # not all text
        return False
