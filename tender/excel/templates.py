"""Write one marking workbook per evaluator: cover and declaration, marking sheet, sealed identity.

Built from the bidder list (ids and names) and the criteria only, in a fresh workbook, so
no price can reach a quality evaluator. Written with XlsxWriter, which streams its cells
into the package about ten times faster than openpyxl styles and writes them (a template
for 200 bidders × 25 criteria holds 35,000 cells, each with its own style), and
reproducibly (fixed zip times and creation stamp), so the same issue of a template is the
same bytes. Only the issued rows' Mark and Justification cells are unlocked and yellow
(styled cell by cell, never by column, so nothing below the last row can be typed in);
text cells wrap, and each row is given the height its longest text needs, so long
guidance stays within its row in Excel and in LibreOffice's print.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import xlsxwriter  # type: ignore[import-untyped]

from ..files import FIXED_ZIP_TIME
from ..model import Evaluator, Scale, Tender
from ..safety import TRIGGERS, clean_text
from . import layout
from .layout import Row

if TYPE_CHECKING:
    from openpyxl.worksheet.datavalidation import DataValidation

INPUT_FILL = "#FFF2CC"
LINE_HEIGHT = 15.0  # points per line of 11-point Calibri
JUSTIFICATION_LINES = 3  # room to write in a row, at least
MAX_ROW_HEIGHT = 409.0  # Excel's largest row height
# Text is only ever written with write_string, so these options are a second guard: nothing
# a workbook holds is turned into a formula, a link or a number behind our back. Rows are
# streamed in order (constant memory), which writes each text inline in its cell, as
# openpyxl did: a template has no shared strings part.
OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
CREATED = datetime(*FIXED_ZIP_TIME, tzinfo=UTC)  # no clock in the file: same inputs, same bytes
WIDTHS = {"A": 11, "B": 32, "C": 12, "D": 34, "E": 50, "F": 8, "G": 70}  # the Marking sheet


def line_capacity(width: float) -> int:
    """Characters one wrapped line holds in a column `width` characters wide (a safe
    estimate: Calibri's characters are narrower than the width's unit, but not all)."""
    return max(int(width * 0.95) - 1, 1)


def lines_needed(text: str, width: float) -> int:
    """Lines `text` takes wrapped in a column `width` characters wide (a safe estimate)."""
    per_line = line_capacity(width)
    if len(text) <= per_line and "\n" not in text:
        return 1  # the usual short text: it fits, however its words fall
    total = 0
    for paragraph in text.split("\n"):
        line, count = 0, 1
        for word in paragraph.split():
            size = len(word)
            if line and line + 1 + size > per_line:
                count, line = count + 1, 0
            while size > per_line:  # a word longer than a line wraps where Excel cuts it
                count, size = count + 1, size - per_line
            line += size + (1 if line else 0)
        total += count
    return total


def row_height(lines: int) -> float:
    """The height in points of a row showing `lines` lines."""
    return min(max(lines, 1) * LINE_HEIGHT + 3, MAX_ROW_HEIGHT)


INSTRUCTIONS = (
    "Complete the declaration above before you mark; if you have a conflict of interest, stop "
    "and tell the procurement officer.",
    "Mark each bidder against each criterion on the Marking sheet, on your own, from the bid "
    "documents only.",
    "Type a mark from the scale below in the Mark column (yellow) and say why in the "
    "Justification column, by reference to the bid: a note that only repeats the scale's "
    "descriptor is not a reason.",
    "Do not add, delete, move or rename rows, columns or sheets, and do not type formulas: the "
    "tool checks the workbook when it comes back and refuses an altered one.",
    "Save as an Excel Workbook (.xlsx), without a password, and return it to the procurement "
    "officer.",
)


def scale_validation(scale: Scale, cells: str) -> DataValidation:
    """Data validation restricting `cells` to the scale's allowed marks (openpyxl's terms:
    the one statement of the rule, which `validation_options` turns into XlsxWriter's)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    allowed = scale.allowed_marks()
    message = f"Enter {scale.describe()}."
    whole = scale.step == 1 and float(scale.minimum).is_integer()
    if whole:
        rule = DataValidation(
            type="whole",
            operator="between",
            formula1=f"{scale.minimum:g}",
            formula2=f"{scale.maximum:g}",
        )
    elif allowed is not None and len(",".join(f"{m:g}" for m in allowed)) <= 250:
        rule = DataValidation(type="list", formula1='"' + ",".join(f"{m:g}" for m in allowed) + '"')
    else:
        rule = DataValidation(
            type="decimal",
            operator="between",
            formula1=f"{scale.minimum:g}",
            formula2=f"{scale.maximum:g}",
        )
    rule.allow_blank = True
    rule.showErrorMessage = True
    rule.showInputMessage = True
    rule.errorTitle = "Not an allowed mark"
    rule.error = message
    rule.promptTitle = "Mark"
    rule.prompt = message
    rule.add(cells)
    return rule


def validation_options(scale: Scale) -> dict[str, Any]:
    """`scale_validation` in XlsxWriter's terms, so the template's marks and the moderation
    workbook's consensus are held to exactly the same rule."""
    rule = scale_validation(scale, "A1")
    options: dict[str, Any] = {
        "ignore_blank": bool(rule.allow_blank),
        "show_input": bool(rule.showInputMessage),
        "show_error": bool(rule.showErrorMessage),
        "input_title": rule.promptTitle,
        "input_message": rule.prompt,
        "error_title": rule.errorTitle,
        "error_message": rule.error,
    }
    if rule.type == "list":
        return options | {"validate": "list", "source": str(rule.formula1).strip('"').split(",")}
    return options | {
        "validate": {"whole": "integer", "decimal": "decimal"}[str(rule.type)],
        "criteria": rule.operator,
        "minimum": rule.formula1,
        "maximum": rule.formula2,
    }


class _Workbook(xlsxwriter.Workbook):  # type: ignore[misc]
    """XlsxWriter's workbook with its structure locked (sheets cannot be added, deleted,
    renamed or unhidden), which XlsxWriter does not offer: the element openpyxl wrote,
    `<workbookProtection lockStructure="1"/>`, in its place in the schema (before the
    book views)."""

    def _write_book_views(self) -> None:
        self._xml_empty_tag("workbookProtection", [("lockStructure", "1")])
        super()._write_book_views()


class _Formats:
    """The few cell formats a template uses, made once per workbook."""

    def __init__(self, wb: Any) -> None:
        top = {"valign": "top"}
        wrap = {"text_wrap": True, "valign": "top"}
        unlocked = {"locked": False, "pattern": 1, "bg_color": INPUT_FILL}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.bold = wb.add_format({"bold": True})
        self.bold_top = wb.add_format({"bold": True, "valign": "top"})
        self.top = wb.add_format(top)
        self.wrap = wb.add_format(wrap)
        self.top_quoted = wb.add_format(top | {"quote_prefix": True})
        self.wrap_quoted = wb.add_format(wrap | {"quote_prefix": True})
        self.mark = wb.add_format(unlocked)
        self.justification = wb.add_format(unlocked | wrap)
        # Numbered now, in this order, not by first use: every template then has the same
        # styles part and the same style numbers in its Marking sheet, whatever its cover
        # holds, so that sheet can be rendered once for the whole panel (`marking_part`).
        for item in vars(self).values():
            item._get_xf_index()


def _write_text(ws: Any, row: int, col: int, value: str, plain: Any, quoted: Any) -> None:
    """Outside text written as text: control characters replaced, and Excel's quote prefix
    on text that would otherwise become a formula when the cell is edited."""
    value = clean_text(value)
    ws.write_string(row, col, value, quoted if value.startswith(TRIGGERS) else plain)


def identity_fields(
    tender: Tender, evaluator: Evaluator, issue: int, template_id: str, structure: str
) -> dict[str, str]:
    """The identity a template carries, in `layout.IDENTITY_KEYS` order (all text)."""
    values = (
        layout.TEMPLATE_FORMAT,
        layout.LAYOUT_VERSION,
        tender.tender.reference,
        evaluator.id,
        str(issue),
        template_id,
        structure,
    )
    return dict(zip(layout.IDENTITY_KEYS, values, strict=True))


MARKING_PART = "xl/worksheets/sheet2.xml"  # the second sheet, as XlsxWriter names it


def write_template(
    tender: Tender,
    evaluator: Evaluator,
    rows: Sequence[Row],
    identity: dict[str, str],
    seal: str,
    excluded: Sequence[tuple[str, str, str]] = (),
    marking: bytes | None = None,
) -> bytes:
    """The marking workbook for one evaluator, as bytes (nothing is written to disk here).

    `excluded` are the bids left out because they already failed a pass/fail requirement
    (bidder_id, bidder, reason): the cover lists them, so no evaluator wonders where they are.
    `marking` is the Marking sheet's part from `marking_part` for the same tender and rows:
    the same for every evaluator, so a panel's templates render it once (the bytes are the
    same either way).
    """
    buffer = io.BytesIO()
    wb = _Workbook(buffer, OPTIONS)
    wb.set_properties({"created": CREATED})
    formats = _Formats(wb)
    _cover(wb.add_worksheet(layout.COVER), formats, tender, evaluator, identity, excluded)
    _marking(wb.add_worksheet(layout.MARKING), formats, tender.quality.scale,
             rows if marking is None else ())  # fmt: skip
    _identity(wb.add_worksheet(layout.IDENTITY), identity, seal)
    wb.close()
    return _package(buffer.getvalue(), {} if marking is None else {MARKING_PART: marking})


def marking_part(tender: Tender, rows: Sequence[Row]) -> bytes:
    """The XML of the Marking sheet of every template for these rows (no evaluator in it)."""
    buffer = io.BytesIO()
    wb = _Workbook(buffer, OPTIONS)
    formats = _Formats(wb)
    wb.add_worksheet(layout.COVER)  # first, as in a template: the Marking sheet is the second
    _marking(wb.add_worksheet(layout.MARKING), formats, tender.quality.scale, rows)
    wb.close()
    return zipfile.ZipFile(buffer).read(MARKING_PART)


def _package(data: bytes, replaced: dict[str, bytes]) -> bytes:
    """The package again with fixed entry times and permissions (XlsxWriter stamps entries
    it streamed through temporary files with the local time zone's 31 January 1980), and
    `replaced` parts swapped in."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            content = replaced.get(info.filename)
            target.writestr(entry, source.read(info) if content is None else content)
    return out.getvalue()


def _protect(ws: Any) -> None:
    """Sheet protection against accidents; columns and rows may still be resized."""
    ws.protect("", {"format_columns": True, "format_rows": True})


def _cover(
    ws: Any,
    formats: _Formats,
    tender: Tender,
    evaluator: Evaluator,
    identity: dict[str, str],
    excluded: Sequence[tuple[str, str, str]] = (),
) -> None:
    ws.set_column(0, 0, 58)
    ws.set_column(1, 1, 90)
    _protect(ws)
    ws.set_portrait()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    who = ", ".join(x for x in (evaluator.name, evaluator.role, evaluator.organisation) if x)
    row = -1

    def heading(text: str, style: Any = formats.bold) -> None:
        nonlocal row
        row += 1
        ws.write_string(row, 0, clean_text(text), style)

    def append(label: str | None = None, text: str | None = None) -> None:
        nonlocal row
        row += 1
        if label is None:
            return
        shown = max(lines_needed(text or "", 90), lines_needed(label, 58))
        if shown > 1:
            ws.set_row(row, row_height(shown))
        _write_text(ws, row, 0, label, formats.top, formats.top_quoted)
        if text is not None:
            _write_text(ws, row, 1, text, formats.wrap, formats.wrap_quoted)

    heading("Quality evaluation: marking template", formats.title)
    ws.set_row(0, 21)
    append()
    append("Tender", f"{tender.tender.reference}: {tender.tender.title}")
    append("Authority", tender.tender.authority)
    append("Evaluator", f"{evaluator.id}: {who}")
    append("Template", f"issue {identity['issue']}, layout {layout.LAYOUT_VERSION}")
    append()
    heading("Declaration (complete before marking)")
    for _key, number, label in layout.DECLARATION:  # rows 9-12: the header above is 8 rows
        row = number - 1
        ws.set_row(row, row_height(2))
        ws.write_string(row, 0, label, formats.wrap)
        ws.write_blank(row, 1, None, formats.mark)
    conflict_row = dict((k, r) for k, r, _ in layout.DECLARATION)["conflict"]
    ws.data_validation(
        conflict_row - 1, 1, conflict_row - 1, 1,
        {"validate": "list", "source": list(layout.CONFLICT_ANSWERS),
         "show_input": False, "error_message": "Answer No or Yes."},
    )  # fmt: skip
    append()
    heading("Instructions")
    for number, line in enumerate(INSTRUCTIONS, start=1):
        append(f"{number}.", line)
    append()
    heading("Marking scale")
    scale = tender.quality.scale
    append("Allowed marks", scale.describe())
    for mark, text in sorted(scale.descriptors.items()):
        append(f"{mark:g}", text)
    append()
    heading("Criteria")
    for leaf in tender.quality.leaves():
        guidance = f": {leaf.guidance}" if leaf.guidance else ""
        append(leaf.id, f"{leaf.title}{guidance}")
    if excluded:
        append()
        heading("Not to be marked (failed a pass/fail requirement)")
        for bidder_id, bidder, reason in excluded:
            append(f"{bidder_id}: {bidder}", reason)


def _marking(ws: Any, formats: _Formats, scale: Scale, rows: Sequence[Row]) -> None:
    for letter, width in WIDTHS.items():
        index = ord(letter) - ord("A")
        ws.set_column(index, index, width)
    ws.freeze_panes(layout.FIRST_ROW - 1, 0)
    _protect(ws)
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    first, last = layout.FIRST_ROW - 1, layout.FIRST_ROW + len(rows) - 2  # 0-based
    mark = layout.MARK_INDEX
    if rows:
        ws.data_validation(first, mark, last, mark, validation_options(scale))
    for index, title in enumerate(layout.MARKING_HEADER):
        ws.write_string(0, index, title, formats.bold_top)
    wrapped = {1: WIDTHS["B"], 3: WIDTHS["D"], 4: WIDTHS["E"]}
    top, wrap = (formats.top, formats.top_quoted), (formats.wrap, formats.wrap_quoted)
    styles = [wrap if i in wrapped else top for i in range(layout.LOCKED_COLUMNS)]
    lines: dict[tuple[str, int], int] = {}  # names, criteria and guidance repeat down the sheet
    cleaned: dict[str, tuple[str, bool]] = {}
    write_string, write_blank, set_row = ws.write_string, ws.write_blank, ws.set_row
    for number, row in enumerate(rows, start=first):
        values = row.locked()
        shown = JUSTIFICATION_LINES
        for column, width in wrapped.items():
            key = (values[column], width)
            count = lines.get(key)
            if count is None:
                count = lines[key] = lines_needed(*key)
            shown = max(shown, count)
        set_row(number, row_height(shown))
        for column, value in enumerate(values):
            found = cleaned.get(value)
            if found is None:
                text = clean_text(value)
                found = cleaned[value] = (text, text.startswith(TRIGGERS))
            write_string(number, column, found[0], styles[column][found[1]])
        write_blank(number, mark, None, formats.mark)
        write_blank(number, layout.JUSTIFICATION_INDEX, None, formats.justification)


def _identity(ws: Any, identity: dict[str, str], seal: str) -> None:
    ws.very_hidden()
    ws.protect()
    for number, key in enumerate(layout.IDENTITY_KEYS):
        ws.write_string(number, 0, key)
        _write_text(ws, number, 1, identity[key], None, None)
    ws.write_string(len(layout.IDENTITY_KEYS), 0, layout.SEAL_KEY)
    ws.write_string(len(layout.IDENTITY_KEYS), 1, seal)
