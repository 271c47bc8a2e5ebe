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

import bisect
import functools
import math
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate, compress, repeat
from xml.etree.ElementTree import Element

from ..errors import Problem, exact, shorten
from . import numfmt, sheet_scan
from .guard import NS_MAIN, Package, Refused, parse_xml
from .sheet_scan import column_index

MAX_PROBLEMS = 20
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_ROW_TAG = f"{NS_MAIN}row"
_CELL_TAG = f"{NS_MAIN}c"
_V, _F, _IS, _T, _R = (f"{NS_MAIN}{t}" for t in ("v", "f", "is", "t", "r"))
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # ECMA-376 ST_Xstring: _x000D_ is a carriage return
_EXT = f"{NS_MAIN}extLst"
# a text cell's tail as the scan matches it: a head, then <is><t>text</t></is></c> for an
# inline string or ><v>index</v></c> for a shared one
_PLAIN_HEAD = re.compile(r'(?: s="([0-9]{1,9})")? t="(?:inlineStr">|s")')
_INLINE_OPEN, _INLINE_CLOSE = "<is><t>", "</t></is></c>"
_SHARED_OPEN, _SHARED_CLOSE = "><v>", "</v></c>"


@dataclass(frozen=True)
class ErrorValue:
    """An error value such as #DIV/0! or #N/A stored in a cell."""

    code: str

    def __str__(self) -> str:
        return self.code


Value = str | float | bool | datetime | date | time | ErrorValue
Grid = list[list[Value]]


def read_sheets(
    package: Package, names: Sequence[str], *, hidden_rows: bool = False
) -> dict[str, Grid]:
    """The values of the named sheets, row by row from A1, '' for an empty cell.

    `hidden_rows` allows values in hidden rows and columns (a filtered moderation
    workbook); a returned marking workbook never has them.

    Raises:
        Refused: naming each cell a person would not see as stored (a formula, a format
            that rounds, hides or replaces the value, a value in a hidden row or column).
    """
    reader = _Reader(package, check_hidden=not hidden_rows)
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


def _shape(cell: Element, count: int) -> tuple[str | None, str | None, str] | None:
    """(type, style, stored text) of a cell holding one stored value or one inline string,
    the shapes Excel, LibreOffice and openpyxl write; None for any other."""
    if count != 1:
        return None
    child = cell[0]
    tag = child.tag
    if tag == _V:
        return (cell.get("t"), cell.get("s"), child.text or "")
    if tag == _IS and cell.get("t") == "inlineStr":
        return ("inlineStr", cell.get("s"), _text(child))
    return None


class _Reader:
    def __init__(self, package: Package, *, check_hidden: bool = True) -> None:
        self.package = package
        self.check_hidden = check_hidden
        self.problems: list[Problem] = []
        self._strings: list[str] | None = None
        self._formats: list[Style] | None = None
        # (type, style, stored text) → (value, style), for cells read without a problem
        self._seen: dict[tuple[str | None, str | None, str], tuple[Value, Style | None]] = {}
        # the same, by a scanned cell's tail: its attributes after r, and its content
        self._scanned_seen: dict[str, tuple[Value, Style | None]] = {}

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
    def formats(self) -> list[Style]:
        if self._formats is None:
            self._formats = _cell_formats(self.package)
        return self._formats

    def sheet(self, name: str) -> Grid:
        part = self.package.sheets[name]
        scans = self.package.scans  # scanned by the guard, from the same bytes
        scanned = scans[part] if part in scans else sheet_scan.scan(self.package.parts[part])
        grid = None if scanned is None else self._scanned(name, scanned)
        if grid is not None:
            return grid
        root = self._parse(self.package.sheets[name])
        data = self._rows_block(name, root)
        if root is None or data is None:
            return []
        visible = self.package.states.get(name) == "visible"
        hidden = _Hidden.of(root) if visible and self.check_hidden else None
        cells: dict[tuple[int, int], Value] = {}
        last = (0, -1)
        last_row = width = 0
        for row in data:
            number = row.get("r") if row.tag == _ROW_TAG else None
            at = _int(number)
            if number is None or at <= last_row:
                return self._misplaced(name, f"{name}!row {number}" if number else name, None)
            last_row = at
            read = self._row(name, row, number, last, cells, visible, hidden)
            if read is None:
                return []
            last, width = read[0], max(width, read[1])
        return _grid(cells, width + 1)

    def _rows_block(self, name: str, root: Element | None) -> Element | None:
        """The worksheet's one <sheetData>; None, with the problem recorded, for a sheet in
        another format or with a second block of rows (readers differ on which is read)."""
        data = None if root is None else root.find(f"{NS_MAIN}sheetData")
        if root is None or root.tag != f"{NS_MAIN}worksheet" or data is None:
            self.problem(name, "a sheet in another format", "a worksheet saved by Excel")
            return None
        if len(root.findall(f"{NS_MAIN}sheetData")) > 1:
            self.problem(name, "two blocks of rows", "one, as Excel writes it")
            return None
        return data

    def _scanned(self, name: str, scanned: sheet_scan.Scanned) -> Grid | None:
        """The sheet read from its scanned rows and cells, exactly as `sheet` reads its tree,
        when every cell reads without a problem; None otherwise (nothing is recorded then,
        and the parser reads the sheet and names each problem)."""
        root = _skeleton(scanned.skeleton)
        rows = None if root is None else scanned.rows
        if root is None or rows is None:
            return None
        visible = self.package.states.get(name) == "visible"
        hidden = _Hidden.of(root, rows) if visible and self.check_hidden else None
        before = len(self.problems)
        self._scanned_seen = {}  # what a tail shows depends on the sheet's visibility
        shown = self._scanned_values(name, rows, visible)
        values = None if shown is None else list(map(shown.__getitem__, rows.tails))
        grid = None if values is None else _scanned_grid(rows, values)
        if (
            grid is None
            or len(self.problems) != before
            or (hidden is not None and _any_hidden(grid, hidden))
        ):
            del self.problems[before:]
            return None
        return grid

    def _scanned_values(
        self, name: str, rows: sheet_scan.Placed, visible: bool
    ) -> dict[str, Value] | None:
        """What each distinct cell tail of the sheet shows ('' for an empty cell, whatever
        its style), read once per tail; None at the first tail that cannot be read without
        a problem (the parser then reads the sheet, and names the cell)."""
        shown: dict[str, Value] = {}
        before = len(self.problems)
        heads: dict[str, bool] = {}  # whether plain texts after each head show as stored
        for tail in dict.fromkeys(rows.tails):  # in sheet order, each once
            if tail.endswith("/>"):  # nothing stored: an empty cell, whatever its style
                shown[tail] = ""
                continue
            text = self._plain_text(tail, heads, visible)
            if text is not None:
                shown[tail] = text
                continue
            found = self._scanned_seen.get(tail) or self._first_scanned(name, tail, before, visible)
            if not found:
                return None  # a shape the parser reads, or a cell with a problem
            shown[tail] = found[0]
        return shown

    def _plain_text(self, tail: str, heads: dict[str, bool], visible: bool) -> str | None:
        """The text of a text cell (an inline string, or a shared one) as `_first_scanned`
        reads it, when it is not empty, has no escapes and the cell's style shows text as
        stored and seen; None otherwise.

        Most tails of a sheet are such texts, nearly every one different (justifications),
        while their heads (style and type) are few: each head is judged once, and each
        text taken as it is, without the steps `_first_scanned` takes for any shape.
        """
        if tail.endswith(_INLINE_CLOSE):  # a tail matched by the scan: no '<' in its text
            head, opened, text = tail[: -len(_INLINE_CLOSE)].partition(_INLINE_OPEN)
            if not opened or not text or "&" in text or "_x" in text:
                return None  # an empty text or an escape: read as the parser reads them
            shared = False
        elif tail.endswith(_SHARED_CLOSE):
            head, opened, text = tail[: -len(_SHARED_CLOSE)].partition(_SHARED_OPEN)
            shared = True
        else:
            return None
        shows = heads.get(head)
        if shows is None:
            shows = heads[head] = self._head_shows_text(head, visible)
        if not shows or not opened:
            return None
        if shared:  # the shared strings are read only for a shared string cell, as before
            index = _int(text)
            text = self.strings[index] if 0 <= index < len(self.strings) else ""
        return text or None

    def _head_shows_text(self, head: str, visible: bool) -> bool:
        """Whether a text cell of this head (` s="9" t="inlineStr">`, ` s="9" t="s"`) shows
        its text as stored: its style exists, shows text as typed, and (on a visible sheet)
        in a colour and size that can be seen."""
        match = _PLAIN_HEAD.fullmatch(head)
        number = -1 if match is None else 0 if match.group(1) is None else _int(match.group(1))
        if not 0 <= number < len(self.formats):
            return False
        style = self.formats[number]
        return style.format.shows_text and (not visible or style.unseen is None)

    def _first_scanned(
        self, where: str, tail: str, before: int, visible: bool
    ) -> tuple[Value, Style | None] | None:
        """A scanned cell whose tail (`sheet_scan.cell_tail`) has not been met yet: read as
        the parser's reader reads it (by `_seen`, or `stored`), and remembered by its tail;
        None when it cannot be read without a problem, or, on a visible sheet, shows a
        value nobody can see."""
        key = _scanned_key(*sheet_scan.cell_tail(tail))
        if key is None:
            return None
        found = self._seen.get(key)
        if found is None:
            kind, style, text = key
            inline = kind == "inlineStr"
            found = self.stored(
                where, kind or "n", style, None if inline else text, text if inline else None
            )
            if found[1] is None or len(self.problems) != before:
                return None
            self._seen[key] = found
        if visible and found[0] != "" and found[1] is not None and found[1].unseen is not None:
            return None
        self._scanned_seen[tail] = found
        return found

    def _row(
        self,
        name: str,
        row: Element,
        number: str,
        last: tuple[int, int],
        cells: dict[tuple[int, int], Value],
        visible: bool,
        hidden: _Hidden | None,
    ) -> tuple[tuple[int, int], int] | None:
        """Read one row's cells into `cells`: (the last position read, its widest column),
        or None once a cell is found out of place (recorded; the sheet is not read further)."""
        # What a cell shows depends only on its type, its style and the text stored: each
        # such triple is read (by `value`) once, and remembered when read without a problem.
        seen = self._seen
        width = 0
        for cell in row:
            ref = cell.get("r") or ""
            position = _position(ref, number) if cell.tag == _CELL_TAG else None
            if position is None or position <= last:
                self._misplaced(name, ref, number, position is None)
                return None
            last = position
            count = len(cell)
            if not count:
                continue  # nothing stored: an empty cell, whatever its style
            key = _shape(cell, count)
            found = None if key is None else seen.get(key)
            if found is None:
                found = self._first_read(f"{name}!{ref}", cell, key)
            value, style = found
            if value == "":
                continue
            cells[position] = value
            width = position[1]  # columns only rise along a row: the last is the widest
            unseen = None if not visible or style is None else style.unseen
            if unseen is not None or (hidden is not None and hidden.hides(*position)):
                self._not_shown(f"{name}!{ref}", unseen, position, hidden)
        return last, width

    def _first_read(
        self, where: str, cell: Element, key: tuple[str | None, str | None, str] | None
    ) -> tuple[Value, Style | None]:
        """A cell whose shape has not been read yet: read it, and remember it by its shape
        when it has one and was read without a problem."""
        before = len(self.problems)
        found = self.value(where, cell)
        if key is not None and len(self.problems) == before and found[1] is not None:
            self._seen[key] = found
        return found

    def _misplaced(self, name: str, ref: str, row: str | None, unreadable: bool = True) -> Grid:
        """Record a row (`row` None) or a cell stored out of order or without a reference;
        the sheet is not read further."""
        if row is None:
            self.problem(
                ref,
                "a row without a row number, or stored twice or out of order",
                "each row once, in order, as Excel writes them",
            )
        elif unreadable:
            self.problem(
                name,
                f"a cell {shorten(ref)} filed under row {shorten(row)}"
                if _REF.fullmatch(ref)
                else "a cell without a valid reference",
                "a worksheet saved by Excel",
            )
        else:
            self.problem(
                f"{name}!{ref}",
                "a cell stored twice or out of order",
                "each cell once, in order, as Excel writes them",
            )
        return []

    def _not_shown(
        self, where: str, unseen: str | None, position: tuple[int, int], hidden: _Hidden | None
    ) -> None:
        if unseen is not None:
            self.problem(
                where,
                f"a value nobody can see ({unseen})",
                "text and marks in a visible colour and size, as issued",
            )
        if hidden is not None and hidden.hides(*position):
            self.problem(
                where,
                "a value in a hidden row or column",
                "every cell with content visible (show all rows and columns, clear "
                "any filter, and save again)",
            )

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

    def value(self, where: str, cell: Element) -> tuple[Value, Style | None]:
        """A cell's value as displayed, and its style; '' after recording why it cannot be
        read."""
        raw, node = self._content(where, cell)
        if raw is None and node is None:
            return "", None
        inline = None if node is None else _text(node)
        return self.stored(where, cell.get("t", "n"), cell.get("s"), raw, inline)

    def stored(
        self, where: str, kind: str, index: str | None, raw: str | None, inline: str | None
    ) -> tuple[Value, Style | None]:
        """What a cell of type `kind` and style `index` shows for its stored text `raw`
        (<v>) and inline string `inline` (<is>); '' after recording why it cannot be read."""
        style = self._style(where, index)
        if style is None:
            return "", None
        shown = style.format
        if kind == "inlineStr":
            return self._shown_text(where, inline or "", shown), style
        if raw is None:
            return "", style
        if kind == "s":
            return self._shared(where, raw, shown), style
        if kind == "n":
            return self._number(where, raw, shown), style
        if kind == "b" and raw in ("0", "1"):
            return raw == "1", style
        if kind == "e":
            return ErrorValue(raw), style
        self.problem(where, f"a cell of type {shorten(kind)}", "a number, text or TRUE/FALSE")
        return "", style

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

    def _style(self, where: str, index: str | None) -> Style | None:
        try:
            number = 0 if index is None else _int(index)
            if number < 0:
                raise IndexError(index)
            return self.formats[number]
        except IndexError:
            self.problem(where, "a cell style that does not exist", "a workbook saved by Excel")
            return None

    def _shared(self, where: str, raw: str, style: numfmt.Format) -> Value:
        try:
            index = _int(raw)
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
        value = float(raw) if _NUMBER.fullmatch(raw) else math.nan
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


def _scanned_key(
    style: str, kind: str, empty: str, raw: str, inline_tag: str, inline: str
) -> tuple[str | None, str | None, str] | None:
    """A scanned cell's (type, style, text) as the parser's reader keys it (`_shape`), or
    None for an empty cell, an inline string without its type, or the type without one."""
    if empty or bool(inline_tag) != (kind == "inlineStr"):
        return None
    if not inline_tag:
        return (kind or None, style or None, sheet_scan.unescaped(raw))
    text = sheet_scan.unescaped(inline)
    return (kind, style or None, _unescaped(text) if "_x" in text else text)


def _skeleton(xml: bytes) -> Element | None:
    """A scanned sheet's skeleton parsed, when it is a worksheet whose one <sheetData/> (where
    the rows were) is a child of the worksheet; None otherwise."""
    root = _quiet_parse(xml)
    data = f"{NS_MAIN}sheetData"
    if root is None or root.tag != f"{NS_MAIN}worksheet":
        return None
    if len(list(root.iter(data))) != 1 or root.find(data) is None:
        return None
    return root


def _scanned_grid(rows: sheet_scan.Placed, values: list[Value]) -> Grid:
    """The grid `_grid` makes of the scanned cells' values (in sheet order): rows from A1 to
    the last row with a value, as wide as the widest value, '' where nothing is shown.

    When every row is there, numbered from 1, and holds exactly the columns A to the widest
    (the usual case), the grid is the values cut into rows, in bulk; otherwise each row is
    made in turn (`_grid_rows`).
    """
    shown = list(map(operator.ne, values, repeat("")))
    if not any(shown):
        return []
    width = max(compress(rows.columns, shown)) + 1
    ends = list(accumulate(rows.counts))
    last = bisect.bisect_right(ends, len(shown) - 1 - shown[::-1].index(True))
    height = len(rows.numbers)
    if (
        rows.numbers == list(range(1, height + 1))
        and rows.counts.count(width) == height
        and rows.columns[width - 1 :: width].count(width - 1) == height  # A to the widest
    ):
        cut = map(slice, [0, *ends[:last]], ends[: last + 1])
        return list(map(values.__getitem__, cut))
    return _grid_rows(rows, values, width, last)


def _grid_rows(rows: sheet_scan.Placed, values: list[Value], width: int, last: int) -> Grid:
    """`_scanned_grid` row by row, to the row of index `last`: a row whose cells are A, B,
    C... with none missing is one slice of `values`, any other is filled cell by cell."""
    grid: Grid = []
    start = 0
    for number, cells in zip(rows.numbers[: last + 1], rows.counts, strict=False):
        if number - 1 > len(grid):  # rows missing before this one
            grid.extend([""] * width for _ in range(number - 1 - len(grid)))
        end = start + cells
        if cells and rows.columns[end - 1] == cells - 1:  # columns 0 .. cells - 1
            line = values[start:end][:width]
            grid.append(line + [""] * (width - len(line)))
        else:
            line = [""] * width
            for column, value in zip(rows.columns[start:end], values[start:end], strict=True):
                if value != "":
                    line[column] = value
            grid.append(line)
        start = end
    return grid


def _any_hidden(grid: Grid, hidden: _Hidden) -> bool:
    """Whether any cell of `grid` with a value is in a hidden row or column."""
    return any(
        hidden.hides(row, column)
        for row, line in enumerate(grid)
        for column, value in enumerate(line)
        if value != ""
    )


def _quiet_parse(xml: bytes) -> Element | None:
    """`xml` parsed as `_Reader._parse` parses a part, or None, recording nothing."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(xml, parser)  # type: ignore[no-any-return]
    except etree.XMLSyntaxError:
        return None


class _Hidden:
    """Hidden rows and columns of a sheet: nothing in them is a value anyone saw."""

    @classmethod
    def of(cls, root: Element, scanned: sheet_scan.Placed | None = None) -> _Hidden | None:
        """The sheet's hidden (or too narrow) rows and columns, or None when none are.

        `scanned` gives the rows when they were scanned rather than parsed; by default they
        are read from the tree.
        """
        hidden = cls(root, scanned)
        if (
            hidden.default_hidden
            or hidden.default_narrow
            or hidden.columns
            or any(hidden.rows.values())
        ):
            return hidden
        return None

    def __init__(self, root: Element, scanned: sheet_scan.Placed | None = None) -> None:
        fmt = root.find(f"{NS_MAIN}sheetFormatPr")
        self.default_hidden = fmt is not None and _true(fmt.get("zeroHeight"))
        # the sizes of rows and columns without their own (ECMA-376 18.3.1.81)
        self.default_low = fmt is not None and _zero(fmt.get("defaultRowHeight"))
        self.default_narrow = fmt is not None and _narrow(
            fmt.get("defaultColWidth", fmt.get("baseColWidth"))
        )
        self.rows: dict[int, bool] = {}
        if scanned is not None:
            # rows repeat a few tails: each tail's shape is worked out once
            tails = {
                t: self._hidden(None, *sheet_scan.row_tail(t))
                for t in dict.fromkeys(scanned.row_tails)
            }
            numbers = map((-1).__add__, scanned.numbers)
            self.rows = dict(zip(numbers, map(tails.__getitem__, scanned.row_tails), strict=True))
        else:
            data = root.find(f"{NS_MAIN}sheetData")
            seen: dict[tuple[str | None, ...], bool] = {}  # rows repeat a few shapes
            for row in data if data is not None else []:
                shape = (row.get("hidden"), row.get("ht"), row.get("customHeight"))
                hidden = seen.get(shape)
                if hidden is None:
                    hidden = seen[shape] = self._hidden(*shape)
                self.rows[_int(row.get("r")) - 1] = hidden
        self.columns, self.sized = self._columns(root)

    def _hidden(self, hidden: str | None, height: str | None, custom: str | None) -> bool:
        """Whether a row of these hidden, ht and customHeight attributes is hidden."""
        return _row_hidden(hidden, height, custom, self.default_hidden) or (
            height is None and self.default_low
        )

    def _columns(self, root: Element) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """The hidden or too narrow column ranges, and the ranges with a width of their own."""
        columns: list[tuple[int, int]] = []
        sized: list[tuple[int, int]] = []
        for col in root.iterfind(f"{NS_MAIN}cols/{NS_MAIN}col"):
            low, high = _int(col.get("min")), _int(col.get("max"))
            width = col.get("width")
            if low < 1 or high < low:
                columns.append((0, 1 << 14))  # a range no reader agrees on: all of it
            elif _true(col.get("hidden")) or _narrow(width):
                columns.append((low - 1, high - 1))
            elif width is not None:
                sized.append((low - 1, high - 1))
        return columns, sized

    def hides(self, row: int, column: int) -> bool:
        if self.rows.get(row, self.default_hidden):
            return True
        if any(low <= column <= high for low, high in self.columns):
            return True
        return self.default_narrow and not any(low <= column <= high for low, high in self.sized)


def _row_hidden(
    hidden: str | None, height: str | None, custom: str | None, default_hidden: bool
) -> bool:
    if _true(hidden) or _zero(height):
        return True
    if default_hidden:
        return not _true(custom)
    return False


def _zero(number: str | None) -> bool:
    try:
        return number is not None and float(number) <= 0
    except ValueError:
        return True  # a height no reader agrees on


def _narrow(width: str | None) -> bool:
    """A column too narrow to show a mark (under two characters: it shows ##)."""
    try:
        return width is not None and float(width) < 2
    except ValueError:
        return True


def _text(node: Element) -> str:
    """The text a person sees in a string item: every run in order, no phonetic guides.

    An item holds a `<t>`, runs (`<r><t>`), or, in a crafted file, both: programs show
    them all, so all are read.
    """
    if len(node) == 1 and node[0].tag == _T:  # the usual case: one plain text
        text = node[0].text or ""
        return _unescaped(text) if "_x" in text else text
    parts = []
    for child in node:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            parts.append(child.findtext(_T) or "")
    text = "".join(parts)
    return _unescaped(text) if "_x" in text else text


def _unescaped(text: str) -> str:
    """Text with its ST_Xstring escapes (_x000D_) decoded."""
    return _ESCAPE.sub(_unescape, text).encode("utf-16", "surrogatepass").decode(
        "utf-16", "replace"
    )  # fmt: skip


def _unescape(match: re.Match[str]) -> str:
    """One ST_Xstring escape; a surrogate half is paired with its neighbour or replaced."""
    return chr(int(match.group(1), 16))


@dataclass(frozen=True)
class Style:
    """What a cell style (cellXfs entry) does to what is shown: its number format, and why
    its text could not be seen at all (white or tiny, or the colour of its fill)."""

    format: numfmt.Format
    unseen: str | None = None


GENERAL = Style(numfmt.describe("General"))
# Automatic text: black in Excel (the window's text colour). LibreOffice shows it light on a
# dark fill instead, so automatic text on a fill too dark for black is refused either way.
AUTOMATIC = "000000"
_RGB = re.compile(r"[0-9A-F]{6}")
# ECMA-376 Part 1, 18.8.27: the palette `indexed` colours name unless the workbook has its
# own <indexedColors> (the templates do); 64 and 65 are the system's text and background.
DEFAULT_PALETTE = [
    "000000",
    "FFFFFF",
    "FF0000",
    "00FF00",
    "0000FF",
    "FFFF00",
    "FF00FF",
    "00FFFF",
    "000000",
    "FFFFFF",
    "FF0000",
    "00FF00",
    "0000FF",
    "FFFF00",
    "FF00FF",
    "00FFFF",
    "800000",
    "008000",
    "000080",
    "808000",
    "800080",
    "008080",
    "C0C0C0",
    "808080",
    "9999FF",
    "993366",
    "FFFFCC",
    "CCFFFF",
    "660066",
    "FF8080",
    "0066CC",
    "CCCCFF",
    "000080",
    "FF00FF",
    "FFFF00",
    "00FFFF",
    "800080",
    "800000",
    "008080",
    "0000FF",
    "00CCFF",
    "CCFFFF",
    "CCFFCC",
    "FFFF99",
    "99CCFF",
    "FF99CC",
    "CC99FF",
    "FFCC99",
    "3366FF",
    "33CCCC",
    "99CC00",
    "FFCC00",
    "FF9900",
    "FF6600",
    "666699",
    "969696",
    "003366",
    "339966",
    "003300",
    "333300",
    "993300",
    "993366",
    "333399",
    "333333",
]


def _cell_formats(package: Package) -> list[Style]:
    """The style of each cell format (cellXfs), by style index."""
    if package.styles is None:
        return [GENERAL]
    root = parse_xml(package, package.styles)
    custom = {
        _int(item.get("numFmtId")): item.get("formatCode", "")
        for item in root.iterfind(f"{NS_MAIN}numFmts/{NS_MAIN}numFmt")
    }
    palette = _palette(root)
    font_nodes = list(root.iterfind(f"{NS_MAIN}fonts/{NS_MAIN}font"))
    fonts = [_font_unseen(font, palette) for font in font_nodes]
    fills = [_fill_colour(fill, palette) for fill in root.iterfind(f"{NS_MAIN}fills/{NS_MAIN}fill")]
    colours = [_font_colour(font, palette) for font in font_nodes]
    styles: list[Style] = []
    cache: dict[int, numfmt.Format] = {}
    for xf in root.iterfind(f"{NS_MAIN}cellXfs/{NS_MAIN}xf"):
        number = _int(xf.get("numFmtId", "0"))
        if number not in cache:
            cache[number] = _number_format(xf, number, custom)
        styles.append(Style(cache[number], _xf_unseen(xf, fonts, colours, fills)))
    return styles or [GENERAL]


def _number_format(xf: Element, number: int, custom: dict[int, str]) -> numfmt.Format:
    """What a cell format's number format shows: a custom code, a built-in one, or, for an
    id that is neither, an unknown format (its cells are refused where a mark is read)."""
    code = custom.get(number, numfmt.BUILTIN.get(number, ""))
    if code or number in numfmt.BUILTIN_DATES:
        return numfmt.describe(code, number)
    return numfmt.Format(f"unknown format {shorten(xf.get('numFmtId'))}", "other")


def _xf_unseen(
    xf: Element, fonts: list[str | None], colours: list[str | None], fills: list[str | None]
) -> str | None:
    """Why a cell format's text cannot be seen as stored: its font's reason, a font that
    does not exist, a font the colour of its fill, or Fill alignment; None if it can."""
    font, fill = _int(xf.get("fontId", "0")), _int(xf.get("fillId", "0"))
    unseen = fonts[font] if 0 <= font < len(fonts) else "a font that does not exist"
    if (
        unseen is None
        and 0 <= font < len(colours)
        and 0 <= fill < len(fills)
        and _too_close(colours[font], fills[fill])
    ):
        unseen = "text the colour of its background"
    alignment = xf.find(f"{NS_MAIN}alignment")
    if unseen is None and alignment is not None and alignment.get("horizontal") == "fill":
        unseen = "text repeated to fill the cell (Fill alignment shows 4 as 4444)"
    return unseen


def _palette(root: Element) -> list[str]:
    """The colours `indexed` names: the workbook's own <indexedColors>, else the default."""
    own = root.findall(f"{NS_MAIN}colors/{NS_MAIN}indexedColors/{NS_MAIN}rgbColor")
    if not own:
        return DEFAULT_PALETTE
    return [(c.get("rgb") or "")[-6:].upper() for c in own]


def _colour(node: Element | None, palette: list[str]) -> str | None:
    """A colour as 'RRGGBB' (an RGB or palette colour, and the theme's unshaded window
    background lt1, white in every default), 'theme N tint T' for another theme colour (the
    same words are the same colour), else None."""
    if node is None:
        return None
    rgb = node.get("rgb")
    if rgb is not None and len(rgb) in (6, 8):
        return rgb[-6:].upper()
    index = _int(node.get("indexed"))
    if 0 <= index < len(palette) and len(palette[index]) == 6:
        return palette[index]
    if _true(node.get("auto")):
        return AUTOMATIC
    theme, tint = node.get("theme"), node.get("tint")
    if theme is None:
        return None
    if theme in ("0", "1") and tint is None:  # lt1 and dk1: the window's background, text
        return "FFFFFF" if theme == "0" else "000000"
    return f"theme {theme} tint {tint or '0'}"


def _font_colour(font: Element, palette: list[str]) -> str | None:
    """A font's colour (`_colour`); a font without one is automatic."""
    node = font.find(f"{NS_MAIN}color")
    return AUTOMATIC if node is None else _colour(node, palette)


def _too_close(text: str | None, fill: str | None) -> bool:
    """Whether text of colour `text` cannot be told from a fill of colour `fill`: the same
    colour, or two RGB colours of contrast ratio under 1.5 (WCAG's ratio; 1 is none, 21
    black on white)."""
    if text is None or fill is None:
        return False
    if text == fill:
        return True
    if not (_RGB.fullmatch(text) and _RGB.fullmatch(fill)):
        return False
    lighter, darker = sorted((_luminance(text), _luminance(fill)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05) < 1.5


def _luminance(rgb: str) -> float:
    """The relative luminance of an 'RRGGBB' colour (WCAG 2: sRGB, linearised)."""
    channels = []
    for i in (0, 2, 4):
        c = int(rgb[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _font_unseen(font: Element, palette: list[str]) -> str | None:
    size = font.find(f"{NS_MAIN}sz")
    if size is not None:
        try:
            if float(size.get("val", "11")) < 6:
                return f"text too small to read (size {shorten(size.get('val'))})"
        except ValueError:
            return "a font size that is not a number"
    colour = _colour(font.find(f"{NS_MAIN}color"), palette)
    if colour is not None and _light(colour):
        return "white text"
    return None


def _light(rgb: str) -> bool:
    try:
        red, green, blue = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return False
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.92 * 255


def _fill_colour(fill: Element, palette: list[str]) -> str | None:
    pattern = fill.find(f"{NS_MAIN}patternFill")
    if pattern is None or pattern.get("patternType") != "solid":
        return "FFFFFF"  # no fill: the sheet's white
    return _colour(pattern.find(f"{NS_MAIN}fgColor"), palette)


_WHOLE = re.compile(r"[0-9]{1,9}")
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?")


def _int(text: str | None) -> int:
    """A whole number as the file format writes it (ASCII digits only), else -1.

    Python's int() also takes '6_0', ' 6' or Arabic-Indic digits, which spreadsheet
    programs read differently or not at all.
    """
    return int(text) if text is not None and _WHOLE.fullmatch(text) else -1


def _true(value: str | None) -> bool:
    """An xsd:boolean attribute as LibreOffice reads it: anything but absent, 0 or false."""
    return value is not None and value.strip().lower() not in ("0", "false", "")


def _serial(value: float, date1904: bool, kind: str) -> datetime | date | time | None:
    """Excel's serial day number as a date, time or both (1900 or 1904 date system)."""
    if not 0 <= value < 2_958_466:  # 9999-12-31
        return None
    if date1904:
        base = datetime(1904, 1, 1)
    else:  # the 1900 system counts a 29 February 1900 that never was
        base = datetime(1899, 12, 31) if value < 60 else datetime(1899, 12, 30)
    try:
        moment = base + timedelta(days=value)
        moment = moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))
    except OverflowError:
        return None  # past 31 December 9999
    if kind == "time" and value < 1:
        return moment.time()
    if kind == "date" and value == int(value):
        return moment.date()
    return moment


def _grid(cells: dict[tuple[int, int], Value], width: int) -> Grid:
    """Rows from A1 to the last row and `width` columns, '' where nothing is stored."""
    if not cells:
        return []
    height = max(cells)[0] + 1  # cells are keyed (row, column)
    grid: Grid = [[""] * width for _ in range(height)]
    for (row, column), value in cells.items():
        grid[row][column] = value
    return grid
