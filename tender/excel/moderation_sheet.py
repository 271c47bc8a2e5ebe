"""The moderation workbook: every evaluator's mark and justification side by side, per bidder
× criterion, with the spread, a flag for discussion, the median as a starting point, and
cells for the panel's consensus mark and rationale.

Written by `collect` with XlsxWriter, all but the rows below the header: a panel of 30
marking 200 bidders × 25 criteria is 345,000 cells, which XlsxWriter's per-cell calls took
most of `collect` to write, so those rows are built column by column as XML text
(`sheet_rows`) and spliced into the sheet XlsxWriter wrote. Read back by `moderate`,
through the same guard as any returned workbook, since the chair edits it in Excel.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import xlsxwriter  # type: ignore[import-untyped]

from ..errors import Problem, shorten
from ..model import Tender
from ..moderation import median_marks, needs_discussion, spreads
from ..outputs import FIXED_ZIP_TIME
from ..safety import TRIGGERS, clean_text
from . import guard, layout, sheet_rows
from .guard import Refused
from .layout import Row
from .templates import (
    JUSTIFICATION_LINES,
    line_capacity,
    lines_needed,
    row_height,
    validation_options,
)

if TYPE_CHECKING:
    from .cells import Grid

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

    value: object  # a number, text (to be refused on ingest) or "" for none, as the cell held it
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
        # Numbered now, so the rows written as text (`_body`) can name them, and so the
        # styles part holds each of them whether or not XlsxWriter wrote a cell with it.
        for item in (self.bold, self.bold_quoted, self.flag, *self.plain.values(),
                     *self.quoted.values()):  # fmt: skip
            item._get_xf_index()


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
    ws.set_row(0, row_height(3))
    heights = _row_heights(rows, justifications, carried, widths, consensus_col)
    last = len(rows)  # 0-based index of the last row
    if rows:
        rule = validation_options(tender.quality.scale)
        _check(ws.data_validation(1, consensus_col, last, consensus_col, rule))
    ws.autofilter(0, 0, last, len(titles) - 1)
    for index, title in enumerate(titles):
        _text(ws, 0, index, title, styles.bold, styles.bold_quoted)
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
    columns = _columns(styles, rows, marks, justifications, threshold, carried, kinds)
    body = (
        sheet_rows.row(number, height, cells)
        for number, height, cells in zip(
            range(2, last + 2), heights, zip(*columns, strict=True), strict=True
        )
    )
    used = f"A1:{layout.column_letter(len(titles) - 1)}{last + 1}"
    return sheet_rows.splice(buffer.getvalue(), SHEET_PART, body, used)


SHEET_PART = "xl/worksheets/sheet1.xml"  # the Moderation sheet, the workbook's first


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
    rows: Sequence[Row],
    justifications: Sequence[Sequence[str]],
    carried: Mapping[Key, Consensus],
    widths: Sequence[float],
    consensus_col: int,
) -> list[float]:
    """Each row as tall as its longest wrapped text (LibreOffice does not size rows to their
    text when it opens a workbook, so text would print over the rows below)."""
    known: dict[tuple[str, float], int] = {}  # names and criteria repeat down the sheet

    def lines(text: str, width: float) -> int:
        found = known.get((text, width))
        if found is None:
            found = known[text, width] = lines_needed(text, width)
        return found

    shown = [
        max(lines(row.bidder, widths[1]), lines(row.criterion, widths[3]), JUSTIFICATION_LINES - 1)
        for row in rows
    ]
    for e, notes in enumerate(justifications):
        width = widths[5 + 2 * e]
        fits = line_capacity(width)  # a note no longer is one line: it never decides
        for at, note in enumerate(notes):
            if len(note) > fits or "\n" in note:
                shown[at] = max(shown[at], lines_needed(note, width))
    for at, row in enumerate(rows):
        previous = carried.get((row.bidder_id, row.criterion_id))
        for offset, text in ((1, previous.rationale if previous else ""),
                             (2, previous.feedback if previous else "")):  # fmt: skip
            if text:
                shown[at] = max(shown[at], lines_needed(text, widths[consensus_col + offset]))
    return [row_height(count) for count in shown]


Column = list[str]  # one cell's XML per sheet row, '' where the cell is left empty


def _columns(
    styles: _Styles,
    rows: Sequence[Row],
    marks: Sequence[Sequence[float]],
    justifications: Sequence[Sequence[str]],
    threshold: float,
    carried: Mapping[Key, Consensus],
    kinds: Sequence[tuple[bool, bool]],
) -> list[Column]:
    """The cells of every sheet row from row 2, a column at a time (345,000 cells for a
    panel of 30 on 200 bidders × 25 criteria), with spread and median computed for all rows
    at once. A cell without a style of its own takes its column's, as XlsxWriter writes it."""
    plain = [styles.plain[kind]._get_xf_index() for kind in kinds]
    quoted = [styles.quoted[kind]._get_xf_index() for kind in kinds]
    refs = _Refs(len(kinds), len(rows))
    columns = [
        _texts(refs.column(col), [row.locked()[col] for row in rows], plain[col], quoted[col])
        for col in range(4)
    ]
    for e, (column_marks, notes) in enumerate(zip(marks, justifications, strict=True)):
        col = 4 + 2 * e
        style = plain[col]
        columns.append(
            [
                sheet_rows.number_cell(ref, style, mark) if mark == mark else ""  # NaN: none
                for ref, mark in zip(refs.column(col), column_marks, strict=True)
            ]
        )
        columns.append(_texts(refs.column(col + 1), notes, plain[col + 1], quoted[col + 1]))
    spread_col = 4 + 2 * len(marks)
    columns += _spreads(styles, refs, spread_col, marks, len(rows), threshold, plain)
    columns += _carried(styles, refs, spread_col + 3, rows, carried, quoted)
    return columns


class _Refs:
    """Cell references of the body rows, by column (B2, B3, ...)."""

    def __init__(self, width: int, height: int) -> None:
        self.numbers = [str(n) for n in range(2, height + 2)]
        self.letters = [layout.column_letter(col) for col in range(width)]

    def column(self, col: int) -> list[str]:
        letter = self.letters[col]
        return [letter + number for number in self.numbers]


def _texts(refs: Sequence[str], texts: Sequence[str], plain: int, quoted: int) -> Column:
    """A column of outside text, each as text; empty ones left empty."""
    seen: dict[str, tuple[str, int]] = {}  # names and stock phrases repeat down a column
    out = []
    for ref, text in zip(refs, texts, strict=True):
        if not text:
            out.append("")
            continue
        found = seen.get(text)
        if found is None:
            found = seen[text] = _shown(text, plain, quoted)
        out.append(sheet_rows.text_cell(ref, found[1], found[0]))
    return out


def _shown(text: str, plain: int, quoted: int) -> tuple[str, int]:
    """Outside text as a cell holds it: control characters replaced, cut to a cell's
    length, with Excel's quote prefix when it would otherwise become a formula on edit."""
    value = sheet_rows.fitted(clean_text(text))
    return sheet_rows.inline(value), quoted if value.startswith(TRIGGERS) else plain


def _spreads(
    styles: _Styles,
    refs: _Refs,
    col: int,
    marks: Sequence[Sequence[float]],
    count: int,
    threshold: float,
    plain: Sequence[int],
) -> list[Column]:
    """Spread, discussion flag and median per row, for rows with at least one mark."""
    cube = np.array(marks, dtype=float).reshape(len(marks), count).T  # rows × evaluators
    spread, median = spreads(cube).tolist(), median_marks(cube).tolist()
    flagged = needs_discussion(spread, threshold).tolist()
    flag = styles.flag._get_xf_index()
    part = sheet_rows.inline(FLAG)
    gaps, flags, middles = [], [], []
    for at, (gap, middle) in enumerate(zip(spread, median, strict=True)):
        marked = gap == gap  # NaN when no evaluator marked the row
        gaps.append(sheet_rows.number_cell(refs.letters[col] + refs.numbers[at], plain[col], gap)
                    if marked else "")  # fmt: skip
        flags.append(sheet_rows.text_cell(refs.letters[col + 1] + refs.numbers[at], flag, part)
                     if marked and flagged[at] else "")  # fmt: skip
        middles.append(
            sheet_rows.number_cell(refs.letters[col + 2] + refs.numbers[at], plain[col + 2], middle)
            if marked else "")  # fmt: skip
    return [gaps, flags, middles]


def _carried(
    styles: _Styles,
    refs: _Refs,
    col: int,
    rows: Sequence[Row],
    carried: Mapping[Key, Consensus],
    quoted: Sequence[int],
) -> list[Column]:
    """The consensus, rationale and feedback cells, open to the chair: blank, or as entered
    in an earlier version of the workbook for the same bidder × criterion."""
    unlocked = styles.plain[False, True]._get_xf_index()
    unlocked_wrap = styles.plain[True, True]._get_xf_index()
    consensus: Column = []
    notes: tuple[Column, Column] = ([], [])
    for at, row in enumerate(rows):
        number = refs.numbers[at]
        ref = refs.letters[col] + number
        previous = carried.get((row.bidder_id, row.criterion_id))
        value = previous.value if previous else None
        if value is None or value == "":
            consensus.append(sheet_rows.blank_cell(ref, unlocked))
        elif isinstance(value, bool):
            consensus.append(sheet_rows.boolean_cell(ref, unlocked, value))
        elif isinstance(value, int | float) and math.isfinite(value):
            consensus.append(sheet_rows.number_cell(ref, unlocked, value))
        else:  # text, or a date typed by mistake: kept as text for the chair to correct
            part, style = _shown(str(value), unlocked, quoted[col])
            consensus.append(sheet_rows.text_cell(ref, style, part))
        texts = (previous.rationale, previous.feedback) if previous else ("", "")
        for offset, (out, text) in enumerate(zip(notes, texts, strict=True), start=1):
            ref = refs.letters[col + offset] + number
            if text:
                part, style = _shown(text, unlocked_wrap, quoted[col + offset])
                out.append(sheet_rows.text_cell(ref, style, part))
            else:
                out.append(sheet_rows.blank_cell(ref, unlocked_wrap))
    return [consensus, *notes]


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
    _check_identity(sheets[layout.IDENTITY], name, tender)
    rows = sheets[layout.MODERATION]
    titles = [str(v) for v in rows[0]] if rows else []
    return _consensus_rows(rows, name, titles, _consensus_columns(titles, name))


def _check_identity(identity: Grid, name: str, tender: Tender) -> None:
    """The Identity sheet names a moderation workbook written for this tender."""
    fields = {str(r[0]): str(r[1]) for r in identity if len(r) >= 2}
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


def _consensus_columns(titles: list[str], name: str) -> dict[str, int]:
    """The column of each header read, by its title: the four needed ones must be there,
    the feedback column may not be (workbooks written before it was added)."""
    needed = ("Bidder ID", "Criterion ID", CONSENSUS, RATIONALE)
    missing = [t for t in needed if t not in titles]
    if missing:
        raise guard.refuse(
            name,
            f"{layout.MODERATION}!1:1",
            "headers without " + ", ".join(missing),
            "the headers as written by `tender collect`",
        )
    return {title: titles.index(title) for title in (*needed, FEEDBACK) if title in titles}


def _consensus_rows(
    rows: Grid, name: str, titles: list[str], at: dict[str, int]
) -> dict[Key, Consensus]:
    """Each row's consensus by its ids; rows without ids are skipped, and a pair of ids
    found twice is refused (with every other pair found twice)."""
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
        out[key] = _consensus(padded, at, number)
    if problems:
        raise Refused(problems)
    return out


def _consensus(padded: list[Any], at: dict[str, int], number: int) -> Consensus:
    """One row's consensus, rationale and feedback, each with the cell it was read from."""
    rationale = padded[at[RATIONALE]]
    feedback = padded[at[FEEDBACK]] if FEEDBACK in at else ""
    return Consensus(
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


def _id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
