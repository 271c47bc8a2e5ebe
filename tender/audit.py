"""Fingerprints and the append-only, hash-chained evaluation log.

Every output names the SHA-256 of each input it was made from, and every event that
changes what will be scored (templates issued, returns received, moderation ingested,
runs) is appended to a JSON-lines log whose entries chain by hash, so an edited or
deleted line is detectable.

A log is also an input: a line cut short by a crash, bytes that are not UTF-8 or an entry
without the fields its event needs is a `Problem` naming the line, never a traceback.
Appending reads only the log's tail for the last hash, under a lock on the log file, so
two commands appending at once cannot fork the chain; `check_log` reads it all.

An entry read back is an `Entry`; a command reads an event's own fields only through that
event's record (`of_event`, `runs_of`), whose fields are those `FIELDS` checks when the
line is read, so a misspelt field is a type error and a field's type is the one checked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NotRequired, TypedDict, TypeVar, cast

from .errors import Problem, TenderError, TenderInputError, shorten
from .files import NotAFileError, open_regular, os_errors
from .lock import locked

CHUNK = 1 << 20
GENESIS = "0" * 64
MAX_LINE = 1 << 24  # bytes: the largest entry (a rejection listing every problem) is far less
MAX_REPORTED = 20  # damaged lines named before the rest are counted
EXPECTED_LINE = "one complete JSON object per line, as tender writes them"
HASH = re.compile(r"^[0-9a-f]{64}$")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """SHA-256 of bytes, as hex."""
    return hashlib.sha256(data).hexdigest()


class Entry(TypedDict):
    """One log entry as read back: its event and its place in the chain, checked on every
    line; its other fields, as its event wrote them, are read through the event's record."""

    event: str
    previous: str
    hash: str


class TemplateIssued(Entry):
    """A marking template issued to an evaluator (its issue number counts from 1)."""

    evaluator_id: str
    issue: int


class ReturnReceived(Entry):
    """A returned workbook archived, unread, under `archive`."""

    sha256: str
    archive: str


class ReturnAccepted(Entry):
    """A returned workbook accepted as an evaluator's marks (with the chair's decisions,
    when it declared a conflict of interest)."""

    sha256: str
    archive: str
    evaluator_id: str
    conflict_decisions: NotRequired[object]


class ReturnRejected(Entry):
    """A returned file refused, and why; a file refused unread has no `sha256`."""

    problems: list[str]
    file: NotRequired[object]
    bytes: NotRequired[object]
    sha256: NotRequired[object]


class ReturnSuperseded(Entry):
    """An accepted return superseded by a later one of the same evaluator."""

    sha256: str
    by: str


class MarksCollected(Entry):
    """The marks table written from the accepted returns."""

    returns: dict[str, str]
    missing: list[str]


class ModerationIngested(Entry):
    """The moderated marks read in, and the marks they changed."""

    changes: list[object]


class PriceTemplateIssued(Entry):
    """A pricing workbook issued to a bidder (its issue number counts from 1)."""

    bidder_id: str
    issue: int


class PriceReturnReceived(Entry):
    """A returned pricing workbook archived, unread."""

    sha256: str
    archive: str


class PriceReturnAccepted(Entry):
    """A returned pricing workbook accepted as a bidder's prices."""

    sha256: str
    archive: str


class Run(Entry):
    """A command's run record (`scored`, `reported`, `published`, clarification interviews):
    when, and the fingerprints of the inputs it was made from. Neither is checked when the
    line is read, so both are read as found."""

    at: NotRequired[object]
    inputs: NotRequired[object]


Record = TypeVar("Record", bound=Entry)

# The event each record is of; `FIELDS` checks every field a record names, by the same event.
EVENTS: dict[type[Entry], str] = {
    TemplateIssued: "template_issued",
    ReturnReceived: "return_received",
    ReturnAccepted: "return_accepted",
    ReturnRejected: "return_rejected",
    ReturnSuperseded: "return_superseded",
    MarksCollected: "marks_collected",
    ModerationIngested: "moderation_ingested",
    PriceTemplateIssued: "price_template_issued",
    PriceReturnReceived: "price_return_received",
    PriceReturnAccepted: "price_return_accepted",
}


def of_event(entries: Iterable[Entry], record: type[Record]) -> list[Record]:
    """The entries of the record's event, oldest first, as that record.

    Sound because `parse_entry` refused any entry of the event without the record's fields
    of the types `FIELDS` names.
    """
    event = EVENTS[record]
    return [cast(Record, e) for e in entries if e["event"] == event]


def runs_of(entries: Iterable[Entry], event: str) -> list[Run]:
    """The run records of `event`, oldest first."""
    return [cast(Run, e) for e in entries if e["event"] == event]


def _entry_hash(entry: Mapping[str, object]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return sha256_bytes(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_name(value: object) -> bool:
    return isinstance(value, str) and bool(SAFE_NAME.match(value))


def _is_text_map(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


# What later commands read from each event; anything else in an entry is only shown.
FIELDS: dict[str, dict[str, tuple[Callable[[object], bool], str]]] = {
    "template_issued": {
        "evaluator_id": (_is_text, "text"),
        "issue": (_is_count, "a whole number"),
    },
    "return_received": {"sha256": (_is_text, "text"), "archive": (_is_name, "a file name")},
    "return_accepted": {
        "sha256": (_is_text, "text"),
        "archive": (_is_name, "a file name"),
        "evaluator_id": (_is_text, "text"),
    },
    "return_rejected": {"problems": (_is_texts, "a list of texts")},
    "return_superseded": {"sha256": (_is_text, "text"), "by": (_is_text, "text")},
    "marks_collected": {
        "returns": (_is_text_map, "a mapping of evaluator to SHA-256"),
        "missing": (_is_texts, "a list of texts"),
    },
    "moderation_ingested": {"changes": (lambda v: isinstance(v, list), "a list")},
    "price_template_issued": {
        "bidder_id": (_is_text, "text"),
        "issue": (_is_count, "a whole number"),
    },
    "price_return_received": {"sha256": (_is_text, "text"), "archive": (_is_name, "a file name")},
    "price_return_accepted": {"sha256": (_is_text, "text"), "archive": (_is_name, "a file name")},
}


@dataclass
class LogCheck:
    """A whole log read and checked: its entries, damaged lines and chain breaks."""

    path: Path
    entries: list[Entry] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the line of each entry
    damaged: list[Problem] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)
    break_at: int | None = None  # the first entry that does not follow the one before

    @property
    def intact(self) -> bool:
        """True when every line is an entry and every entry follows the one before."""
        return not self.damaged and not self.breaks

    def summary(self) -> str:
        """One sentence on the chain: intact, or the first line where it breaks."""
        count = f"{len(self.entries)} entr{'y' if len(self.entries) == 1 else 'ies'}"
        if self.intact:
            return f"{self.path}: hash chain intact ({count})"
        lines = [int(p.where.split()[1]) for p in self.damaged if p.where.startswith("line ")]
        if self.break_at is not None:
            lines.append(self.lines[self.break_at - 1])
        where = f"line {min(lines)}" if lines else "the start"
        return (
            f"{self.path}: hash chain broken at {where} ({count} readable, "
            f"{len(self.damaged)} damaged line{'s' if len(self.damaged) != 1 else ''})"
        )


def parse_entry(path: Path, number: int, raw: bytes, *, last: bool = False) -> Entry | Problem:
    """One log line as an entry, or the Problem that makes it unusable."""
    name = str(path)
    where = f"line {number}"
    cut = last and not raw.endswith(b"\n")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(
            name, where, f"bytes that are not UTF-8 (at byte {exc.start})", EXPECTED_LINE
        )
    try:
        entry = json.loads(text)
    except json.JSONDecodeError as exc:
        what = "a line cut short" if cut else "a line that is not JSON"
        error = f"JSON error at column {exc.colno}: {exc.msg}"
        return Problem(name, where, f"{what}: {shorten(text.strip())} ({error})", EXPECTED_LINE)
    except RecursionError:
        return Problem(name, where, "JSON nested too deeply", EXPECTED_LINE)
    if not isinstance(entry, dict):
        return Problem(name, where, f"a JSON {type(entry).__name__}", EXPECTED_LINE)
    for key in ("event", "previous", "hash"):
        if not isinstance(entry.get(key), str):
            return Problem(name, where, f"an entry without its '{key}'", EXPECTED_LINE)
    for key, (valid, kind) in FIELDS.get(entry["event"], {}).items():
        if key not in entry or not valid(entry[key]):
            found = shorten(entry.get(key)) if key in entry else "nothing"
            return Problem(
                name, f"{where}, {key}", f"{found} in a '{entry['event']}' entry",
                f"{kind}, as tender writes it",
            )  # fmt: skip
    if cut:
        return Problem(name, where, "a last line with no line end (cut short)", EXPECTED_LINE)
    return cast(Entry, entry)


def check_log(path: Path) -> LogCheck:
    """Read every line of a log and check the chain; never raises for damaged content.

    Raises:
        FileSystemError: when the log cannot be opened or read (permission, a folder).
    """
    result = LogCheck(path)
    if not os.path.lexists(path):
        return result
    with os_errors(path, "read the log"):
        try:
            descriptor = open_regular(path)
        except NotAFileError as exc:
            result.damaged.append(Problem(str(path), "", exc.found, "the log, a file"))
            return result
        with os.fdopen(descriptor, "rb") as handle:
            number = 0
            while raw := handle.readline(MAX_LINE + 1):
                number += 1
                if len(raw) > MAX_LINE:
                    result.damaged.append(
                        Problem(
                            str(path),
                            f"line {number}",
                            f"a line over {MAX_LINE:,} bytes",
                            EXPECTED_LINE,
                        )
                    )
                    while raw and not raw.endswith(b"\n"):
                        raw = handle.readline(MAX_LINE + 1)
                    continue
                if not raw.strip():
                    continue
                parsed = parse_entry(path, number, raw, last=not raw.endswith(b"\n"))
                if isinstance(parsed, Problem):
                    result.damaged.append(parsed)
                else:
                    result.entries.append(parsed)
                    result.lines.append(number)
    _chain(result)
    return result


def _chain(result: LogCheck) -> None:
    previous = GENESIS
    for number, entry in enumerate(result.entries, start=1):
        problems = []
        if entry["previous"] != previous:
            problems.append(f"{result.path}: entry {number}: does not follow entry {number - 1}")
        if entry["hash"] != _entry_hash(entry):
            problems.append(f"{result.path}: entry {number}: content does not match its hash")
        if problems and result.break_at is None:
            result.break_at = number
        result.breaks += problems
        previous = entry["hash"]


def read_log(path: Path) -> list[Entry]:
    """Entries of a log, oldest first (nothing if the log does not exist yet).

    Raises:
        TenderInputError: naming every damaged line (line number and what was found), so
            no command acts on a log it cannot fully read.
        FileSystemError: when the log cannot be opened or read.
    """
    result = check_log(path)
    if result.damaged:
        raise TenderInputError(_capped(result.damaged))
    return result.entries


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_REPORTED:
        return problems
    rest = len(problems) - MAX_REPORTED
    return [
        *problems[:MAX_REPORTED],
        Problem(str(problems[0].file), "", f"{rest} more damaged lines", EXPECTED_LINE),
    ]


def verify_log(path: Path) -> list[str]:
    """Problems with the log: damaged lines, then entries that do not link to the one before."""
    result = check_log(path)
    return [str(p) for p in result.damaged] + result.breaks


def last_hash(path: Path) -> str:
    """The hash the next entry must chain to, from the log's tail only.

    Raises:
        TenderInputError: when the last line is damaged (cut short, not JSON, no hash).
        FileSystemError: when the log cannot be opened or read.
    """
    if not os.path.lexists(path):
        return GENESIS
    with os_errors(path, "read the log"):
        descriptor = open_regular(path)
        try:
            return _tail_hash(descriptor, path)
        finally:
            os.close(descriptor)


def _tail_hash(descriptor: int, path: Path) -> str:
    """The last entry's hash, reading backwards from the end of an open log."""
    end = os.fstat(descriptor).st_size
    tail = b""
    start = end
    while start > 0:
        step = min(CHUNK, start)
        start -= step
        os.lseek(descriptor, start, os.SEEK_SET)
        tail = _read(descriptor, step) + tail
        body = tail.rstrip(b" \t\r\n")
        if b"\n" in body or start == 0 or len(tail) > MAX_LINE:
            break
    body = tail.rstrip(b" \t\r\n")
    if not body:
        return GENESIS
    cut = body.rfind(b"\n") + 1
    line = tail[cut:]
    if cut == 0 and start > 0:  # a last line longer than MAX_LINE
        line = tail
    number = _count_lines(descriptor, start + cut) + 1
    parsed = parse_entry(
        path, number, line.rstrip(b" \t\r") if line.endswith(b"\n") else line, last=True
    )
    if isinstance(parsed, Problem):
        raise TenderInputError([parsed])
    return str(parsed["hash"])


def _read(descriptor: int, size: int) -> bytes:
    chunks = []
    while size > 0 and (chunk := os.read(descriptor, size)):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _count_lines(descriptor: int, upto: int) -> int:
    """Line ends before byte `upto` (only to name a damaged last line)."""
    os.lseek(descriptor, 0, os.SEEK_SET)
    count = 0
    while upto > 0 and (chunk := os.read(descriptor, min(CHUNK, upto))):
        count += chunk.count(b"\n")
        upto -= len(chunk)
    return count


def append_log(path: Path, event: str, **details: object) -> Entry:
    """Append one event, chained to the previous entry's hash; returns the entry.

    Appending (not rewriting) keeps earlier entries byte-for-byte; the previous hash is
    read from the tail while the log file is locked, the line is written at the end and
    flushed to disk before returning. A write that fails (a full disk) is undone, so the
    log never ends in half a line.

    Raises:
        TenderInputError: when the log's last line is damaged (nothing is appended).
        FileSystemError: when the log cannot be created, locked or written.
    """
    with os_errors(path, "append to the log"):
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = open_regular(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
        try:
            with locked(descriptor, path):
                entry: dict[str, object] = {"event": event, **details}
                entry["previous"] = _tail_hash(descriptor, path)
                entry["hash"] = _entry_hash(entry)
                line = json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n"
                _append(descriptor, line.encode("utf-8"))
        finally:
            os.close(descriptor)
    return cast(Entry, entry)


def _append(descriptor: int, data: bytes) -> None:
    size = os.fstat(descriptor).st_size
    try:
        view = memoryview(data)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
        os.fsync(descriptor)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(descriptor, size)
        raise


def record_run(path: Path, event: str, **details: object) -> Entry:
    """Append a run record after the outputs it names were written.

    Raises:
        TenderError: when it cannot be appended, saying the outputs were written anyway
            (they are complete; only the record of this run is missing).
    """
    try:
        return append_log(path, event, **details)
    except TenderError as exc:
        raise TenderError(
            f"{exc}\nThe outputs were written; only the record of this run in {path.name} "
            "is missing."
        ) from None
