"""Ingest the panel's consensus from the moderation workbook into the moderated marks file.

Each consensus mark must be on the scale, and must carry a rationale where it differs from
the median of the evaluators' marks (the starting point the workbook showed). Individual
marks are never touched: the consensus is a separate record (`data.moderated`), and the
log keeps what changed from the previous consensus, with the panel's reason.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from .. import moderation
from ..audit import append_log, last_hash, sha256_bytes
from ..errors import Problem, TenderError, TenderInputError, exact, raise_if, shorten
from ..excel import layout
from ..excel.guard import Limits
from ..excel.moderation_sheet import Consensus, read_consensus
from ..feedback import feedback_leak
from ..files import FileRefused, Gate, os_errors, read_regular
from ..inputs import display_path, load_tender, project_root, read_csv_text
from ..lock import tender_lock
from ..model import Tender
from ..panel import bidder_list, bidders_to_mark, panel_files, protected_files, written_path
from ..safety import csv_cell

MARK_KEYS = ["bidder_id", "criterion_id", "evaluator_id"]
MODERATED_COLUMNS = ["bidder_id", "criterion_id", "moderated_mark", "rationale", "feedback"]


@dataclass(frozen=True)
class Ingested:
    """The moderated marks written from a moderation workbook."""

    path: Path
    rows: int
    differing: int  # consensus marks that differ from the median
    changed: int  # consensus marks that differ from the previous moderated file


def medians(tender: Tender) -> dict[tuple[str, str], float]:
    """Median of the evaluators' marks per (bidder_id, criterion_id), from the marks file.

    The median is `moderation.median_marks`, the one the moderation workbook showed the
    panel and the one `score` uses when no consensus exists.
    """
    if tender.data.marks is None:
        return {}
    path = tender.resolve(tender.data.marks)
    name = display_path(path, project_root(tender))
    frame = read_csv_text(path, name)
    expected = "bidder_id, criterion_id, evaluator_id, mark (as `tender collect` writes)"
    missing = [c for c in [*MARK_KEYS, "mark"] if c not in frame.columns]
    if missing:
        raise TenderInputError(
            [Problem(name, "header", f"no column {', '.join(missing)}", expected)]
        )
    keys = pd.MultiIndex.from_frame(frame[MARK_KEYS])
    repeated = keys.duplicated()
    if repeated.any():
        first = int(repeated.argmax())
        found = ", ".join(str(v) for v in keys[first])
        raise TenderInputError(
            [Problem(name, f"row {first + 2}", f"a second mark for {found}", expected)]
        )
    marks = pd.Series(pd.to_numeric(frame["mark"], errors="coerce").to_numpy(), index=keys)
    cube = marks.unstack(level="evaluator_id")
    middle = moderation.median_marks(cube.to_numpy(dtype=np.float64))
    return {
        cast(tuple[str, str], key): float(value)
        for key, value in zip(cube.index, middle, strict=True)
        if not math.isnan(value)
    }


def ingest_moderation(tender: Tender, workbook: Path, out: Path | None = None) -> Ingested:
    """Read consensus marks and rationales into the moderated marks CSV (written atomically).

    Raises:
        TenderInputError: every problem at once, each naming the sheet and cell; nothing is
            written then.
    """
    if out is None and tender.data.moderated is None:
        raise TenderError(
            f"{tender.source}: data.moderated: found nothing; expected the path of the "
            "moderated marks file"
        )
    target = out or written_path(tender, tender.data.moderated or "")
    log = panel_files(tender).log
    gate = Gate(
        (*protected_files(tender, writing=("moderated",)), workbook),
        project_root(tender),
        named={out: "--out"} if out else {},
        appends=(log,),
        where={} if out else {target: "data.moderated"},
    )
    gate.check([target])
    name = workbook.name
    rows = layout.marking_rows(tender, bidders_to_mark(tender).marked)
    try:  # a FIFO or a file that keeps growing must not hang the run or exhaust memory
        data = read_regular(workbook, Limits().max_file_bytes, expected="a moderation workbook")
    except FileRefused as refused:
        raise TenderInputError([Problem(name, "", refused.found, refused.expected)]) from None
    cells = read_consensus(data, name, tender, len(rows) + 1000)
    checked = _check_rows(tender, rows, cells, name)
    raise_if(checked.problems)
    output, differing = checked.rows, checked.differing
    with tender_lock(panel_files(tender).folder):  # changes since the last moderation
        rendered = _render(output)
        changes = _changes(target, output)
        last_hash(log)  # a damaged log is refused before any write
        with os_errors(target, "write the moderated marks"):
            gate.write({target: rendered})
        root = project_root(tender)
        append_log(
            log,
            "moderation_ingested",
            at=_now(),
            workbook=display_path(workbook, root),
            workbook_sha256=sha256_bytes(data),
            moderated=display_path(target, root),
            moderated_sha256=sha256_bytes(rendered),
            rows=len(output),
            differing_from_median=differing,
            changes=changes,
        )
    return Ingested(target, len(output), differing, len(changes))


@dataclass
class _Checked:
    """The consensus rows that passed, every problem found, and how many differ from the median."""

    rows: list[tuple[str, str, float, str, str]]
    problems: list[Problem]
    differing: int


def _check_rows(
    tender: Tender, rows: list[layout.Row], cells: dict[tuple[str, str], Consensus], name: str
) -> _Checked:
    """Every issued row checked against the workbook's consensus; rows it should not have too."""
    median = medians(tender)
    problems: list[Problem] = []
    output: list[tuple[str, str, float, str, str]] = []
    names = dict(bidder_list(tender))
    differing = 0
    for row in rows:
        key = (row.bidder_id, row.criterion_id)
        found = cells.pop(key, None)
        if found is None:
            problems.append(
                Problem(
                    name,
                    layout.MODERATION,
                    f"no row for bidder {key[0]}, criterion {key[1]}",
                    "a row for every bidder and criterion, as written by `tender collect`",
                )
            )
            continue
        mark = _consensus_mark(found, name, tender)
        if isinstance(mark, Problem):
            problems.append(mark)
            continue
        start = median.get(key)
        differs = start is None or bool(moderation.differs_from_median(mark, start))
        differing += differs
        problem = (_unexplained(found, name, mark, start) if differs else None) or (
            _leaked(found, name, row.bidder_id, tender, names)
        )
        if problem is not None:
            problems.append(problem)
            continue
        output.append((row.bidder_id, row.criterion_id, mark, found.rationale, found.feedback))
    problems.extend(
        Problem(
            name,
            extra.cell,
            f"a row for bidder {key[0]}, criterion {key[1]}",
            "only the bidders and criteria of this tender",
        )
        for key, extra in cells.items()
    )
    return _Checked(output, problems, differing)


def _consensus_mark(found: Consensus, name: str, tender: Tender) -> float | Problem:
    """The consensus mark of one row, or the problem with it (blank, not a number, off scale)."""
    scale = tender.quality.scale
    value = found.value
    if isinstance(value, str) and not value.strip():
        return Problem(name, found.cell, "no consensus mark", scale.describe())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Problem(name, found.cell, f"{shorten(value)} (not a number)", scale.describe())
    mark = float(value)
    if not math.isfinite(mark) or not scale.allows(mark):
        return Problem(name, found.cell, exact(mark), scale.describe())
    return mark


def _unexplained(found: Consensus, name: str, mark: float, start: float | None) -> Problem | None:
    """A consensus that differs from the median must say why."""
    if found.rationale:
        return None
    reason = (
        f"consensus {exact(mark)} differing from the median {exact(start)}"
        if start is not None
        else f"consensus {exact(mark)} with no marks to compare"
    )
    return Problem(
        name,
        found.rationale_cell,
        f"{reason} and no rationale",
        "a rationale saying why the panel agreed a different mark",
    )


def _leaked(
    found: Consensus, name: str, bidder_id: str, tender: Tender, names: dict[str, str]
) -> Problem | None:
    """Feedback a bidder reads may not name an evaluator or another bidder."""
    leak = feedback_leak(found.feedback, bidder_id, tender.panel_ids(), names)
    if leak is None:
        return None
    return Problem(
        name,
        found.feedback_cell,
        f"feedback to the bidder naming {leak}",
        "feedback in the panel's own words about this bid only (the rationale "
        "is the place for the panel's internal notes)",
    )


def _render(rows: list[tuple[str, str, float, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MODERATED_COLUMNS)
    for bidder, criterion, mark, rationale, feedback in rows:
        shown = str(int(mark)) if mark.is_integer() else repr(mark)
        writer.writerow([bidder, criterion, shown, csv_cell(rationale), csv_cell(feedback)])
    return out.getvalue().encode("utf-8")


def _changes(target: Path, rows: list[tuple[str, str, float, str, str]]) -> list[dict[str, object]]:
    """Consensus marks that differ from the previous moderated file: old → new, and why."""
    if not target.exists():
        return []
    try:
        previous = read_csv_text(target, target.name)
    except TenderInputError:
        return []
    if not set(MODERATED_COLUMNS[:3]) <= set(previous.columns):
        return []
    before = {
        (b, c): pd.to_numeric(m, errors="coerce")
        for b, c, m in zip(
            previous["bidder_id"],
            previous["criterion_id"],
            previous["moderated_mark"],
            strict=True,
        )
    }
    out: list[dict[str, object]] = []
    for bidder, criterion, mark, rationale, _feedback in rows:
        old = before.get((bidder, criterion))
        # the same-mark rule as everywhere: a missing or unreadable old mark is a change
        if old is None or bool(moderation.differs_from_median(mark, old)):
            out.append(
                {
                    "bidder_id": bidder,
                    "criterion_id": criterion,
                    "from": None if old is None or math.isnan(old) else float(old),
                    "to": mark,
                    "rationale": rationale,
                }
            )
    return out


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


def moderate(definition: str | Path | Tender, workbook: Path, out: Path | None = None) -> Ingested:
    """`tender moderate`: the consensus marks of `workbook` into the moderated marks file.

    Raises:
        TenderInputError: as `ingest_moderation`.
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    return ingest_moderation(tender, workbook, out)
