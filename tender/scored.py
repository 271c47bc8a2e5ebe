"""What the kernels may read of an evaluation, so that none of them imports scoring.

`scoring.Evaluation` has these fields; a kernel that describes an evaluation (the notes,
the abnormal-price screen) asks for this shape instead of the class, and the layers stay
one-way: scoring calls the kernels, never the other way round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from .model import Tender


@runtime_checkable
class Scored(Protocol):
    """An evaluation as the kernels read it: one row per bid, the consensus marks."""

    @property
    def tender(self) -> Tender: ...

    @property
    def table(self) -> pd.DataFrame: ...

    @property
    def consensus(self) -> npt.NDArray[np.float64]: ...

    @property
    def criterion_scores(self) -> dict[str, npt.NDArray[np.float64]]: ...

    @property
    def provisional(self) -> bool: ...

    @property
    def excluded_marks(self) -> dict[tuple[str, str], str]: ...
