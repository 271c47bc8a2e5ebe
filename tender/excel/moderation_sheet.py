"""The moderation workbook: every evaluator's mark and justification side by side, per bidder
× criterion, with the spread, a flag for discussion, the median as a starting point, and
cells for the panel's consensus mark and rationale.

Written by `collect` with XlsxWriter (a panel of 30 marking 200 bidders × 25 criteria is
345,000 cells; XlsxWriter writes them in about 60% of openpyxl's time); read back by
`moderate`, through the same guard as any returned workbook, since the chair edits it in Excel.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import xlsxwriter  # type: ignore[import-untyped]

from ..errors import Problem, shorten
from ..model import Tender
from ..moderation import median_marks, needs_discussion, spreads
from ..outputs import FIXED_ZIP_TIME
from ..safety import TRIGGERS, clean_text
from . import guard, layout
from .guard import Refused
from .layout import Row
from .templates import JUSTIFICATION_LINES, lines_needed, row_height, validation_options

FLAG = "DISCUSS"
CONSENSUS = "Consensus mark"
RATIONALE = "Rationale"
# What the bidder reads: the panel's words for its letter, kept apart from the internal
# rationale (which may name evaluators or other bids and never leaves the panel).
FEEDBACK = "Feedback to the bidder"
MEDIAN = "Median (starting point)"
SPREAD = "Spread"
DISCUSS = "Discuss?"
INPUT_FILL = "#FFF2CC"
FLAG_FILL = "#F8CBAD"
WIDE, NARROW = 45, 11
# Column widths (characters) by title; a justification or rationale is wide enough to read.
NAME_WIDTH, ID_WIDTH, MARK_WIDTH, NOTE_WIDTH = 24, 9, 7, 40
PRINT_SCALE = 70  # percent: legible on A4; a wide panel runs across pages, IDs repeated
# Text is only ever written with write_string, so these options are a second guard: nothing
# the workbook holds is turned into a formula, a link or a number behind our back.
OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
CREATED = datetime(*FIXED_ZIP_TIME, tzinfo=UTC)  # no clock in the file: same inputs, same bytes

Key = tuple[str, str]


@dataclass(frozen=True)
class Consensus:
    """What the panel typed for one bidder × criterion, as found in the workbook."""

    value: Any  # a number, text (to be refused on ingest) or "" for none
    rationale: str
    cell: str  # e.g. 'Moderation!N14'
    rationale_cell: str
    feedback: str = ""
    feedback_cell: str = ""


def header(evaluators: Sequence[str]) -> list[str]:
    """Column titles of the moderation sheet for a panel."""
    columns = ["Bidder ID", "Bidder", "Criterion ID", "Criterion"]
    for evaluator in evaluators:
        columns += [f"{evaluator} mark", f"{evaluator} justification"]
    return [*columns, SPREAD, DISCUSS, MEDIAN, CONSENSUS, RATIONALE, FEEDBACK]


class _Styles:
    """Cell formats by column kind (wrapped; open to the chair), plain or with Excel's quote
    prefix, which keeps text that starts like a formula as text when the chair edits it."""

    KINDS = ((False, False), (True, False), (False, True), (True, True))

    def __init__(self, wb: Any) -> None:
        head = {"bold": True, "text_wrap": True, "valign": "top"}
        self.bold = wb.add_format(head)
        self.bold_quoted = wb.add_format(head | {"quote_prefix": True})
        self.flag = wb.add_format(
            {"bold": True, "pattern": 1, "bg_color": FLAG_FILL, "valign": "top"}
        )
        self.plain = {k: wb.add_format(_properties(k)) for k in self.KINDS}
        self.quoted = {
            k: wb.add_format(_properties(k) | {"quote_prefix": True}) for k in self.KINDS
        }


def _properties(kind: tuple[bool, bool]) -> dict[str, Any]:
    wrapped, unlocked = kind
    found: dict[str, Any] = {"valign": "top"}  # every cell of a tall row starts at its top
    if wrapped:
        found |= {"text_wrap": True}
    if unlocked:
        found |= {"locked": False, "pattern": 1, "bg_color": INPUT_FILL}
    return found


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
    Every text is written as text, never as a formula. A text longer than an Excel cell
    holds (32,767 characters) is cut to that length here; the marks table keeps it whole.
    """
    carried = carried or {}
    titles = header(evaluators)
    n = len(evaluators)
    spread_col = 4 + 2 * n
    consensus_col = spread_col + 3
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, OPTIONS)
    wb.set_properties({"created": CREATED})
    styles = _Styles(wb)
    ws = wb.add_worksheet(layout.MODERATION)
    kinds = [
        (
            title.endswith(("justification", RATIONALE, FEEDBACK)) or index in (1, 3),
            index >= consensus_col,
        )
        for index, title in enumerate(titles)
    ]
    widths = column_widths(titles)
    for index, kind in enumerate(kinds):
        ws.set_column(index, index, widths[index], styles.plain[kind])
    ws.freeze_panes(1, 4)
    ws.protect("", {"format_columns": True, "format_rows": True, "autofilter": True, "sort": True})
    _print_setup(ws)
    _row_heights(ws, rows, justifications, carried, widths, consensus_col)
    last = len(rows)  # 0-based index of the last row
    if rows:
        rule = validation_options(tender.quality.scale)
        _check(ws.data_validation(1, consensus_col, last, consensus_col, rule))
    ws.autofilter(0, 0, last, len(titles) - 1)
    for index, title in enumerate(titles):
        _text(ws, 0, index, title, styles.bold, styles.bold_quoted)
    _write_rows(ws, styles, rows, marks, justifications, threshold, carried, kinds)
    ident = wb.add_worksheet(layout.IDENTITY)
    ident.very_hidden()
    ident.protect()
    fields = (
        layout.MODERATION_FORMAT,
        layout.LAYOUT_VERSION,
        tender.tender.reference,
        moderation_structure(rows, evaluators),
    )
    plain, quoted = styles.plain[False, False], styles.quoted[False, False]
    for number, (key, value) in enumerate(
        zip(layout.MODERATION_IDENTITY_KEYS, fields, strict=True)
    ):
        _text(ident, number, 0, key, plain, quoted)
        _text(ident, number, 1, value, plain, quoted)
    wb.close()
    return buffer.getvalue()


def column_widths(titles: Sequence[str]) -> list[int]:
    """Widths in characters: ids and numbers narrow, names and criteria readable, each
    justification and the rationale wide enough for a sentence a line."""
    out = []
    for index, title in enumerate(titles):
        if index in (1, 3):
            out.append(NAME_WIDTH)
        elif title.endswith(("justification", RATIONALE, FEEDBACK)):
            out.append(RATIONALE_WIDTH if title in (RATIONALE, FEEDBACK) else NOTE_WIDTH)
        elif title.endswith(" mark") and title != CONSENSUS:
            out.append(MARK_WIDTH)
        elif title in (CONSENSUS, MEDIAN):
            out.append(NARROW)
        else:
            out.append(ID_WIDTH)
    return out


RATIONALE_WIDTH = WIDE


def _print_setup(ws: Any) -> None:
    """A4 landscape at a legible scale, the header row on every page; a panel too wide for
    one page runs across pages (over, then down) with the bidder's id and name repeated."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_print_scale(PRINT_SCALE)
    ws.repeat_rows(0)
    ws.repeat_columns(0, 1)
    ws.print_across()
    ws.set_footer("&L&A&RPage &P of &N")


def _row_heights(
    ws: Any,
    rows: Sequence[Row],
    justifications: Sequence[Sequence[str]],
    carried: Mapping[Key, Consensus],
    widths: Sequence[float],
    consensus_col: int,
) -> None:
    """Each row as tall as its longest wrapped text (LibreOffice does not size rows to their
    text when it opens a workbook, so text would print over the rows below)."""
    ws.set_row(0, row_height(3))
    for at, row in enumerate(rows, start=1):
        shown = max(
            lines_needed(row.bidder, widths[1]),
            lines_needed(row.criterion, widths[3]),
            JUSTIFICATION_LINES - 1,
        )
        for e, notes in enumerate(justifications):
            if notes[at - 1]:
                shown = max(shown, lines_needed(notes[at - 1], widths[5 + 2 * e]))
        previous = carried.get((row.bidder_id, row.criterion_id))
        if previous and previous.rationale:
            shown = max(shown, lines_needed(previous.rationale, widths[consensus_col + 1]))
        if previous and previous.feedback:
            shown = max(shown, lines_needed(previous.feedback, widths[consensus_col + 2]))
        ws.set_row(at, row_height(shown))


def _write_rows(
    ws: Any,
    styles: _Styles,
    rows: Sequence[Row],
    marks: Sequence[Sequence[float]],
    justifications: Sequence[Sequence[str]],
    threshold: float,
    carried: Mapping[Key, Consensus],
    kinds: Sequence[tuple[bool, bool]],
) -> None:
    """One sheet row per bidder × criterion, from row 2.

    The hot loop (345,000 cells for a panel of 30 on 200 bidders × 25 criteria): written a
    column at a time, which XlsxWriter allows in memory, with spread and median computed
    for all rows at once.
    """
    quoted = [styles.quoted[kind] for kind in kinds]
    for col in range(4):
        _write_texts(ws, col, [row.locked()[col] for row in rows], quoted[col])
    for e, (column_marks, notes) in enumerate(zip(marks, justifications, strict=True)):
        col = 4 + 2 * e
        write_number = ws.write_number
        for at, mark in enumerate(column_marks, start=1):
            if mark == mark:  # not NaN: a missing mark stays an empty cell
                write_number(at, col, mark)
        _write_texts(ws, col + 1, notes, quoted[col + 1])
    spread_col = 4 + 2 * len(marks)
    _write_spreads(ws, styles, spread_col, marks, len(rows), threshold)
    _write_carried(ws, styles, spread_col + 3, rows, carried, quoted)


def _write_texts(ws: Any, col: int, texts: Sequence[str], quoted: Any) -> None:
    """A column of outside text from row 2, each as text; empty ones left empty."""
    write_string = ws.write_string
    seen: dict[str, tuple[str, bool]] = {}  # names and stock phrases repeat down a column
    for at, text in enumerate(texts, start=1):
        if not text:
            continue
        found = seen.get(text)
        if found is None:
            value = clean_text(text)
            found = seen[text] = (value, value.startswith(TRIGGERS))
        write_string(at, col, found[0], quoted if found[1] else None)


def _write_spreads(
    ws: Any,
    styles: _Styles,
    col: int,
    marks: Sequence[Sequence[float]],
    count: int,
    threshold: float,
) -> None:
    """Spread, discussion flag and median per row, for rows with at least one mark."""
    cube = np.array(marks, dtype=float).reshape(len(marks), count).T  # rows × evaluators
    spread, median = spreads(cube).tolist(), median_marks(cube).tolist()
    flagged = needs_discussion(spread, threshold).tolist()
    for at, (gap, middle) in enumerate(zip(spread, median, strict=True), start=1):
        if gap == gap:  # NaN when no evaluator marked the row
            ws.write_number(at, col, gap)
            if flagged[at - 1]:
                ws.write_string(at, col + 1, FLAG, styles.flag)
            ws.write_number(at, col + 2, middle)


def _write_carried(
    ws: Any,
    styles: _Styles,
    col: int,
    rows: Sequence[Row],
    carried: Mapping[Key, Consensus],
    quoted: Sequence[Any],
) -> None:
    """The consensus, rationale and feedback cells, open to the chair: blank, or as entered
    in an earlier version of the workbook for the same bidder × criterion."""
    unlocked, unlocked_wrap = styles.plain[False, True], styles.plain[True, True]
    for at, row in enumerate(rows, start=1):
        previous = carried.get((row.bidder_id, row.criterion_id))
        value = previous.value if previous else None
        if value is None or value == "":
            ws.write_blank(at, col, None, unlocked)
        elif isinstance(value, bool):
            ws.write_boolean(at, col, value, unlocked)
        elif isinstance(value, int | float) and math.isfinite(value):
            ws.write_number(at, col, value, unlocked)
        else:  # text, or a date typed by mistake: kept as text for the chair to correct
            _text(ws, at, col, str(value), unlocked, quoted[col])
        for offset, text in ((1, previous.rationale if previous else ""),
                             (2, previous.feedback if previous else "")):  # fmt: skip
            if text:
                _text(ws, at, col + offset, text, unlocked_wrap, quoted[col + offset])
            else:
                ws.write_blank(at, col + offset, None, unlocked_wrap)


def _text(ws: Any, row: int, col: int, value: str, plain: Any, quoted: Any) -> None:
    """Write text as text: control characters replaced, and a quote prefix on text that
    Excel would otherwise take for a formula when the cell is edited."""
    value = clean_text(str(value))
    ws.write_string(row, col, value, quoted if value.startswith(TRIGGERS) else plain)


def _check(status: int) -> None:
    if status != 0:
        raise ValueError(f"XlsxWriter refused the consensus validation (status {status})")


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
    from .cells import read_sheets

    limits = guard.Limits(max_rows=max_rows, max_columns=max(layout.MAX_COLUMNS, 200))
    package = guard.vet(data, name, limits)
    if layout.MODERATION not in package.sheets or layout.IDENTITY not in package.sheets:
        raise guard.refuse(
            name,
            "sheets",
            "sheets " + ", ".join(repr(s) for s in package.sheets),
            f"a {layout.MODERATION!r} sheet, as `tender collect` writes it",
        )
    # a filtered sheet reads the same: hidden rows are the meeting's view, not a trick
    sheets = read_sheets(package, (layout.MODERATION, layout.IDENTITY), hidden_rows=True)
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
    at = {title: titles.index(title) for title in (*needed, FEEDBACK) if title in titles}
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
        feedback = padded[at[FEEDBACK]] if FEEDBACK in at else ""
        out[key] = Consensus(
            value=padded[at[CONSENSUS]],
            rationale="" if rationale is None else str(rationale).strip(),
            cell=f"{layout.MODERATION}!{layout.column_letter(at[CONSENSUS])}{number}",
            rationale_cell=f"{layout.MODERATION}!{layout.column_letter(at[RATIONALE])}{number}",
            feedback="" if feedback is None else str(feedback).strip(),
            feedback_cell=(
                f"{layout.MODERATION}!{layout.column_letter(at[FEEDBACK])}{number}"
                if FEEDBACK in at
                else ""
            ),
        )
    if problems:
        raise Refused(problems)
    return out


def _id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
