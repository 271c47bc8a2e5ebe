"""Collect returned marking workbooks: archive, check, choose the latest per evaluator,
write the marks table and the moderation workbook, and log every step.

The returns folder is untrusted: links, folders, devices, FIFOs and sockets in it are
refused by name and never followed, and each regular file is read once, with a bound
(`files.read_regular`), archived unchanged (with its SHA-256 and the time received) and
only then checked, from the same bytes. One bad file never loses the others: its problems
are reported and the good returns are still collected. Every target (archive, marks file,
moderation workbook, log) passes the write gate before the first write; outputs are
rendered in memory and written atomically at the end; returned files are never opened
for writing.
"""

from __future__ import annotations

import csv
import gc
import io
import math
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..audit import (
    Entry,
    ReturnAccepted,
    ReturnReceived,
    ReturnRejected,
    ReturnSuperseded,
    append_log,
    of_event,
    read_log,
    sha256_bytes,
)
from ..errors import Problem, TenderError
from ..excel import layout
from ..excel.guard import Limits, Refused
from ..excel.moderation_sheet import Consensus, Key, read_consensus, write_moderation
from ..excel.returns import Expected, Return, read_return
from ..files import (
    FileRefused,
    Gate,
    os_errors,
    read_file,
    read_received,
    read_regular,
    write_atomic,
)
from ..inputs import display_path, load_tender, project_root
from ..lock import tender_lock
from ..model import Tender
from ..moderation import needs_discussion, spread_threshold, spreads
from ..panel import (
    PanelFiles,
    bidder_list,
    bidders_to_mark,
    load_key,
    panel_files,
    protected_files,
    written_path,
)
from ..safety import csv_cell
from ..settlement import ConflictDecision
from .evaluation import conflict_decisions, excluded_marks

__all__ = ["Collection", "Outcome", "collect", "expected_returns", "spread_threshold"]

MARKS_COLUMNS = ["bidder_id", "criterion_id", "evaluator_id", "mark", "justification"]
EXPECTED_RETURN = "a regular file saved by the evaluator"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Outcome:
    """What happened to one returned file."""

    file: str
    sha256: str
    status: str  # accepted | superseded | rejected | duplicate
    evaluator_id: str | None = None
    note: str = ""
    problems: list[Problem] = field(default_factory=list)
    size: int | None = None  # set for files refused unread


@dataclass(frozen=True)
class Collection:
    """The result of one collection run: what the command reports and the panel acts on."""

    outcomes: list[Outcome]
    accepted: dict[str, Return]
    missing: list[str]
    flagged: int
    marks_path: Path | None
    moderation_path: Path | None

    @property
    def problems(self) -> list[Problem]:
        """Every refused file's problems, in the order the files were read."""
        return [p for o in self.outcomes for p in o.problems]

    @property
    def rejected(self) -> list[Outcome]:
        """The files refused."""
        return [o for o in self.outcomes if o.status == "rejected"]


@dataclass
class _Candidate:
    file: str
    data: bytes
    sha256: str
    order: int
    ret: Return | None = None


def expected_returns(tender: Tender, files: PanelFiles) -> Expected:
    """The shape every return must have, from the current bid list and criteria."""
    rows = layout.marking_rows(tender, bidders_to_mark(tender).marked)
    return Expected(tender, rows, layout.structure_fingerprint(tender, rows), load_key(files))


def collect(
    tender: Tender | str | Path,
    returned: Path,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Collection:
    """Collect every workbook in `returned` (and earlier accepted returns) for a tender.

    Raises:
        TenderError: when the tender has no marks path or no templates were issued.
    """
    if not isinstance(tender, Tender):
        tender = load_tender(tender)
    if tender.data.marks is None:
        raise TenderError(
            f"{tender.source}: data.marks: found nothing; expected the marks file path"
        )
    if not returned.is_dir():
        raise TenderError(f"{returned}: not a folder of returned workbooks")
    files = panel_files(tender)
    expected = expected_returns(tender, files)
    recorded = conflict_decisions(tender, [b for b, _ in bidder_list(tender)])
    decisions, decisions_file = (recorded[0], recorded[1:]) if recorded else ({}, None)
    expected = replace(expected, decided=frozenset(e for e, _ in decisions))
    marks = written_path(tender, tender.data.marks)
    gate = Gate(
        (*protected_files(tender, writing=("marks", "moderation")), *sorted(returned.iterdir())),
        project_root(tender),
        appends=(files.log,),
        where={marks: "data.marks"},
    )
    # another command must not log between this one's reads and appends
    with tender_lock(files.folder), os_errors(files.folder, "collect the returns"):
        at = (now or datetime.now(UTC)).astimezone(UTC)
        run = _Run(tender, files, expected, at, gate, decisions, decisions_file)
        unique = run.gather(returned)
        by_evaluator = run.check(unique, progress)
        accepted, accepted_sha = run.choose(by_evaluator)
        return run.write(accepted, accepted_sha)


@dataclass
class _Run:
    tender: Tender
    files: PanelFiles
    expected: Expected
    received_at: datetime
    gate: Gate
    decisions: dict[tuple[str, str], ConflictDecision] = field(default_factory=dict)
    decisions_file: tuple[str, str] | None = None  # (name, sha256) of data.conflict_decisions
    outcomes: list[Outcome] = field(default_factory=list)
    archived: dict[str, str] = field(default_factory=dict)  # each file received: its archive
    fresh: set[str] = field(default_factory=set)  # the files first received in this run
    history: list[Entry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.history = read_log(self.files.log)
        self.archived = {e["sha256"]: e["archive"] for e in of_event(self.history, ReturnReceived)}

    def gather(self, returned: Path) -> list[_Candidate]:
        """Files in the folder plus earlier accepted returns; new files archived and logged."""
        candidates = _read_folder(returned, self.expected.limits, self.outcomes)
        candidates += self._earlier({c.sha256 for c in candidates})
        new = {c.sha256: c for c in reversed(candidates) if c.sha256 not in self.archived}
        archives = {
            sha: _archive_path(self.files, c, self.received_at)
            for sha, c in new.items()
            if c.order >= 0
        }
        assert self.tender.data.marks is not None
        marks = written_path(self.tender, self.tender.data.marks)
        # Before the first write: nothing is written when any target is refused.
        self.gate.check([marks, self.files.moderation, *archives.values()])
        self._log_unread()
        unique: dict[str, _Candidate] = {}
        for candidate in candidates:
            first = unique.get(candidate.sha256)
            if first is not None:
                self.outcomes.append(
                    Outcome(
                        candidate.file,
                        candidate.sha256,
                        "duplicate",
                        note=f"the same file as {first.file}; counted once",
                    )
                )
                continue
            unique[candidate.sha256] = candidate
            if candidate.sha256 not in self.archived and candidate.order >= 0:
                archived = archives[candidate.sha256]
                write_atomic(archived, candidate.data)
                archived.chmod(0o440)
                append_log(
                    self.files.log,
                    "return_received",
                    file=candidate.file,
                    sha256=candidate.sha256,
                    bytes=len(candidate.data),
                    received_at=self.received_at.isoformat(timespec="seconds"),
                    archive=archived.name,
                )
                self.archived[candidate.sha256] = archived.name
                self.fresh.add(candidate.sha256)
        return list(unique.values())

    def _log_unread(self) -> None:
        """Log files refused unread (too large), once per file name and size."""
        logged = {
            (e.get("file"), e.get("bytes"))
            for e in of_event(self.history, ReturnRejected)
            if not e.get("sha256")
        }
        for outcome in self.outcomes:
            size = outcome.size
            if outcome.status == "rejected" and (outcome.file, size) not in logged:
                append_log(
                    self.files.log,
                    "return_rejected",
                    at=self.received_at.isoformat(timespec="seconds"),
                    file=outcome.file,
                    bytes=size,
                    problems=[str(p) for p in outcome.problems],
                )

    def _earlier(self, present: set[str]) -> list[_Candidate]:
        """Returns accepted in earlier runs stay in play when their file has left the folder."""
        out = []
        for entry in of_event(self.history, ReturnAccepted):
            if entry["sha256"] in present:
                continue
            path = self.files.archive / entry["archive"]
            try:
                data = read_regular(path, self.expected.limits.max_file_bytes)
            except FileRefused:
                continue  # gone, or no longer the file archived: not a return in play
            if sha256_bytes(data) == entry["sha256"]:
                present.add(entry["sha256"])
                out.append(_Candidate(f"archive/{entry['archive']}", data, entry["sha256"], -1))
        return out

    def check(
        self, unique: list[_Candidate], progress: Progress | None
    ) -> dict[str, list[_Candidate]]:
        """Read every candidate; log acceptance or rejection of newly received files."""
        by_evaluator: dict[str, list[_Candidate]] = {}
        # a file refused before (a conflict awaiting the chair) may be accepted now
        accepted_before = {e["sha256"] for e in of_event(self.history, ReturnAccepted)}
        results = _read_all(unique, self.expected, progress)
        for candidate, ret in zip(unique, results, strict=True):
            is_new = candidate.sha256 in self.fresh
            if isinstance(ret, Refused):
                exc = ret
                self.outcomes.append(
                    Outcome(candidate.file, candidate.sha256, "rejected", problems=exc.problems)
                )
                if is_new:
                    append_log(
                        self.files.log,
                        "return_rejected",
                        at=self.received_at.isoformat(timespec="seconds"),
                        file=candidate.file,
                        sha256=candidate.sha256,
                        problems=[str(p) for p in exc.problems],
                    )
                continue
            candidate.ret = ret
            by_evaluator.setdefault(ret.evaluator_id, []).append(candidate)
            if is_new or candidate.sha256 not in accepted_before:
                append_log(
                    self.files.log,
                    "return_accepted",
                    at=self.received_at.isoformat(timespec="seconds"),
                    file=candidate.file,
                    sha256=candidate.sha256,
                    evaluator_id=ret.evaluator_id,
                    issue=ret.issue,
                    template_id=ret.template_id,
                    saved_at=ret.saved_at,
                    archive=self.archived[candidate.sha256],
                    declaration={k: v for k, v in ret.declaration.items() if k != "details"},
                    **self._decided(ret),
                )
        return by_evaluator

    def _decided(self, ret: Return) -> dict[str, object]:
        """The chair's decisions a return with a declared conflict was accepted on."""
        if ret.declaration.get("conflict", "").casefold() != "yes":
            return {}
        assert self.decisions_file is not None  # a declared conflict is refused without it
        return {
            "conflict_decisions": [
                {
                    "bidder_id": d.bidder_id,
                    "decision": d.decision,
                    "reason": d.reason,
                    "decided_on": d.decided_on.isoformat(),
                }
                for (evaluator, _), d in sorted(self.decisions.items())
                if evaluator == ret.evaluator_id
            ],
            "conflict_decisions_file": self.decisions_file[0],
            "conflict_decisions_sha256": self.decisions_file[1],
        }

    def choose(
        self, by_evaluator: dict[str, list[_Candidate]]
    ) -> tuple[dict[str, Return], dict[str, str]]:
        """The latest return per evaluator; earlier ones are superseded (and logged once)."""
        logged = {(e["sha256"], e["by"]) for e in of_event(self.history, ReturnSuperseded)}
        accepted: dict[str, Return] = {}
        accepted_sha: dict[str, str] = {}
        for evaluator_id, group in by_evaluator.items():
            group.sort(key=_recency)
            latest = group[-1]
            assert latest.ret is not None
            accepted[evaluator_id] = latest.ret
            accepted_sha[evaluator_id] = latest.sha256
            self.outcomes.append(Outcome(latest.file, latest.sha256, "accepted", evaluator_id))
            for older in group[:-1]:
                self.outcomes.append(
                    Outcome(
                        older.file,
                        older.sha256,
                        "superseded",
                        evaluator_id,
                        note=f"an earlier return of {evaluator_id}; superseded by {latest.file}",
                    )
                )
                if (older.sha256, latest.sha256) not in logged:
                    append_log(
                        self.files.log,
                        "return_superseded",
                        at=self.received_at.isoformat(timespec="seconds"),
                        evaluator_id=evaluator_id,
                        sha256=older.sha256,
                        by=latest.sha256,
                        file=older.file,
                        by_file=latest.file,
                    )
        return accepted, accepted_sha

    def write(self, accepted: dict[str, Return], accepted_sha: dict[str, str]) -> Collection:
        """Write the marks table and the moderation workbook (atomically), and log them."""
        tender, expected = self.tender, self.expected
        panel = tender.panel_ids()
        present = [e for e in panel if e in accepted]
        missing = [e for e in panel if e not in accepted]
        if not present:
            return Collection(self.outcomes, accepted, missing, 0, None, None)
        assert tender.data.marks is not None
        marks_path = written_path(tender, tender.data.marks)
        marks_bytes = marks_table(expected, present, accepted)
        carried = _carried(self.files, tender, expected)
        threshold = spread_threshold(tender)
        cube, notes = _excluding(expected, present, accepted, excluded_marks(self.decisions))
        workbook = write_moderation(tender, expected.rows, present, cube, notes, threshold, carried)
        flagged = count_flagged(cube, threshold)
        self.gate.write({marks_path: marks_bytes, self.files.moderation: workbook})
        root = project_root(tender)
        append_log(
            self.files.log,
            "marks_collected",
            at=self.received_at.isoformat(timespec="seconds"),
            marks=display_path(marks_path, root),
            marks_sha256=sha256_bytes(marks_bytes),
            moderation=display_path(self.files.moderation, root),
            moderation_sha256=sha256_bytes(workbook),
            returns={e: accepted_sha[e] for e in present},
            missing=missing,
            flagged=flagged,
            carried_consensus=sum(1 for c in carried.values() if c.value not in ("", None)),
        )
        return Collection(
            self.outcomes, accepted, missing, flagged, marks_path, self.files.moderation
        )


PARALLEL_FROM = 8  # returns; below this, starting worker processes costs more than it saves
_worker_expected: Expected | None = None


def _read_all(
    candidates: list[_Candidate], expected: Expected, progress: Progress | None
) -> list[Return | Refused]:
    """Read every candidate, on every CPU when there are many (each file is independent)."""
    workers = min(os.cpu_count() or 1, 8)
    jobs = [(c.data, c.file) for c in candidates]
    if workers < 2 or len(jobs) < PARALLEL_FROM:
        results = []
        for done, job in enumerate(jobs, start=1):
            results.append(_read_one(job, expected))
            if progress:
                progress(done, len(jobs), job[1])
        return results
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(expected,)) as pool:
        results = []
        # one return at a time: each takes about as long as any other, so the workers end
        # within one return of each other (in twos, 30 returns split 16 and 14)
        for done, result in enumerate(pool.map(_read_in_worker, jobs, chunksize=1), start=1):
            results.append(result)
            if progress:
                progress(done, len(jobs), jobs[done - 1][1])
        return results


def _start_worker(expected: Expected) -> None:
    """Keep what a worker needs for every return; what it inherited is set aside from the
    garbage collector (`gc.freeze`), which otherwise goes over all of it again and again
    while a return's many cells are read."""
    global _worker_expected
    _worker_expected = expected
    gc.freeze()


def _read_in_worker(job: tuple[bytes, str]) -> Return | Refused:
    assert _worker_expected is not None
    return _read_one(job, _worker_expected)


def _read_one(job: tuple[bytes, str], expected: Expected) -> Return | Refused:
    try:
        return read_return(job[0], job[1], expected)
    except Refused as exc:
        return exc


def _recency(candidate: _Candidate) -> tuple[int, datetime, int]:
    ret = candidate.ret
    assert ret is not None
    return (ret.issue, saved_instant(ret.saved_at) or _NEVER, candidate.order)


_NEVER = datetime.min.replace(tzinfo=UTC)
_W3CDTF = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?"
)


def saved_instant(text: str | None) -> datetime | None:
    """A workbook's claimed save time as an instant (UTC), or None if it is not a date.

    Times are compared as instants, never as text: Excel writes 2016-11-20T10:00:00Z,
    LibreOffice may add fractions of a second or an offset such as +01:00. A time with no
    zone is taken as UTC, as Excel means it.
    """
    match = _W3CDTF.fullmatch((text or "").strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0),
            int(second or 0), int((fraction or "0")[:6].ljust(6, "0")), tzinfo=UTC,
        )  # fmt: skip
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        try:
            moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        except OverflowError:
            return None
    return moment


def _read_folder(folder: Path, limits: Limits, outcomes: list[Outcome]) -> list[_Candidate]:
    """Every regular file in the folder, read once with a bound; anything else refused.

    The folder is untrusted: every entry is lstat'ed, and links, folders, devices, FIFOs and
    sockets are refused by name, never followed or opened. Names are shown escaped
    (`files.shown_name`), so a newline in a name cannot forge a line of the summary or log.
    """
    limit = limits.max_file_bytes
    candidates = []
    for got in read_received(folder, limit, EXPECTED_RETURN):
        entry = got.entry
        if got.refused is not None or got.data is None:
            refused = got.refused or FileRefused("nothing read", EXPECTED_RETURN)
            outcomes.append(
                Outcome(
                    entry.name,
                    "",
                    "rejected",
                    problems=[Problem(entry.name, "", refused.found, refused.expected)],
                    size=entry.status.st_size,
                )
            )
            continue
        candidates.append(_Candidate(entry.name, got.data, sha256_bytes(got.data), got.order))
    return candidates


def _archive_path(files: PanelFiles, candidate: _Candidate, received_at: datetime) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", candidate.file)[-80:]
    stamp = received_at.strftime("%Y%m%dT%H%M%SZ")
    return files.archive / f"{stamp}-{candidate.sha256[:12]}-{safe}"


def _carried(files: PanelFiles, tender: Tender, expected: Expected) -> dict[Key, Consensus]:
    """Consensus already typed into the current moderation workbook, to keep it on rewrite.

    Raises:
        Refused: if the existing workbook cannot be read (it is not overwritten then).
    """
    path = files.moderation
    if not path.exists():
        return {}
    try:
        data = read_file(path, expected.limits.max_file_bytes, "read the moderation workbook")
        return read_consensus(data, path.name, tender, len(expected.rows) + 1000)
    except Refused as exc:
        raise Refused(
            [
                *exc.problems,
                Problem(
                    path.name,
                    "",
                    "an existing moderation workbook that cannot be read",
                    "a readable workbook, or move it away so a new one can be written",
                ),
            ]
        ) from None


def _excluding(
    expected: Expected,
    evaluators: list[str],
    accepted: dict[str, Return],
    excluded: dict[tuple[str, str], str],
) -> tuple[list[list[float]], list[list[str]]]:
    """Marks and justifications per evaluator for the moderation workbook, with the marks
    the chair's decisions exclude left blank (so spreads ignore them) and the reason given.

    The marks table keeps every returned mark, as returned; scoring leaves the same ones
    out (`scoring.evaluate`'s `excluded_marks`).
    """
    cube, notes = [], []
    for evaluator in evaluators:
        ret = accepted[evaluator]
        marks, justifications = list(ret.marks), list(ret.justifications)
        left_out = {b: r for (e, b), r in excluded.items() if e == evaluator}
        for i, row in enumerate(expected.rows) if left_out else ():
            reason = left_out.get(row.bidder_id)
            if reason is not None:
                marks[i] = math.nan
                justifications[i] = f"Excluded: {reason}."
        cube.append(marks)
        notes.append(justifications)
    return cube, notes


def marks_table(expected: Expected, evaluators: list[str], accepted: dict[str, Return]) -> bytes:
    """The marks CSV scoring reads: bidder_id, criterion_id, evaluator_id, mark, justification.

    Justifications are neutralised (`safety.csv_cell`) so no typed text becomes a formula.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MARKS_COLUMNS)
    # ids are held to a safe alphabet (bidders.ID_RULE); one evaluator's rows at a time,
    # each column built once and the rows written by the csv module's own loop
    bidders = [row.bidder_id for row in expected.rows]
    criteria = [row.criterion_id for row in expected.rows]
    for evaluator in evaluators:
        ret = accepted[evaluator]
        # a scale has a few marks: each written once (a NaN is its own key, by identity)
        numbers = {mark: _number(mark) for mark in set(ret.marks)}
        writer.writerows(
            zip(
                bidders,
                criteria,
                [evaluator] * len(bidders),
                map(numbers.__getitem__, ret.marks),
                map(csv_cell, ret.justifications),
                strict=True,
            )
        )
    return out.getvalue().encode("utf-8")


def _number(value: float) -> str:
    if math.isnan(value):
        return ""
    return str(int(value)) if value.is_integer() else repr(value)


def count_flagged(marks: list[list[float]], threshold: float) -> int:
    """Rows whose spread (highest − lowest mark) reaches the threshold."""
    import numpy as np

    if not marks:
        return 0
    spread = spreads(np.array(marks, dtype=float).T)  # rows × evaluators
    return int(np.sum(needs_discussion(spread, threshold)))
