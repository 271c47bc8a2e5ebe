"""Bulk mark tables: columnar checks, then scatter into bid × criterion arrays.

Long tables (one row per mark) are checked a column at a time, never one object per
row, and turned into dense arrays indexed by integer codes. Problems name the row and
say what was found and expected. No file I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import Problem, exact, shorten
from .model import Scale, _is_dyadic

MAX_PROBLEMS_PER_FILE = 200
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


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
            categories = values.cat.categories
            # the categorical's own codes, read, not copied (small ints; widened when combined)
            raw: IntArray = values.array.codes
            if categories.equals(self.ids):
                return raw
            mapping = self.ids.get_indexer(categories.astype(str))
            # a trailing -1 makes the categorical's own -1 (missing) map to unknown
            return np.append(mapping, -1)[raw]
        return self.ids.get_indexer(pd.Index(values.astype(str)))


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

    @property
    def room(self) -> int:
        """How many more problems will be kept: callers stop building messages past it."""
        return max(0, MAX_PROBLEMS_PER_FILE - len(self.items))

    def skip(self, count: int) -> None:
        """Count `count` further problems without building their messages."""
        self.dropped += max(0, count)

    def done(self) -> list[Problem]:
        """The problems in file order (by line), then those that name no line."""
        self.items.sort(key=_line_order)
        if self.dropped:
            self.items.append(
                Problem(self.file, "", f"{self.dropped} more problems", "a corrected file")
            )
        return self.items


def _line_order(problem: Problem) -> tuple[int, int]:
    found = re.match(r"line (\d+)", problem.where)
    return (0, int(found.group(1))) if found else (1, 0)


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
        values = raw.to_numpy(dtype=np.float64, na_value=np.nan)  # read, never written
        text = None
    else:
        text = raw.astype(str).str.strip()
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    positions = _off_scale(values, scale)
    if not positions.size:
        return values
    problems.skip(len(positions) - problems.room)
    for pos in positions[: problems.room]:
        label = row_label(frame, int(pos), axes, first_line)
        if np.isfinite(values[pos]) or text is None:
            problems.add(label, f"mark {exact(values[pos])}", scale.describe())
        else:
            typed = str(text.iat[int(pos)])
            problems.add(label, "no mark" if typed == "" else shorten(typed), scale.describe())
    kept = values.copy()
    kept[positions] = np.nan
    return kept


def _off_scale(values: FloatArray, scale: Scale) -> IntArray:
    """Positions of the marks `on_scale` refuses, a block at a time: the check's few
    temporaries then stay in the processor's cache, about twice as fast on tens of
    millions of marks as whole-column passes."""
    found = [
        np.flatnonzero(~on_scale(values[start : start + _CHECKED], scale)) + start
        for start in range(0, values.size, _CHECKED)
    ]
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


_CHECKED = 1 << 16  # marks a block when checking them against the scale


def on_scale(values: FloatArray, scale: Scale) -> npt.NDArray[np.bool_]:
    """Vectorised `Scale.allows`."""
    with np.errstate(invalid="ignore", over="ignore"):
        if scale.step is None:
            return np.asarray((values >= scale.minimum) & (values <= scale.maximum), dtype=bool)
        steps = round((scale.maximum - scale.minimum) / scale.step)
        if _is_dyadic(scale.step) and _is_dyadic(scale.minimum) and steps < 2**15:
            # Steps such as 1, 0.5 or 0.25 are exact in binary, so a mark is allowed exactly
            # when its step count is a whole number in range. Casting to int16 and comparing
            # back tests both in a few cheap passes; NaN, infinities and values that wrap
            # around int16 never compare equal to their cast.
            units = values if scale.minimum == 0 else values - scale.minimum
            if scale.step != 1:
                units = units * (1 / scale.step)
            whole = units.astype(np.int16)
            allowed = whole == units
            allowed &= whole >= 0
            allowed &= whole <= steps
            return np.asarray(allowed, dtype=bool)
        units = (values - scale.minimum) / scale.step
        inside = (values >= scale.minimum) & (values <= scale.maximum)
        return np.asarray(inside & (np.abs(units - np.rint(units)) <= 1e-9), dtype=bool)


def id_codes(
    frame: pd.DataFrame, axes: list[Axis], first_line: int, problems: ProblemList
) -> list[IntArray]:
    """Codes for each id column, reporting every unknown id with its row."""
    out = []
    for axis in axes:
        codes = axis.codes(frame[axis.column])
        known = codes.min(initial=0) >= 0  # the usual case: one pass, no search
        unknown = np.empty(0, dtype=np.int64) if known else np.flatnonzero(codes < 0)
        problems.skip(len(unknown) - problems.room)
        for pos in unknown[: problems.room]:
            value = frame[axis.column].iat[int(pos)]
            problems.add(
                row_label(frame, int(pos), axes, first_line),
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
    *,
    outermost: int = 0,
) -> tuple[FloatArray, BoolArray]:
    """Place each usable row's value at its cell of a dense array of the axes' shape.

    Returns the array (NaN where nothing was given) and which cells have a row; rows that
    share a cell are reported as duplicates. The duplicate check is on the codes: a cell
    written twice shows as fewer cells filled than rows placed, and only then are the
    rows counted cell by cell to name them.

    `outermost` names the axis laid out outermost in memory; the array is indexed in the
    axes' order whatever the layout. The marks cube puts the evaluators outermost, so
    that each evaluator's bids × criteria marks are one contiguous block: the median,
    spreads and ranges across evaluators then run on whole blocks, several times faster
    than on every third number.
    """
    shape = tuple(len(a.ids) for a in axes)
    layout = [outermost] + [i for i in range(len(axes)) if i != outermost]
    usable, placed = None, codes
    if any(c.min(initial=0) < 0 for c in codes):
        usable = np.logical_and.reduce([c >= 0 for c in codes])
        placed = [c[usable] for c in codes]
        values = values[usable]
    cells = int(np.prod(shape))
    dense = np.full(cells, np.nan)
    marked = not np.isnan(values).any()
    filled = np.empty(0, dtype=bool) if marked else np.zeros(cells, dtype=bool)
    # a block of rows at a time: each block's cell numbers are a few megabytes, reused,
    # rather than one array of eight bytes a row
    for start in range(0, values.size, _ROWS):
        flat = _cell_numbers([c[start : start + _ROWS] for c in placed], shape, layout)
        dense[flat] = values[start : start + _ROWS]
        if not marked:  # rows without a usable mark still fill their cell
            filled[flat] = True
    if marked:
        filled = ~np.isnan(dense)
    if np.count_nonzero(filled) < values.size:
        _report_duplicates(codes, shape, usable, axes, frame, first_line, problems)
    order = [shape[i] for i in layout]
    back = np.argsort(layout)
    return dense.reshape(order).transpose(back), filled.reshape(order).transpose(back)


_ROWS = 1 << 19  # rows a block when scattering


def _cell_numbers(codes: list[IntArray], shape: tuple[int, ...], layout: list[int]) -> IntArray:
    """Each row's cell as one number, the axes taken in `layout` order (outermost first)."""
    flat = codes[layout[0]].astype(np.int64)
    for axis in layout[1:]:
        flat *= shape[axis]
        flat += codes[axis]
    return flat


def _report_duplicates(
    codes: list[IntArray],
    shape: tuple[int, ...],
    usable: BoolArray | None,
    axes: list[Axis],
    frame: pd.DataFrame,
    first_line: int,
    problems: ProblemList,
) -> None:
    """Name every later row for a cell already given, with the line of the first."""
    flat = _cell_numbers(codes, shape, list(range(len(shape))))
    if usable is not None:
        flat = np.where(usable, flat, -1)
    cells = pd.Series(flat)
    later = np.flatnonzero(cells.duplicated().to_numpy() & (flat >= 0))
    problems.skip(len(later) - problems.room)
    later = later[: problems.room]
    if not later.size:
        return
    firsts = cells[flat >= 0].drop_duplicates()
    first_of_cell = dict(zip(firsts.to_numpy().tolist(), firsts.index.tolist(), strict=True))
    for pos in later.tolist():
        problems.add(
            row_label(frame, pos, axes, first_line),
            "a second row for the same "
            + ", ".join(a.label for a in axes)
            + f" (first at line {first_of_cell[int(flat[pos])] + first_line})",
            "one row each",
        )


def report_gaps(
    filled: BoolArray, required: BoolArray, axes: list[Axis], problems: ProblemList
) -> None:
    """Report every required cell with no row: 'no row for bidder C, criterion Q2'."""
    if filled.all():  # the usual case: one pass, no search for gaps
        return
    missing = np.argwhere(~filled & required)
    room = problems.room
    for index in missing[:room]:
        where = ", ".join(f"{a.label} {a.ids[i]}" for a, i in zip(axes, index, strict=True))
        problems.add(
            "", f"no row for {where}", "a row for every " + ", ".join(a.label for a in axes)
        )
    problems.skip(len(missing) - room)
