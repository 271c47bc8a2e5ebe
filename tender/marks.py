"""Bulk mark tables: columnar checks, then scatter into bid × criterion arrays.

Long tables (one row per mark) are checked a column at a time, never one object per
row, and turned into dense arrays indexed by integer codes. Problems name the row and
say what was found and expected. No file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import Problem, shorten
from .model import Scale

MAX_PROBLEMS_PER_FILE = 200
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Axis:
    """One id column's allowed values, in a fixed order that defines the codes."""

    column: str
    label: str
    ids: pd.Index

    def codes(self, values: pd.Series) -> IntArray:
        """Integer code per row; -1 where the id is unknown.

        Categorical columns are recoded through their categories (fast for millions of
        rows); other columns are looked up value by value.
        """
        if isinstance(values.dtype, pd.CategoricalDtype):
            mapping = self.ids.get_indexer(values.cat.categories.astype(str))
            raw = values.cat.codes.to_numpy()
            out = np.where(raw >= 0, mapping[np.maximum(raw, 0)], -1)
            return out.astype(np.int64, copy=False)
        return self.ids.get_indexer(values.astype(str)).astype(np.int64, copy=False)


class ProblemList:
    """Collects problems for one file, capping the count so a broken file stays readable."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []
        self.dropped = 0

    def add(self, where: str, found: str, expected: str) -> None:
        if len(self.items) < MAX_PROBLEMS_PER_FILE:
            self.items.append(Problem(self.file, where, found, expected))
        else:
            self.dropped += 1

    def done(self) -> list[Problem]:
        if self.dropped:
            self.items.append(
                Problem(self.file, "", f"{self.dropped} more problems", "a corrected file")
            )
        return self.items


def row_label(frame: pd.DataFrame, position: int, axes: list[Axis], first_line: int) -> str:
    """'line 14 (bidder C, criterion Q2, evaluator E3)' for a row position."""
    parts = []
    for axis in axes:
        if axis.column in frame.columns:
            parts.append(f"{axis.label} {frame[axis.column].iat[position]}")
    context = f" ({', '.join(parts)})" if parts else ""
    return f"line {position + first_line}{context}"


def require_columns(frame: pd.DataFrame, columns: list[str], problems: ProblemList) -> bool:
    """Report missing columns; True if all are present."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems.add(
            "header",
            f"columns {', '.join(map(str, frame.columns)) or 'none'}",
            f"columns {', '.join(columns)} (missing: {', '.join(missing)})",
        )
    return not missing


def numeric_marks(
    frame: pd.DataFrame,
    column: str,
    scale: Scale,
    axes: list[Axis],
    first_line: int,
    problems: ProblemList,
) -> FloatArray:
    """The mark column as floats, reporting blanks, text and marks off the scale."""
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = raw.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        text = None
    else:
        text = raw.astype(str).str.strip()
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, copy=True)
    bad = ~np.isfinite(values)
    for pos in np.flatnonzero(bad):
        found = "no mark" if text is None or text.iat[pos] == "" else shorten(text.iat[pos])
        problems.add(row_label(frame, pos, axes, first_line), found, scale.describe())
    off = ~bad & ~on_scale(values, scale)
    for pos in np.flatnonzero(off):
        problems.add(
            row_label(frame, pos, axes, first_line),
            f"mark {values[pos]:g}",
            scale.describe(),
        )
    values[bad | off] = np.nan
    return values


def on_scale(values: FloatArray, scale: Scale) -> npt.NDArray[np.bool_]:
    """Vectorised `Scale.allows`."""
    with np.errstate(invalid="ignore"):
        inside = (values >= scale.minimum) & (values <= scale.maximum)
        if scale.step is None:
            return inside
        units = (values - scale.minimum) / scale.step
        return inside & np.isclose(units, np.round(units), rtol=0, atol=1e-9)


def id_codes(
    frame: pd.DataFrame, axes: list[Axis], first_line: int, problems: ProblemList
) -> list[IntArray]:
    """Codes for each id column, reporting every unknown id with its row."""
    out = []
    for axis in axes:
        codes = axis.codes(frame[axis.column])
        for pos in np.flatnonzero(codes < 0):
            value = frame[axis.column].iat[pos]
            problems.add(
                row_label(frame, pos, axes, first_line),
                f"unknown {axis.label} {shorten(value)}",
                f"one of {_preview(axis.ids)}",
            )
        out.append(codes)
    return out


def _preview(ids: pd.Index, limit: int = 12) -> str:
    shown = ", ".join(map(str, ids[:limit]))
    return shown + (f" … ({len(ids)} in all)" if len(ids) > limit else "")


def scatter(
    codes: list[IntArray],
    values: FloatArray,
    axes: list[Axis],
    frame: pd.DataFrame,
    first_line: int,
    problems: ProblemList,
) -> tuple[FloatArray, IntArray]:
    """Place each usable row's value at its cell of a dense array of the axes' shape.

    Returns the array (NaN where nothing was given) and the count of rows per cell; rows
    that share a cell are reported as duplicates.
    """
    shape = tuple(len(a.ids) for a in axes)
    usable = np.ones(len(values), dtype=bool)
    for c in codes:
        usable &= c >= 0
    flat = np.zeros(len(values), dtype=np.int64)
    for c, size in zip(codes, shape, strict=True):
        flat = flat * size + c
    flat_usable = flat[usable]
    cells = int(np.prod(shape))
    counts = np.bincount(flat_usable, minlength=cells)
    if counts.size and counts.max() > 1:
        positions = np.flatnonzero(usable)
        duplicated = counts[flat_usable] > 1
        first_of_cell: dict[int, int] = {}
        for pos, key in zip(positions[duplicated], flat_usable[duplicated], strict=True):
            if key in first_of_cell:
                problems.add(
                    row_label(frame, int(pos), axes, first_line),
                    "a second row for the same "
                    + ", ".join(a.label for a in axes)
                    + f" (first at line {first_of_cell[key] + first_line})",
                    "one row each",
                )
            else:
                first_of_cell[key] = int(pos)
    dense = np.full(cells, np.nan)
    dense[flat_usable] = values[usable]
    return dense.reshape(shape), counts.reshape(shape)


def report_gaps(
    counts: IntArray, required: npt.NDArray[np.bool_], axes: list[Axis], problems: ProblemList
) -> None:
    """Report every required cell with no row: 'no row for bidder C, criterion Q2'."""
    missing = np.argwhere((counts == 0) & required)
    for index in missing:
        where = ", ".join(f"{a.label} {a.ids[i]}" for a, i in zip(axes, index, strict=True))
        problems.add(
            "", f"no row for {where}", "a row for every " + ", ".join(a.label for a in axes)
        )
