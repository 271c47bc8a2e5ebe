"""Write one marking workbook per evaluator: cover and declaration, marking sheet, sealed identity.

Built from the bidder list (ids and names) and the criteria only, in a fresh workbook, so
no price can reach a quality evaluator. Written in openpyxl's write-only mode with
validation on ranges, and reproducibly (fixed zip times), so the same issue of a template
is the same bytes. Only the issued rows' Mark and Justification cells are unlocked and
yellow (styled cell by cell, never by column, so nothing below the last row can be typed
in); text cells wrap, and each row is given the height its longest text needs, so long
guidance stays within its row in Excel and in LibreOffice's print.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from ..files import reproducible_zip
from ..model import Evaluator, Scale, Tender
from ..safety import TRIGGERS, clean_text, set_text
from . import layout
from .layout import Row

UNLOCKED = Protection(locked=False)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
LINE_HEIGHT = 15.0  # points per line of 11-point Calibri
JUSTIFICATION_LINES = 3  # room to write in a row, at least
MAX_ROW_HEIGHT = 409.0  # Excel's largest row height


def lines_needed(text: str, width: float) -> int:
    """Lines `text` takes wrapped in a column `width` characters wide (a safe estimate)."""
    per_line = max(int(width * 0.95) - 1, 1)
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
    """Data validation restricting `cells` to the scale's allowed marks."""
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


def _text(ws: Any, value: str) -> Any:
    """A value for ws.append: plain text stays a string; text that looks like a formula is forced
    to a string cell so it can never run."""
    value = clean_text(value)
    if not value.startswith(TRIGGERS):
        return value
    cell = WriteOnlyCell(ws)
    set_text(cell, value)
    return cell


def _wrapped(ws: Any, value: str, **style: Any) -> Any:
    """A text cell that wraps within its column, top-aligned."""
    return _styled(ws, value, alignment=WRAP, **style)


def _styled(ws: Any, value: str, **style: Any) -> Any:
    cell = WriteOnlyCell(ws)
    set_text(cell, clean_text(value))
    for key, item in style.items():
        setattr(cell, key, item)
    return cell


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


def write_template(
    tender: Tender,
    evaluator: Evaluator,
    rows: Sequence[Row],
    identity: dict[str, str],
    seal: str,
    excluded: Sequence[tuple[str, str, str]] = (),
) -> bytes:
    """The marking workbook for one evaluator, as bytes (nothing is written to disk here).

    `excluded` are the bids left out because they already failed a pass/fail requirement
    (bidder_id, bidder, reason): the cover lists them, so no evaluator wonders where they are.
    """
    wb = Workbook(write_only=True)
    _cover(wb, tender, evaluator, identity, excluded)
    _marking(wb, tender.quality.scale, rows)
    _identity(wb, identity, seal)
    wb.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return reproducible_zip(buffer.getvalue())


def _cover(
    wb: Any,
    tender: Tender,
    evaluator: Evaluator,
    identity: dict[str, str],
    excluded: Sequence[tuple[str, str, str]] = (),
) -> None:
    ws = wb.create_sheet(layout.COVER)
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["B"].width = 90
    # Write-only sheets stream rows: every sheet-level setting goes before the first row.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    who = ", ".join(x for x in (evaluator.name, evaluator.role, evaluator.organisation) if x)
    row = 0

    def append(label: Any, text: str | None = None) -> None:
        nonlocal row
        row += 1
        shown = max(
            lines_needed(text or "", 90),
            lines_needed(label if isinstance(label, str) else "", 58),
        )
        if shown > 1:
            ws.row_dimensions[row].height = row_height(shown)
        if isinstance(label, str):
            label = _styled(ws, label, alignment=TOP)
        ws.append([label] if text is None else [label, _wrapped(ws, text)])

    append(_styled(ws, "Quality evaluation: marking template", font=Font(bold=True, size=14)))
    ws.row_dimensions[1].height = 21
    append(None)
    append("Tender", f"{tender.tender.reference}: {tender.tender.title}")
    append("Authority", tender.tender.authority)
    append("Evaluator", f"{evaluator.id}: {who}")
    append("Template", f"issue {identity['issue']}, layout {layout.LAYOUT_VERSION}")
    append(None)
    append(_styled(ws, "Declaration (complete before marking)", font=BOLD))
    for _key, _row, label in layout.DECLARATION:  # rows 9-12: the header above is 8 rows
        answer = WriteOnlyCell(ws)
        answer.protection = UNLOCKED
        answer.fill = INPUT_FILL
        row += 1
        ws.row_dimensions[row].height = row_height(2)
        ws.append([_styled(ws, label, alignment=WRAP), answer])
    conflict_row = dict((k, r) for k, r, _ in layout.DECLARATION)["conflict"]
    choice = DataValidation(type="list", formula1='"' + ",".join(layout.CONFLICT_ANSWERS) + '"')
    choice.showErrorMessage = True
    choice.error = "Answer No or Yes."
    choice.add(f"B{conflict_row}")
    ws.data_validations.append(choice)
    append(None)
    append(_styled(ws, "Instructions", font=BOLD))
    for number, line in enumerate(INSTRUCTIONS, start=1):
        append(f"{number}.", line)
    append(None)
    append(_styled(ws, "Marking scale", font=BOLD))
    scale = tender.quality.scale
    append("Allowed marks", scale.describe())
    for mark, text in sorted(scale.descriptors.items()):
        append(f"{mark:g}", text)
    append(None)
    append(_styled(ws, "Criteria", font=BOLD))
    for leaf in tender.quality.leaves():
        guidance = f": {leaf.guidance}" if leaf.guidance else ""
        append(_text(ws, leaf.id), f"{leaf.title}{guidance}")
    if excluded:
        append(None)
        append(_styled(ws, "Not to be marked (failed a pass/fail requirement)", font=BOLD))
        for bidder_id, bidder, reason in excluded:
            append(_text(ws, f"{bidder_id}: {bidder}"), reason)


def _marking(wb: Any, scale: Scale, rows: Sequence[Row]) -> None:
    ws = wb.create_sheet(layout.MARKING)
    widths = {"A": 11, "B": 32, "C": 12, "D": 34, "E": 50, "F": 8, "G": 70}
    for column, width in widths.items():
        ws.column_dimensions[column].width = width
    ws.freeze_panes = f"A{layout.FIRST_ROW}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    last = layout.FIRST_ROW + len(rows) - 1
    ws.data_validations.append(
        scale_validation(
            scale, f"{layout.MARK_COLUMN}{layout.FIRST_ROW}:{layout.MARK_COLUMN}{last}"
        )
    )
    ws.append([_styled(ws, title, font=BOLD, alignment=TOP) for title in layout.MARKING_HEADER])
    wrapped = ("B", "D", "E")
    for number, row in enumerate(rows, start=layout.FIRST_ROW):
        values = row.locked()
        shown = max(
            JUSTIFICATION_LINES,
            *(lines_needed(values["ABCDE".index(c)], widths[c]) for c in wrapped),
        )
        ws.row_dimensions[number].height = row_height(shown)
        mark, justification = WriteOnlyCell(ws), WriteOnlyCell(ws)
        for cell in (mark, justification):
            cell.protection = UNLOCKED
            cell.fill = INPUT_FILL
        justification.alignment = WRAP  # a mark is a number: it needs no wrapping
        ws.append(
            [
                _wrapped(ws, v) if column in wrapped else _styled(ws, v, alignment=TOP)
                for column, v in zip("ABCDE", values, strict=True)
            ]
            + [mark, justification]
        )


def _identity(wb: Any, identity: dict[str, str], seal: str) -> None:
    ws = wb.create_sheet(layout.IDENTITY)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    for key in layout.IDENTITY_KEYS:
        ws.append([key, identity[key]])
    ws.append([layout.SEAL_KEY, seal])
