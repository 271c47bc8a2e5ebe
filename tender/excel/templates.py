"""Write one marking workbook per evaluator: cover and declaration, marking sheet, sealed identity.

Built from the bidder list (ids and names) and the criteria only, in a fresh workbook, so
no price can reach a quality evaluator. Written in openpyxl's write-only mode with styles
on columns and validation on ranges (no per-cell styling), and reproducibly (fixed zip
times), so the same issue of a template is the same bytes.
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
) -> bytes:
    """The marking workbook for one evaluator, as bytes (nothing is written to disk here)."""
    wb = Workbook(write_only=True)
    _cover(wb, tender, evaluator, identity)
    _marking(wb, tender.quality.scale, rows)
    _identity(wb, identity, seal)
    wb.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return reproducible_zip(buffer.getvalue())


def _cover(wb: Any, tender: Tender, evaluator: Evaluator, identity: dict[str, str]) -> None:
    ws = wb.create_sheet(layout.COVER)
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["B"].width = 90
    ws.column_dimensions["B"].alignment = WRAP
    # Write-only sheets stream rows: every sheet-level setting goes before the first row.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    who = ", ".join(x for x in (evaluator.name, evaluator.role, evaluator.organisation) if x)
    ws.append([_styled(ws, "Quality evaluation: marking template", font=Font(bold=True, size=14))])
    ws.append([])
    ws.append(["Tender", _text(ws, f"{tender.tender.reference}: {tender.tender.title}")])
    ws.append(["Authority", _text(ws, tender.tender.authority)])
    ws.append(["Evaluator", _text(ws, f"{evaluator.id}: {who}")])
    ws.append(["Template", f"issue {identity['issue']}, layout {layout.LAYOUT_VERSION}"])
    ws.append([])
    ws.append([_styled(ws, "Declaration (complete before marking)", font=BOLD)])
    for _key, _row, label in layout.DECLARATION:  # rows 9-12: the header above is 8 rows
        answer = WriteOnlyCell(ws)
        answer.protection = UNLOCKED
        answer.fill = INPUT_FILL
        ws.append([label, answer])
    conflict_row = dict((k, r) for k, r, _ in layout.DECLARATION)["conflict"]
    choice = DataValidation(type="list", formula1='"' + ",".join(layout.CONFLICT_ANSWERS) + '"')
    choice.showErrorMessage = True
    choice.error = "Answer No or Yes."
    choice.add(f"B{conflict_row}")
    ws.data_validations.append(choice)
    ws.append([])
    ws.append([_styled(ws, "Instructions", font=BOLD)])
    for number, line in enumerate(INSTRUCTIONS, start=1):
        ws.append([f"{number}.", line])
    ws.append([])
    ws.append([_styled(ws, "Marking scale", font=BOLD)])
    scale = tender.quality.scale
    ws.append(["Allowed marks", scale.describe()])
    for mark, text in sorted(scale.descriptors.items()):
        ws.append([f"{mark:g}", _text(ws, text)])
    ws.append([])
    ws.append([_styled(ws, "Criteria", font=BOLD)])
    for leaf in tender.quality.leaves():
        guidance = f": {leaf.guidance}" if leaf.guidance else ""
        ws.append([_text(ws, leaf.id), _text(ws, f"{leaf.title}{guidance}")])


def _marking(wb: Any, scale: Scale, rows: Sequence[Row]) -> None:
    ws = wb.create_sheet(layout.MARKING)
    widths = {"A": 11, "B": 32, "C": 12, "D": 34, "E": 50, "F": 8, "G": 70}
    for column, width in widths.items():
        ws.column_dimensions[column].width = width
    for column in ("B", "D", "E"):
        ws.column_dimensions[column].alignment = WRAP
    for column in (layout.MARK_COLUMN, layout.JUSTIFICATION_COLUMN):
        ws.column_dimensions[column].protection = UNLOCKED
        ws.column_dimensions[column].fill = INPUT_FILL
    ws.column_dimensions[layout.JUSTIFICATION_COLUMN].alignment = WRAP
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
    ws.append([_styled(ws, title, font=BOLD) for title in layout.MARKING_HEADER])
    cache: dict[str, Any] = {}

    def text(value: str) -> Any:
        if value not in cache:
            cache[value] = _text(ws, value)
        found = cache[value]
        return found if isinstance(found, str) else _text(ws, value)

    for row in rows:
        ws.append([text(value) for value in row.locked()])


def _identity(wb: Any, identity: dict[str, str], seal: str) -> None:
    ws = wb.create_sheet(layout.IDENTITY)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    for key in layout.IDENTITY_KEYS:
        ws.append([key, identity[key]])
    ws.append([layout.SEAL_KEY, seal])
