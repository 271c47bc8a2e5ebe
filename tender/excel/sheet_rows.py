"""Worksheet cells written as XML text, for a sheet too large for a writer's per-cell calls.

XlsxWriter spends two Python calls and a few dozen small steps on each cell; the
moderation workbook of a panel of 30 on 200 bidders × 25 criteria has 345,000 of them,
and writing them was most of `collect`. Here each cell is one string of a few shapes
(inline text, a number, a true/false value, an empty styled cell), escaped as XlsxWriter
escapes its own, and the rows are spliced into the sheet XlsxWriter wrote with everything
else (columns, panes, protection, filter, validation, printing), which stays XlsxWriter's.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from ..files import FIXED_ZIP_TIME

MAX_UNITS = 32_767  # UTF-16 code units an Excel cell holds
_ESCAPE_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # a literal _x0041_ stays literal
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_SPECIAL = re.compile(r"[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]")
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def fitted(text: str) -> str:
    """`text` cut to what one cell holds (32,767 UTF-16 code units), as XlsxWriter cuts it."""
    if len(text) <= MAX_UNITS // 2:
        return text
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * MAX_UNITS:
        return text
    return units[: 2 * MAX_UNITS].decode("utf-16-le", "ignore")


def inline(text: str) -> str:
    """The <is> part of an inline text cell: XML-escaped, control characters as Excel's
    _xHHHH_ escapes (a literal escape kept literal), leading or trailing space kept."""
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    if _SPECIAL.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = _ESCAPE_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return f"<is><t{space}>{text}</t></is>"


def text_cell(ref: str, style: int, part: str) -> str:
    """A text cell holding `part` (from `inline`)."""
    return f'<c r="{ref}" s="{style}" t="inlineStr">{part}</c>'


def number_cell(ref: str, style: int, value: float) -> str:
    """A number cell, to 16 significant digits as XlsxWriter writes them."""
    return f'<c r="{ref}" s="{style}"><v>{value:.16G}</v></c>'


def boolean_cell(ref: str, style: int, value: bool) -> str:
    return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'


def blank_cell(ref: str, style: int) -> str:
    """An empty cell that carries a style (an unlocked, yellow input cell)."""
    return f'<c r="{ref}" s="{style}"/>'


def row(number: int, height: float, cells: Iterable[str]) -> str:
    """One <row> of cells (in column order) at a fixed height in points."""
    return f'<row r="{number}" ht="{height:g}" customHeight="1">{"".join(cells)}</row>'


def splice(package: bytes, part: str, rows: Iterable[str], dimension: str) -> bytes:
    """`package` again with `rows` after the rows XlsxWriter wrote in `part`, the sheet's
    used range set to `dimension` (such as 'A1:N5001'), and every entry at the fixed time.

    Raises:
        ValueError: if `part` is not a sheet with its rows (a writer that changed).
    """
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                head, end, tail = content.partition(b"</sheetData>")
                head, found = _DIMENSION.subn(f'<dimension ref="{dimension}"/>'.encode(), head, 1)
                if not end or not found:
                    raise ValueError(f"{part}: no sheet data and used range to add rows to")
                content = head + "".join(rows).encode("utf-8") + end + tail
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()
