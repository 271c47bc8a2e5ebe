"""Read a clarification outcomes file, re-score with its revisions, render and log the result.

The moderated-marks file is only read; the revised marks are written as a new file beside
the before/after comparison under reports/<tender>/clarifications/, and the change is
appended to the tender's evaluation log (bids/<tender>/evaluation-log.jsonl).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..audit import append_log, read_log, runs_of, sha256_file
from ..clarifications import (
    STANDING_COLUMNS,
    Outcomes,
    Revised,
    Standing,
    before_after,
    changes,
    check_outcomes,
    leader_sentence,
    revised_moderated,
)
from ..errors import Problem, TenderInputError
from ..files import Gate, os_errors
from ..inputs import display_path, project_root, read_csv_text
from ..lock import tender_lock
from ..model import Tender
from ..panel import protected_files
from ..safety import csv_cell
from ..scoring import Evaluation, Sources, evaluate
from .evaluation import Loaded, load_case

EVENT = "clarification interviews"
BEFORE_AFTER_COLUMNS = STANDING_COLUMNS


@dataclass(frozen=True)
class Clarified:
    """The evaluation before and after the interviews, and what they recorded."""

    outcomes: Outcomes
    before: Evaluation
    after: Evaluation
    revised: pd.DataFrame | None
    source: str
    fingerprint: str
    changes: list[Revised]
    rows: list[Standing]
    summary: str


def outcomes_path(loaded: Loaded, given: str | None) -> Path:
    """The outcomes file: as given, or `data.clarifications` from the definition."""
    tender = loaded.case.tender
    if given is not None:
        return Path(given)
    if tender.data.clarifications is None:
        raise TenderInputError(
            [
                Problem(
                    display_path(tender.source, project_root(tender))
                    if tender.source
                    else tender.tender.reference,
                    "data.clarifications",
                    "no outcomes file given and none in the definition",
                    "an OUTCOMES argument, or data.clarifications naming the file",
                )
            ]
        )
    return tender.resolve(tender.data.clarifications)


def apply_outcomes(loaded: Loaded, path: Path) -> Clarified:
    """Check the outcomes file and re-score with its revised marks.

    Raises:
        TenderInputError: every problem in the outcomes file, or revisions with no
            moderated marks to revise.
    """
    case, before = loaded.case, loaded.evaluation
    tender = case.tender
    name = display_path(path, project_root(tender))
    outcomes = check_outcomes(
        read_csv_text(path, name), name, tender, list(before.table["bidder_id"])
    )
    revised = case.moderated
    after = before
    if outcomes.revisions:
        if case.moderated is None:
            raise TenderInputError(
                [
                    Problem(
                        name,
                        f"line {outcomes.revisions[0].line}, column revised_mark",
                        "a revised mark, but the tender has no moderated marks yet",
                        "revisions only after moderation (data.moderated names the file)",
                    )
                ]
            )
        revised = revised_moderated(case.moderated, outcomes, name)
        moderated_name = loaded.names.get("moderated", "moderated")
        after = evaluate(
            tender,
            case.bids,
            case.marks,
            revised,
            sources=Sources(
                bids=loaded.names.get("bids", "bids"),
                marks=loaded.names.get("marks", "marks"),
                moderated=f"{moderated_name} revised by {name}",
            ),
            fingerprints={**before.fingerprints, name: sha256_file(path)},
            excluded_marks=case.excluded_marks,
        )
    return Clarified(
        outcomes=outcomes,
        before=before,
        after=after,
        revised=revised if outcomes.revisions else None,
        source=name,
        fingerprint=sha256_file(path),
        changes=changes(before, outcomes),
        rows=before_after(before, after),
        summary=leader_sentence(before, after, len(outcomes.revisions)),
    )


def document(c: Clarified) -> dict[str, Any]:
    """Interviews, revisions and the before/after table as JSON-ready data."""
    panel = {e.id: e for e in c.before.tender.panel}
    return {
        "tender": c.before.tender.tender.reference,
        "tool": {"name": "tender", "version": __version__},
        "outcomes": {"path": c.source, "sha256": c.fingerprint},
        "interviews": [
            {
                "bidder_id": i.bidder_id,
                "date": i.on.isoformat(),
                "panel": [{"id": p, "role": panel[p].role, "name": panel[p].name} for p in i.panel],
                "clarifications": i.clarifications,
            }
            for i in c.outcomes.interviews
        ],
        "revisions": [r.as_json() for r in c.changes],
        "summary": c.summary,
        "before_after": [_standing(r) for r in c.rows],
        "inputs": [{"path": p, "sha256": h} for p, h in sorted(c.before.fingerprints.items())],
    }


def render_files(c: Clarified, folder: Path) -> dict[Path, bytes]:
    """Every output, rendered in memory: JSON, the before/after CSV, the revised marks."""
    files = {
        folder / "clarifications.json": (
            json.dumps(document(c), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        ).encode(),
        folder / "before-after.csv": _csv(
            BEFORE_AFTER_COLUMNS, [list(_standing(r).values()) for r in c.rows]
        ),
    }
    if c.revised is not None:
        columns = [str(col) for col in c.revised.columns]
        rows = c.revised.astype(str).to_numpy().tolist()
        mark = columns.index("moderated_mark")
        for row in rows:  # marks stay numbers (a negative mark is not a formula)
            row[mark] = _number(row[mark])
        files[folder / "moderated-after-clarification.csv"] = _csv(columns, rows)
    return files


def _standing(row: Standing) -> dict[str, str | int | float | None]:
    """A before/after row as JSON and CSV show it, the change included."""
    return {**asdict(row), "total_change": row.total_change}


def _number(text: str) -> int | float:
    """A mark already checked by scoring, as a number: 7 not 7.0."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def log_path(loaded: Loaded) -> Path:
    """The tender's evaluation log, beside its bids file: bids/<tender>/evaluation-log.jsonl."""
    tender = loaded.case.tender
    return tender.resolve(tender.data.bids).parent / "evaluation-log.jsonl"


def log(c: Clarified, path: Path, outputs: list[str], at: str) -> bool:
    """Append the interviews to the log, unless the same outcomes on the same inputs are
    already its latest such entry. Returns True if an entry was written."""
    inputs = dict(sorted({**c.before.fingerprints, c.source: c.fingerprint}.items()))
    with tender_lock(path.parent):  # the same outcomes must not be logged twice at once
        last = runs_of(read_log(path), EVENT)
        if last and last[-1].get("inputs") == inputs:
            return False
        append_log(
            path,
            EVENT,
            at=at,
            tool_version=__version__,
            inputs=inputs,
            interviews=[
                {"bidder_id": i.bidder_id, "date": i.on.isoformat(), "panel": i.panel}
                for i in c.outcomes.interviews
            ],
            revisions=[r.as_json() for r in c.changes],
            leaders_before=_leaders(c.before),
            leaders_after=_leaders(c.after),
            outputs=outputs,
        )
        return True


def _leaders(ev: Evaluation) -> list[str]:
    return sorted(ev.table.loc[ev.table["rank"] == 1, "bidder_id"])


@dataclass(frozen=True)
class Recorded:
    """A clarification run: what it found, where it wrote, and whether it logged."""

    loaded: Loaded
    result: Clarified
    folder: Path
    written: list[Path]
    log: Path
    logged: bool


def clarify(
    definition: str | Path | Tender, outcomes: str | None = None, out: Path | None = None
) -> Recorded:
    """Apply the clarification outcomes (OUTCOMES, else `data.clarifications`), write the
    before/after files and log the interviews once.

    Raises:
        TenderInputError: every problem in either file, or an output the gate refuses.
    """
    loaded = load_case(definition, settled=False)  # outcomes apply to the marks as moderated
    source = outcomes_path(loaded, outcomes)
    result = apply_outcomes(loaded, source)
    tender = loaded.case.tender
    root = project_root(tender)
    folder = out or root / "reports" / tender.slug / "clarifications"
    files = render_files(result, folder)
    log_file = log_path(loaded)
    gate = Gate(
        (*protected_files(tender), Path(source)),
        root,
        named={out: "--out"} if out else {},
        appends=(log_file,),
    )
    gate.check(files)
    read_log(log_file)  # a damaged log is refused before anything is written
    with os_errors(folder, "write the clarification results"):
        written = gate.write(files)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    logged = log(result, log_file, [p.name for p in written], at)
    return Recorded(loaded, result, folder, written, log_file, logged)
