"""Quality scores: weight × mark ÷ scale maximum, rolled up through the criteria tree.

Pure and vectorised over bids; no I/O.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .model import Criterion, QualitySpec

FloatArray = npt.NDArray[np.float64]


def leaf_weights(spec: QualitySpec) -> FloatArray:
    """Weights of the marked criteria, in `QualitySpec.leaves()` order."""
    return np.array([leaf.weight for leaf in spec.leaves()], dtype=np.float64)


def weighted_scores(marks: FloatArray, spec: QualitySpec) -> FloatArray:
    """Per bid and marked criterion: weight × mark / scale maximum (bids × leaves)."""
    return marks * (leaf_weights(spec) / spec.scale.maximum)


def quality_scores(marks: FloatArray, spec: QualitySpec) -> FloatArray:
    """Quality score per bid: Σ weight × mark / scale maximum over the marked criteria."""
    return total(weighted_scores(marks, spec))


def total(weighted: FloatArray) -> FloatArray:
    """Quality score per bid from its weighted scores (`weighted_scores`)."""
    return np.asarray(weighted.sum(axis=1), dtype=np.float64)


def rolled_up(
    marks: FloatArray, spec: QualitySpec, weighted: FloatArray | None = None
) -> dict[str, FloatArray]:
    """Weighted score per bid for every criterion at every level, keyed by criterion id.

    A parent's score is the sum of its sub-criteria's scores, so every level adds up.
    `weighted`, when the caller has it, is `weighted_scores(marks, spec)` already worked out.
    """
    leaf_ids = [leaf.id for leaf in spec.leaves()]
    leaf_scores = weighted_scores(marks, spec) if weighted is None else weighted
    column = {cid: leaf_scores[:, i] for i, cid in enumerate(leaf_ids)}

    def total(criterion: Criterion) -> FloatArray:
        if criterion.id not in column:
            column[criterion.id] = np.sum([total(c) for c in criterion.sub_criteria], axis=0)
        return column[criterion.id]

    for criterion in spec.criteria:
        total(criterion)
    return {c.id: column[c.id] for c in spec.all_criteria()}
