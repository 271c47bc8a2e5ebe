"""Cell values of a vetted workbook, read from the very parts the guard vetted.

The guard and the reader must see the same bytes resolved the same way: a spreadsheet
library that opens the file again resolves part names and relationships by its own rules
(python-calamine matches names case-insensitively and lets a later duplicate win), so a
workbook could show the guard one sheet and the reader another. This module reads the few
sheets it is asked for straight from `Package.parts`, as a person sees them: a number only
when its format shows it as stored (see `numfmt`), a date when its format is a date, no
value taken from a hidden row or column, and nothing from a formula.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from xml.etree.ElementTree import Element

from ..errors import Problem, exact, shorten
from . import numfmt
from .guard import NS_MAIN, Package, Refused, parse_xml

MAX_PROBLEMS = 20
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_ROW_TAG = f"{NS_MAIN}row"
_CELL_TAG = f"{NS_MAIN}c"
_V, _F, _IS, _T, _R = (f"{NS_MAIN}{t}" for t in ("v", "f", "is", "t", "r"))
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # ECMA-376 ST_Xstring: _x000D_ is a carriage return
_EXT = f"{NS_MAIN}extLst"


@dataclass(frozen=True)
class ErrorValue:
    """An error value such as #DIV/0! or #N/A stored in a cell."""

    code: str

    def __str__(self) -> str:
        return self.code


Value = str | float | bool | datetime | date | time | ErrorValue
Grid = list[list[Value]]


def read_sheets(package: Package, names: Sequence[str]) -> dict[str, Grid]:
    """The values of the named sheets, row by row from A1, '' for an empty cell.

    Raises:
        Refused: naming each cell a person would not see as stored (a formula, a format
            that rounds, hides or replaces the value, a value in a hidden row or column).
    """
    reader = _Reader(package)
    grids = {name: reader.sheet(name) for name in names}
    if reader.problems:
        shown = reader.problems[:MAX_PROBLEMS]
        if len(reader.problems) > MAX_PROBLEMS:
            extra = len(reader.problems) - MAX_PROBLEMS
            shown.append(Problem(package.name, "", f"{extra} more problems", "a corrected file"))
        raise Refused(shown)
    return grids


@functools.lru_cache(maxsize=1 << 17)
def _position(ref: str, row: str) -> tuple[int, int] | None:
    """(row, column) from 0 of a cell reference in its row; None if it is not that row's.

    Cached: every return of one tender has the same references.
    """
    match = _REF.fullmatch(ref)
    if match is None or match.group(2) != row:
        return None
    return int(row) - 1, column_index(match.group(1))


def column_index(letters: str) -> int:
    """0-based column index of spreadsheet letters (A → 0, AA → 26)."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


class _Reader:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.problems: list[Problem] = []
        self._strings: list[str] | None = None
        self._formats: list[numfmt.Format] | None = None

    def problem(self, where: str, found: str, expected: str) -> None:
        self.problems.append(Problem(self.package.name, where, found, expected))

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            part = self.package.shared_strings
            root = None if part is None else self._parse(part)
            self._strings = [] if root is None else [_text(si) for si in root]
        return self._strings

    @property
    def formats(self) -> list[numfmt.Format]:
        if self._formats is None:
            self._formats = _cell_formats(self.package)
        return self._formats

    def sheet(self, name: str) -> Grid:
        root = self._parse(self.package.sheets[name])
        data = None if root is None else root.find(f"{NS_MAIN}sheetData")
        if root is None or root.tag != f"{NS_MAIN}worksheet" or data is None:
            self.problem(name, "a sheet in another format", "a worksheet saved by Excel")
            return []
        hidden = _Hidden.of(root) if self.package.states.get(name) == "visible" else None
        cells: dict[tuple[int, int], Value] = {}
        last = (0, -1)
        for row in data:
            number = row.get("r") if row.tag == _ROW_TAG else None
            if number is None:
                self.problem(name, "a row without a row number", "a worksheet saved by Excel")
                return []
            for cell in row:
                ref = cell.get("r") or ""
                position = _position(ref, number) if cell.tag == _CELL_TAG else None
                if position is None:
                    self.problem(
                        name,
                        f"a cell {shorten(ref)} filed under row {shorten(number)}"
                        if _REF.fullmatch(ref)
                        else "a cell without a valid reference",
                        "a worksheet saved by Excel",
                    )
                    return []
                if position <= last:
                    self.problem(
                        f"{name}!{ref}",
                        "a cell stored twice or out of order",
                        "each cell once, in order, as Excel writes them",
                    )
                    return []
                last = position
                value = self.value(f"{name}!{ref}", cell)
                if value == "":
                    continue
                cells[position] = value
                if hidden is not None and hidden.hides(*position):
                    self.problem(
                        f"{name}!{ref}",
                        "a value in a hidden row or column",
                        "every cell with content visible (show all rows and columns, clear "
                        "any filter, and save again)",
                    )
        return _grid(cells)

    def _parse(self, part: str) -> Element | None:
        """A vetted part, parsed by libxml2 with entities, DTDs and the network all off."""
        from lxml import etree

        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        try:
            return etree.fromstring(self.package.parts[part], parser)  # type: ignore[no-any-return]
        except etree.XMLSyntaxError as exc:
            self.problem(part, f"damaged XML ({shorten(exc)})", "a workbook saved by Excel")
            return None

    def value(self, where: str, cell: Element) -> Value:
        """A cell's value as displayed, or '' after recording why it cannot be read."""
        kind = cell.get("t", "n")
        raw, node = self._content(where, cell)
        style = self._style(where, cell) if raw is not None or node is not None else None
        if style is None:
            return ""
        if kind == "inlineStr":
            return self._shown_text(where, "" if node is None else _text(node), style)
        if raw is None:
            return ""
        if kind == "s":
            return self._shared(where, raw, style)
        if kind == "n":
            return self._number(where, raw, style)
        if kind == "b" and raw in ("0", "1"):
            return raw == "1"
        if kind == "e":
            return ErrorValue(raw)
        self.problem(where, f"a cell of type {shorten(kind)}", "a number, text or TRUE/FALSE")
        return ""

    def _content(self, where: str, cell: Element) -> tuple[str | None, Element | None]:
        """The stored value text and inline string of a cell; (None, None) if unreadable."""
        raw = node = None
        for child in cell:
            tag = child.tag
            if tag == _V:
                raw = child.text or ""
            elif tag == _IS:
                node = child
            elif tag == _F:
                self.problem(where, "a formula", "a value typed in (formulas are not read)")
                return None, None
            elif tag != _EXT:
                self.problem(where, "a cell with unknown content", "a value typed in")
                return None, None
        return raw, node

    def _style(self, where: str, cell: Element) -> numfmt.Format | None:
        index = cell.get("s")
        try:
            return self.formats[0 if index is None else int(index)]
        except (ValueError, IndexError):
            self.problem(where, "a cell style that does not exist", "a workbook saved by Excel")
            return None

    def _shared(self, where: str, raw: str, style: numfmt.Format) -> Value:
        try:
            index = int(raw)
            if index < 0:
                raise IndexError(index)
            return self._shown_text(where, self.strings[index], style)
        except (ValueError, IndexError):
            self.problem(where, "a reference to text that does not exist", "text typed in")
            return ""

    def _shown_text(self, where: str, text: str, style: numfmt.Format) -> str:
        if text and not style.shows_text:
            self.problem(
                where,
                f"text shown differently by the cell's format {shorten(style.code)}",
                "text shown as typed (clear the cell's number format)",
            )
            return ""
        return text

    def _number(self, where: str, raw: str, style: numfmt.Format) -> Value:
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.problem(where, f"a damaged number {shorten(raw)}", "a number typed in")
            return ""
        if style.kind in ("date", "time", "datetime"):
            moment = _serial(value, self.package.date1904, style.kind)
            if moment is None:
                self.problem(where, f"a date out of range ({value:g})", "a date typed in")
                return ""
            return moment
        if style.shows(value) is None:
            self.problem(
                where,
                f"the number {exact(value)} shown through the format {shorten(style.code)}, "
                "which displays something else",
                "a number shown as stored (clear the cell's number format, or use General)",
            )
            return ""
        return value


class _Hidden:
    """Hidden rows and columns of a sheet: nothing in them is a value anyone saw."""

    @classmethod
    def of(cls, root: Element) -> _Hidden | None:
        """The sheet's hidden rows and columns, or None when nothing is hidden."""
        hidden = cls(root)
        if hidden.default_hidden or hidden.columns or any(hidden.rows.values()):
            return hidden
        return None

    def __init__(self, root: Element) -> None:
        fmt = root.find(f"{NS_MAIN}sheetFormatPr")
        self.default_hidden = fmt is not None and fmt.get("zeroHeight") in ("1", "true")
        self.rows: dict[int, bool] = {}
        data = root.find(f"{NS_MAIN}sheetData")
        for row in data if data is not None else []:
            self.rows[_int(row.get("r")) - 1] = _row_hidden(row, self.default_hidden)
        self.columns: list[tuple[int, int]] = []
        for col in root.iterfind(f"{NS_MAIN}cols/{NS_MAIN}col"):
            if col.get("hidden") in ("1", "true") or _zero(col.get("width")):
                low, high = _int(col.get("min")), _int(col.get("max"))
                self.columns.append((low - 1, high - 1) if low > 0 else (0, 1 << 14))

    def hides(self, row: int, column: int) -> bool:
        if self.rows.get(row, self.default_hidden):
            return True
        return any(low <= column <= high for low, high in self.columns)


def _row_hidden(row: Element, default_hidden: bool) -> bool:
    if row.get("hidden") in ("1", "true") or _zero(row.get("ht")):
        return True
    if default_hidden:
        return row.get("customHeight") not in ("1", "true")
    return False


def _zero(number: str | None) -> bool:
    try:
        return number is not None and float(number) <= 0
    except ValueError:
        return False


def _text(node: Element) -> str:
    """The text a person sees in a string item: its runs, without phonetic guides."""
    text = node.findtext(_T)
    if text is None:
        text = "".join(run.findtext(_T) or "" for run in node.iterfind(_R))
    return _ESCAPE.sub(_unescape, text) if "_x" in text else text


def _unescape(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def _cell_formats(package: Package) -> list[numfmt.Format]:
    """The number format of each cell style (cellXfs), by style index."""
    if package.styles is None:
        return [numfmt.describe("General")]
    root = parse_xml(package, package.styles)
    custom = {
        _int(item.get("numFmtId")): item.get("formatCode", "")
        for item in root.iterfind(f"{NS_MAIN}numFmts/{NS_MAIN}numFmt")
    }
    formats: list[numfmt.Format] = []
    cache: dict[int, numfmt.Format] = {}
    for xf in root.iterfind(f"{NS_MAIN}cellXfs/{NS_MAIN}xf"):
        number = _int(xf.get("numFmtId", "0"))
        if number not in cache:
            code = custom.get(number, numfmt.BUILTIN.get(number, ""))
            cache[number] = (
                numfmt.describe(code, number) if code or number in numfmt.BUILTIN_DATES
                else numfmt.Format(f"unknown format {number}", "other")
            )  # fmt: skip
        formats.append(cache[number])
    return formats or [numfmt.describe("General")]


def _int(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return -1


def _serial(value: float, date1904: bool, kind: str) -> datetime | date | time | None:
    """Excel's serial day number as a date, time or both (1900 or 1904 date system)."""
    if not 0 <= value < 2_958_466:  # 9999-12-31
        return None
    if date1904:
        base = datetime(1904, 1, 1)
    else:  # the 1900 system counts a 29 February 1900 that never was
        base = datetime(1899, 12, 31) if value < 60 else datetime(1899, 12, 30)
    moment = base + timedelta(days=value)
    moment = moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))
    if kind == "time" and value < 1:
        return moment.time()
    if kind == "date" and value == int(value):
        return moment.date()
    return moment


def _grid(cells: dict[tuple[int, int], Value]) -> Grid:
    if not cells:
        return []
    height = max(r for r, _ in cells) + 1
    width = max(c for _, c in cells) + 1
    grid: Grid = [[""] * width for _ in range(height)]
    for (row, column), value in cells.items():
        grid[row][column] = value
    return grid
