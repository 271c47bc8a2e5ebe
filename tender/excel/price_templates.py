"""Write one sealed pricing workbook per bidder from the schedule of rates: no quality content.

Three sheets, as the marking templates have: a cover (tender, bidder, the arithmetic and
missing-line rules, instructions), the Pricing sheet (one row per line: id, description,
unit and quantity locked; rate and extended total unlocked, validated as money of 0 or
more) and a very hidden identity sheet sealed with the tender's key. Nothing from the
marks, the criteria or any other bid goes in, and the quality templates never get these.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from ..files import reproducible_zip
from ..model import Schedule, Tender
from ..safety import clean_text, set_text

PRICING_FORMAT = "tender-pricing-workbook"
PRICING_LAYOUT = "1"
COVER = "Cover"
PRICING = "Pricing"
IDENTITY = "Identity"
PRICING_SHEETS = (COVER, PRICING, IDENTITY)
PRICING_HEADER = ("Line ID", "Description", "Unit", "Quantity", "Rate", "Extended total")
LOCKED_COLUMNS = 4
RATE_COLUMN, TOTAL_COLUMN = "E", "F"
RATE_INDEX, TOTAL_INDEX = 4, 5
FIRST_ROW = 2
IDENTITY_KEYS = (
    "format",
    "layout_version",
    "tender_reference",
    "bidder_id",
    "issue",
    "template_id",
    "structure",
)
SEAL_KEY = "hmac"
UNLOCKED = Protection(locked=False)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class PriceRow:
    """One line as issued: the locked cells, as text, and the quantity the rate multiplies."""

    line_id: str
    description: str
    unit: str
    quantity: Decimal

    def locked(self) -> tuple[str, str, str, str]:
        return (self.line_id, self.description, self.unit, f"{self.quantity:f}")


def price_rows(spec: Schedule) -> list[PriceRow]:
    """The schedule's lines, each with its quantity: volume a year × years."""
    from ..pricing import tidy

    return [
        PriceRow(line.id, line.description, line.unit, tidy(line.volume * spec.years))
        for line in spec.lines
    ]


def price_structure(tender: Tender, rows: Sequence[PriceRow]) -> str:
    """A fingerprint of what is priced: a return for another schedule is recognised."""
    text = json.dumps([tender.tender.reference, [row.locked() for row in rows]], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def rules_text(spec: Schedule) -> tuple[str, str]:
    """The arithmetic rule and the missing-line rule, as the cover states them."""
    arithmetic = (
        "The rate prevails: where rate × quantity differs from the extended total you give, "
        "the extended total is corrected to rate × quantity, and every correction is recorded."
    )
    rule = spec.missing_line
    missing = {
        "non_compliant": "A line without a rate makes the bid non-compliant.",
        "highest_other": "A line without a rate is priced at the highest rate offered for it "
        "by the other compliant bids.",
        "stated": f"A line without a rate is priced at {rule.rate}.",
    }[rule.rule]
    return arithmetic, missing


INSTRUCTIONS = (
    "Type a rate for every line in the Rate column (yellow), in the tender's currency: digits "
    "with an optional decimal point, no currency sign, no formula.",
    "Type the extended total (rate × quantity) in the Extended total column.",
    "Do not add, delete, move or rename rows, columns or sheets: the workbook is checked when "
    "it comes back and an altered one is refused.",
    "Save as an Excel Workbook (.xlsx), without a password, and return it with your tender.",
)


def _styled(ws: Any, value: str, **style: Any) -> Any:
    cell = WriteOnlyCell(ws)
    set_text(cell, clean_text(value))
    for key, item in style.items():
        setattr(cell, key, item)
    return cell


def write_price_template(
    tender: Tender,
    spec: Schedule,
    bidder: tuple[str, str],
    rows: Sequence[PriceRow],
    identity: dict[str, str],
    seal: str,
) -> bytes:
    """The pricing workbook for one bidder, as bytes (nothing is written to disk here)."""
    wb = Workbook(write_only=True)
    _cover(wb, tender, spec, bidder, identity)
    _pricing(wb, rows)
    ws = wb.create_sheet(IDENTITY)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    for key in IDENTITY_KEYS:
        ws.append([key, identity[key]])
    ws.append([SEAL_KEY, seal])
    wb.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return reproducible_zip(buffer.getvalue())


def _cover(
    wb: Any, tender: Tender, spec: Schedule, bidder: tuple[str, str], identity: dict[str, str]
) -> None:
    ws = wb.create_sheet(COVER)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 90
    ws.protection.sheet = True
    arithmetic, missing = rules_text(spec)
    lines: list[tuple[str, str]] = [
        ("Tender", f"{tender.tender.reference}: {tender.tender.title}"),
        ("Authority", tender.tender.authority),
        ("Bidder", f"{bidder[0]}: {bidder[1]}"),
        ("Workbook", f"issue {identity['issue']}, layout {PRICING_LAYOUT}"),
        ("Currency", tender.tender.currency),
        ("Arithmetic", arithmetic),
        ("Missing lines", missing),
    ]
    ws.append([_styled(ws, "Pricing schedule", font=Font(bold=True, size=14))])
    ws.append([])
    for label, text in lines:
        ws.append([_styled(ws, label, font=BOLD), _styled(ws, text, alignment=WRAP)])
    ws.append([])
    ws.append([_styled(ws, "Instructions", font=BOLD)])
    for number, text in enumerate(INSTRUCTIONS, start=1):
        ws.append([_styled(ws, f"{number}."), _styled(ws, text, alignment=WRAP)])


def _money(cells: str, prompt: str) -> DataValidation:
    rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    rule.allow_blank = True
    rule.showErrorMessage = True
    rule.errorTitle = "Not an amount"
    rule.error = "Enter an amount of 0 or more, in the tender's currency."
    rule.showInputMessage = True
    rule.promptTitle = prompt
    rule.prompt = "An amount of 0 or more, in the tender's currency."
    rule.add(cells)
    return rule


def _pricing(wb: Any, rows: Sequence[PriceRow]) -> None:
    ws = wb.create_sheet(PRICING)
    for column, width in zip("ABCDEF", (10, 50, 12, 12, 14, 18), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.protection.sheet = True
    last = FIRST_ROW + len(rows) - 1
    ws.data_validations.append(_money(f"{RATE_COLUMN}{FIRST_ROW}:{RATE_COLUMN}{last}", "Rate"))
    ws.data_validations.append(
        _money(f"{TOTAL_COLUMN}{FIRST_ROW}:{TOTAL_COLUMN}{last}", "Extended total")
    )
    ws.append([_styled(ws, title, font=BOLD) for title in PRICING_HEADER])
    for row in rows:
        inputs = [WriteOnlyCell(ws), WriteOnlyCell(ws)]
        for cell in inputs:
            cell.protection = UNLOCKED
            cell.fill = INPUT_FILL
        ws.append([_styled(ws, value, alignment=WRAP) for value in row.locked()] + inputs)
