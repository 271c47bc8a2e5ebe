"""The moderation workbook: every evaluator's mark and justification side by side, per bidder
× criterion, with the spread, a flag for discussion, the median as a starting point, and
cells for the panel's consensus mark and rationale.

Written by `collect` (write-only, styles on columns); read back by `moderate`, through the
same guard as any returned workbook, since the chair edits it in Excel.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection

from ..errors import Problem, shorten
from ..model import Tender
from ..outputs import reproducible_zip
from ..safety import TRIGGERS, clean_text, set_text
from . import guard, layout
from .guard import Refused
from .layout import Row
from .templates import scale_validation

FLAG = "DISCUSS"
CONSENSUS = "Consensus mark"
RATIONALE = "Rationale"
MEDIAN = "Median (starting point)"
SPREAD = "Spread"
DISCUSS = "Discuss?"
UNLOCKED = Protection(locked=False)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
FLAG_FILL = PatternFill("solid", fgColor="F8CBAD")
WRAP = Alignment(wrap_text=True, vertical="top")

Key = tuple[str, str]


@dataclass(frozen=True)
class Consensus:
    """What the panel typed for one bidder × criterion, as found in the workbook."""

    value: Any  # a number, text (to be refused on ingest) or "" for none
    rationale: str
    cell: str  # e.g. 'Moderation!N14'
    rationale_cell: str


def header(evaluators: Sequence[str]) -> list[str]:
    """Column titles of the moderation sheet for a panel."""
    columns = ["Bidder ID", "Bidder", "Criterion ID", "Criterion"]
    for evaluator in evaluators:
        columns += [f"{evaluator} mark", f"{evaluator} justification"]
    return [*columns, SPREAD, DISCUSS, MEDIAN, CONSENSUS, RATIONALE]


def write_moderation(
    tender: Tender,
    rows: Sequence[Row],
    evaluators: Sequence[str],
    marks: Sequence[Sequence[float]],
    justifications: Sequence[Sequence[str]],
    threshold: float,
    carried: Mapping[Key, Consensus] | None = None,
) -> bytes:
    """The moderation workbook as bytes.

    `marks[e][r]` and `justifications[e][r]` are evaluator e's mark (NaN if none) and
    justification for row r. `carried` holds consensus already entered in an earlier
    version of the workbook; it is written back into the same bidder × criterion rows.
    """
    carried = carried or {}
    titles = header(evaluators)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(layout.MODERATION)
    first_eval = 4
    n = len(evaluators)
    spread_col = first_eval + 2 * n
    consensus_col = spread_col + 3
    letters = [layout.column_letter(i) for i in range(len(titles))]
    for index, title in enumerate(titles):
        dim = ws.column_dimensions[letters[index]]
        dim.width = 45 if title.endswith(("justification", RATIONALE)) or index in (1, 3) else 11
        if title.endswith(("justification", RATIONALE)) or index in (1, 3):
            dim.alignment = WRAP
    for index in (consensus_col, consensus_col + 1):
        ws.column_dimensions[letters[index]].protection = UNLOCKED
        ws.column_dimensions[letters[index]].fill = INPUT_FILL
    ws.freeze_panes = "E2"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    last = len(rows) + 1
    consensus_letter = letters[consensus_col]
    ws.data_validations.append(
        scale_validation(tender.quality.scale, f"{consensus_letter}2:{consensus_letter}{last}")
    )
    ws.auto_filter.ref = f"A1:{letters[-1]}{last}"
    bold = Font(bold=True)
    ws.append([_cell(ws, title, font=bold) for title in titles])
    for r, row in enumerate(rows):
        values = [m[r] for m in marks]
        present = [v for v in values if not math.isnan(v)]
        spread = max(present) - min(present) if present else None
        median = _median(present)
        line: list[Any] = [_safe(ws, v) for v in row.locked()[:4]]
        for e in range(n):
            line.append(None if math.isnan(values[e]) else values[e])
            line.append(_safe(ws, justifications[e][r]) if justifications[e][r] else None)
        line.append(spread)
        flagged = spread is not None and spread >= threshold - 1e-9
        line.append(_cell(ws, FLAG, fill=FLAG_FILL, font=bold) if flagged else None)
        line.append(median)
        previous = carried.get((row.bidder_id, row.criterion_id))
        line.append(_input(ws, previous.value if previous else None))
        line.append(_input(ws, previous.rationale if previous else None))
        ws.append(line)
    ident = wb.create_sheet(layout.IDENTITY)
    ident.sheet_state = "veryHidden"
    ident.protection.sheet = True
    fields = (
        layout.MODERATION_FORMAT,
        layout.LAYOUT_VERSION,
        tender.tender.reference,
        moderation_structure(rows, evaluators),
    )
    for key, value in zip(layout.MODERATION_IDENTITY_KEYS, fields, strict=True):
        ident.append([key, value])
    buffer = io.BytesIO()
    wb.save(buffer)
    return reproducible_zip(buffer.getvalue())


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _cell(ws: Any, value: str, **style: Any) -> Any:
    cell = WriteOnlyCell(ws)
    set_text(cell, clean_text(str(value)))
    for key, item in style.items():
        setattr(cell, key, item)
    return cell


def _safe(ws: Any, value: str) -> Any:
    """Plain text as a plain value (fast: openpyxl reuses one cell); text that could be read
    as a formula as a cell forced to text."""
    value = clean_text(value)
    return _cell(ws, value) if value.startswith(TRIGGERS) else value


def _input(ws: Any, value: Any) -> Any:
    cell = WriteOnlyCell(ws)
    if isinstance(value, str):
        if value:
            set_text(cell, value)
    elif value is not None:
        cell.value = value
    cell.protection = UNLOCKED
    return cell


def moderation_structure(rows: Sequence[Row], evaluators: Sequence[str]) -> str:
    """A fingerprint of the rows and panel a moderation workbook was written for."""
    import hashlib

    text = (
        "\n".join(f"{r.bidder_id}\t{r.criterion_id}" for r in rows) + "\n" + "\t".join(evaluators)
    )
    return hashlib.sha256(text.encode()).hexdigest()


def read_consensus(data: bytes, name: str, tender: Tender, max_rows: int) -> dict[Key, Consensus]:
    """The consensus cells of a moderation workbook, keyed by (bidder_id, criterion_id).

    Rows are matched by their ids, not their position, so a sorted or filtered sheet reads
    the same. Values are returned as found; `moderate` checks them.

    Raises:
        Refused: for a file the guard refuses, another tender's workbook or a damaged layout.
    """
    from .returns import open_sheets

    limits = guard.Limits(max_rows=max_rows, max_columns=max(layout.MAX_COLUMNS, 200))
    package = guard.vet(data, name, limits)
    if layout.MODERATION not in package.sheets or layout.IDENTITY not in package.sheets:
        raise guard.refuse(
            name,
            "sheets",
            "sheets " + ", ".join(repr(s) for s in package.sheets),
            f"a {layout.MODERATION!r} sheet, as `tender collect` writes it",
        )
    sheets = open_sheets(package, (layout.MODERATION, layout.IDENTITY))
    fields = {str(r[0]): str(r[1]) for r in sheets[layout.IDENTITY] if len(r) >= 2}
    if fields.get("format") != layout.MODERATION_FORMAT:
        raise guard.refuse(
            name,
            "Identity sheet",
            "no moderation identity",
            "a workbook written by `tender collect`",
        )
    if fields.get("tender_reference") != tender.tender.reference:
        raise guard.refuse(
            name,
            "Identity sheet",
            f"a moderation workbook for tender {shorten(fields.get('tender_reference', ''))}",
            f"one for this tender, {tender.tender.reference!r}",
        )
    rows = sheets[layout.MODERATION]
    titles = [str(v) for v in rows[0]] if rows else []
    needed = ("Bidder ID", "Criterion ID", CONSENSUS, RATIONALE)
    missing = [t for t in needed if t not in titles]
    if missing:
        raise guard.refuse(
            name,
            f"{layout.MODERATION}!1:1",
            "headers without " + ", ".join(missing),
            "the headers as written by `tender collect`",
        )
    at = {title: titles.index(title) for title in needed}
    out: dict[Key, Consensus] = {}
    problems: list[Problem] = []
    for number, row in enumerate(rows[1:], start=2):
        padded = list(row) + [""] * (len(titles) - len(row))
        bidder = _id(padded[at["Bidder ID"]])
        criterion = _id(padded[at["Criterion ID"]])
        if not bidder and not criterion:
            continue
        key = (bidder, criterion)
        if key in out:
            problems.append(
                Problem(
                    name,
                    f"{layout.MODERATION}!A{number}",
                    f"bidder {bidder}, criterion {criterion} twice",
                    "each row once",
                )
            )
            continue
        rationale = padded[at[RATIONALE]]
        out[key] = Consensus(
            value=padded[at[CONSENSUS]],
            rationale="" if rationale is None else str(rationale).strip(),
            cell=f"{layout.MODERATION}!{layout.column_letter(at[CONSENSUS])}{number}",
            rationale_cell=f"{layout.MODERATION}!{layout.column_letter(at[RATIONALE])}{number}",
        )
    if problems:
        raise Refused(problems)
    return out


def _id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
