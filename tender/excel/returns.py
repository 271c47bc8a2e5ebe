"""Read a returned marking workbook into marks, or refuse it with every problem found.

Order matters: the guard vets the raw file first; then the sealed identity is checked
(right tender, a panel member, unedited, issued for the current bid list and criteria);
then the locked content is compared with what was issued; only then are the marks and
the declaration read. Values are read from the parts the guard vetted, as displayed
(`cells`): no formula, no cached value, no number its format disguises.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from operator import itemgetter
from typing import Any

from ..errors import Problem, exact, shorten
from ..marks import ProblemList, on_scale
from ..model import Evaluator, Tender
from ..seal import is_sealed
from . import cells, guard, layout
from .guard import Refused
from .layout import Row

MAX_STRUCTURE_PROBLEMS = 20


@dataclass(frozen=True)
class Return:
    """An accepted return: one mark and justification per issued row, in row order."""

    name: str
    evaluator_id: str
    issue: int
    template_id: str
    saved_at: str | None
    marks: list[float]
    justifications: list[str]
    declaration: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Expected:
    """What a return for this tender must look like."""

    tender: Tender
    rows: Sequence[Row]
    structure: str
    key: bytes
    # evaluators with a recorded chair's decision on their declared conflict
    decided: frozenset[str] = frozenset()

    @cached_property
    def locked(self) -> list[list[str]]:
        """The locked cells of every row, as issued (computed once per collection)."""
        return [list(row.locked()) for row in self.rows]

    @property
    def limits(self) -> guard.Limits:
        rows = layout.FIRST_ROW + len(self.rows) + layout.ROW_SLACK
        return guard.Limits(max_rows=max(rows, 1000), max_columns=layout.MAX_COLUMNS)


def open_sheets(package: guard.Package, names: Sequence[str]) -> dict[str, cells.Grid]:
    """Values of the named sheets of a vetted package, read from the vetted parts.

    Raises:
        Refused: naming each cell whose value a person would not see as stored.
    """
    return cells.read_sheets(package, names)


def read_return(data: bytes, name: str, expected: Expected) -> Return:
    """Check a returned workbook and read its marks.

    Raises:
        Refused: listing every problem found, each naming the sheet and cell.
    """
    package = guard.vet(data, name, expected.limits)
    _check_sheets(package)
    sheets = open_sheets(package, layout.TEMPLATE_SHEETS)
    identity = _identity(sheets[layout.IDENTITY], name, expected)
    evaluator = next(e for e in expected.tender.panel if e.id == identity["evaluator_id"])
    marking = sheets[layout.MARKING]
    _check_structure(marking, name, expected)
    problems = ProblemList(name)
    declaration = _declaration(
        sheets[layout.COVER], evaluator, problems, evaluator.id in expected.decided
    )
    marks, justifications = _marks(marking, expected, problems)
    if problems.items:
        raise Refused(problems.done())
    return Return(
        name=name,
        evaluator_id=evaluator.id,
        issue=int(identity["issue"]),
        template_id=identity["template_id"],
        saved_at=package.modified,
        marks=marks,
        justifications=justifications,
        declaration=declaration,
    )


def _check_sheets(package: guard.Package) -> None:
    found = list(package.sheets)
    missing = [s for s in layout.TEMPLATE_SHEETS if s not in package.sheets]
    extra = [s for s in found if s not in layout.TEMPLATE_SHEETS]
    if missing or extra:
        shown = ", ".join(repr(s) for s in found) or "none"
        raise guard.refuse(
            package.name,
            "sheets",
            f"sheets {shown}",
            "the sheets as issued: "
            + ", ".join(repr(s) for s in layout.TEMPLATE_SHEETS)
            + " (sheets must not be renamed, added or deleted)",
        )
    guard.require_as_issued(package, (layout.COVER, layout.MARKING))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _identity(rows: list[list[Any]], name: str, expected: Expected) -> dict[str, str]:
    """The identity fields, after checking the seal, the tender and the evaluator."""
    fields = {_text(r[0]): _text(r[1]) for r in rows if len(r) >= 2 and _text(r[0])}
    tender = expected.tender
    where = f"{layout.IDENTITY} sheet"
    if fields.get("format") != layout.TEMPLATE_FORMAT:
        raise guard.refuse(
            name, where, "no template identity", "a marking template issued by `tender templates`"
        )
    reference = fields.get("tender_reference", "")
    if reference != tender.tender.reference:
        raise guard.refuse(
            name,
            where,
            f"a template for tender {shorten(reference)}",
            f"a template for this tender, {tender.tender.reference!r}",
        )
    identity = {key: fields.get(key, "") for key in layout.IDENTITY_KEYS}
    if not is_sealed(expected.key, identity, fields.get(layout.SEAL_KEY, "")):
        raise guard.refuse(
            name,
            where,
            "an identity that does not match its seal (edited, or issued from another copy "
            "of this tender)",
            "the identity exactly as issued",
        )
    if identity["layout_version"] != layout.LAYOUT_VERSION:
        raise guard.refuse(
            name,
            where,
            f"template layout {shorten(identity['layout_version'])}",
            f"layout {layout.LAYOUT_VERSION}: issue new templates",
        )
    if identity["evaluator_id"] not in tender.panel_ids():
        raise guard.refuse(
            name,
            where,
            f"evaluator {shorten(identity['evaluator_id'])}",
            "a member of the panel: " + ", ".join(tender.panel_ids()),
        )
    if identity["structure"] != expected.structure:
        raise guard.refuse(
            name,
            where,
            f"a template issued for other bids or criteria (issue {identity['issue']})",
            "a template for the current bids and criteria: issue templates again",
        )
    return identity


def _as_issued(rows: list[list[Any]], expected: Expected) -> bool:
    """True when the header and every locked cell are exactly as issued, with nothing below."""
    first = layout.FIRST_ROW - 1
    count = len(expected.rows)
    body = rows[first : first + count]
    return (
        bool(rows)
        and tuple(rows[0][: len(layout.MARKING_HEADER)]) == layout.MARKING_HEADER
        and len(body) == count
        and [r[: layout.LOCKED_COLUMNS] for r in body] == expected.locked
        and not any(_text(v).strip() for r in rows[first + count :] for v in r)
    )


def _check_structure(rows: list[list[Any]], name: str, expected: Expected) -> None:
    """Compare the locked cells with what was issued; refuse with the cells that differ."""
    if _as_issued(rows, expected):
        return  # the usual case, checked in one comparison; the loop below names the cells
    width = layout.LOCKED_COLUMNS
    problems: list[Problem] = []
    sheet = layout.MARKING

    def locked(index: int) -> tuple[str, ...]:
        if index >= len(rows):
            return ("",) * width
        cells = rows[index][:width]
        return tuple(_text(v) for v in cells) + ("",) * (width - len(cells))

    header = tuple(_text(v) for v in (rows[0] if rows else [])[: len(layout.MARKING_HEADER)])
    if header != layout.MARKING_HEADER:
        problems.append(
            Problem(
                name,
                f"{sheet}!A1",
                f"headers {shorten(' | '.join(header))}",
                "headers " + " | ".join(layout.MARKING_HEADER),
            )
        )
    for position, row in enumerate(expected.rows):
        index = position + layout.FIRST_ROW - 1
        problem = _first_difference(name, index, locked(index), row.locked())
        if problem is not None:
            problems.append(problem)
        if len(problems) >= MAX_STRUCTURE_PROBLEMS:
            break
    last = len(expected.rows) + layout.FIRST_ROW - 1
    for index in range(last, len(rows)):
        if any(_text(v).strip() for v in rows[index]) and len(problems) < MAX_STRUCTURE_PROBLEMS:
            problems.append(
                Problem(
                    name,
                    f"{sheet}!A{index + 1}",
                    "content below the last issued row",
                    f"nothing below row {last}",
                )
            )
            break
    if problems:
        raise Refused(problems)


def _first_difference(
    name: str, index: int, got: tuple[str, ...], want: tuple[str, ...]
) -> Problem | None:
    for column, (found, issued) in enumerate(zip(got, want, strict=True)):
        if found != issued:
            return Problem(
                name,
                f"{layout.MARKING}!{layout.column_letter(column)}{index + 1}",
                shorten(found) if found else "an empty cell",
                f"{issued!r} as issued (rows must not be inserted, deleted, moved or edited)",
            )
    return None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).upper()} (a true/false value)"
    if isinstance(value, datetime | date | time):
        return f"a date or time ({value}; Excel may have turned the entry into a date)"
    if isinstance(value, str):
        return f"{shorten(value)} (text)"
    return shorten(value)


def _marks(
    rows: list[list[Any]], expected: Expected, problems: ProblemList
) -> tuple[list[float], list[str]]:
    fast = _marks_fast(rows, expected)
    if fast is not None:
        return fast
    return _marks_checked(rows, expected, problems)


def _marks_fast(rows: list[list[Any]], expected: Expected) -> tuple[list[float], list[str]] | None:
    """Marks and justifications when every row is complete and on the scale, checked column-wise;
    None otherwise (then `_marks_checked` names each problem cell)."""
    import numpy as np

    first = layout.FIRST_ROW - 1
    body = rows[first : first + len(expected.rows)]
    # each column's check one pass in C (map, set), not a step of Python per row
    if min(map(len, body), default=layout.JUSTIFICATION_INDEX + 1) <= layout.JUSTIFICATION_INDEX:
        return None
    values = list(map(itemgetter(layout.MARK_INDEX), body))
    if not set(map(type, values)) <= {float}:
        return None
    marks = np.array(values, dtype=float)
    ok = on_scale(marks, expected.tender.quality.scale)  # the one rule score applies too
    texts = list(map(itemgetter(layout.JUSTIFICATION_INDEX), body))
    if set(map(type, texts)) <= {str}:
        notes = list(map(str.strip, texts))
    else:
        notes = [v.strip() if isinstance(v, str) else _text(v).strip() for v in texts]
    if not ok.all() or (
        expected.tender.quality.moderation.require_justification and not all(notes)
    ):
        return None
    return values, notes


def _marks_checked(
    rows: list[list[Any]], expected: Expected, problems: ProblemList
) -> tuple[list[float], list[str]]:
    scale = expected.tender.quality.scale
    require = expected.tender.quality.moderation.require_justification
    marks: list[float] = []
    notes: list[str] = []
    missing: list[int] = []
    for position in range(len(expected.rows)):
        index = position + layout.FIRST_ROW - 1
        row = rows[index]
        value = row[layout.MARK_INDEX] if len(row) > layout.MARK_INDEX else ""
        note = row[layout.JUSTIFICATION_INDEX] if len(row) > layout.JUSTIFICATION_INDEX else ""
        note = _text(note).strip()
        cell = f"{layout.MARKING}!{layout.MARK_COLUMN}{index + 1}"
        mark = math.nan
        if isinstance(value, str) and not value.strip():
            missing.append(index + 1)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.add(cell, _describe(value), scale.describe())
        elif not math.isfinite(value) or not scale.allows(float(value)):
            problems.add(cell, exact(value), scale.describe())
        else:
            mark = float(value)
            if require and not note:
                problems.add(
                    f"{layout.MARKING}!{layout.JUSTIFICATION_COLUMN}{index + 1}",
                    f"mark {mark:g} with no justification",
                    "a justification by reference to the bid",
                )
        marks.append(mark)
        notes.append(note)
    if missing and len(missing) == len(expected.rows):
        problems.add(layout.MARKING, "no marks at all (a blank template)", "a mark in every row")
    else:
        for number in missing:
            problems.add(
                f"{layout.MARKING}!{layout.MARK_COLUMN}{number}", "no mark", scale.describe()
            )
    return marks, notes


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _declaration(
    rows: list[list[Any]], evaluator: Evaluator, problems: ProblemList, decided: bool = False
) -> dict[str, str]:
    """The Cover's declaration; a declared conflict is refused unless the chair's decision
    on it is recorded (`decided`, from data.conflict_decisions)."""
    answers = _declaration_answers(rows, problems)
    cell = {key: f"{layout.COVER}!B{number}" for key, number, _ in layout.DECLARATION}
    _check_signature(answers, cell, evaluator, problems)
    _check_conflict(answers, cell, problems, decided)
    return answers


def _declaration_answers(rows: list[list[Any]], problems: ProblemList) -> dict[str, str]:
    """Each declaration answer as text, by its key; a label not as issued is a problem."""
    answers: dict[str, str] = {}
    for key, number, label in layout.DECLARATION:
        row = rows[number - 1] if number - 1 < len(rows) else []
        found_label = _text(row[0]) if row else ""
        value = row[1] if len(row) > 1 else ""
        if isinstance(value, datetime | date):
            value = value.isoformat()
        answers[key] = _text(value).strip()
        if found_label != label:
            problems.add(f"{layout.COVER}!A{number}", shorten(found_label), f"{label!r} as issued")
    return answers


def _check_signature(
    answers: dict[str, str], cell: dict[str, str], evaluator: Evaluator, problems: ProblemList
) -> None:
    """The declaration is signed with this evaluator's name, and dated."""
    if not answers["name"]:
        problems.add(cell["name"], "no name", "the evaluator's full name, signing the declaration")
    elif evaluator.name and _normal(answers["name"]) != _normal(evaluator.name):
        problems.add(
            cell["name"],
            shorten(answers["name"]),
            f"the name of evaluator {evaluator.id}, {evaluator.name!r} (is this another "
            "evaluator's template?)",
        )
    if not answers["date"]:
        problems.add(cell["date"], "no date", "the date of the declaration")


def _check_conflict(
    answers: dict[str, str], cell: dict[str, str], problems: ProblemList, decided: bool
) -> None:
    """The conflict answer is No or Yes, and a Yes only counts once the chair decided on it."""
    conflict = answers["conflict"].casefold()
    if conflict not in {a.casefold() for a in layout.CONFLICT_ANSWERS}:
        problems.add(
            cell["conflict"],
            shorten(answers["conflict"]) if answers["conflict"] else "no answer",
            "No or Yes",
        )
    elif conflict == "yes" and not decided:
        problems.add(
            cell["conflict"],
            f"a declared conflict of interest ({shorten(answers['details'] or 'no details')})",
            "No; the chair must decide on a declared conflict before these marks are used "
            "(record it in data.conflict_decisions)",
        )
