"""`tender collect-prices`'s twin: archive, guard and read returned pricing workbooks into
the prices file (`data.prices`), applying the tender's arithmetic rule, and log every step.

As for marking returns: the folder is untrusted (links, folders, FIFOs refused by name,
never followed); each regular file is read once with a bound, archived unchanged and only
then checked, from the same bytes, by the same single reading (`excel.guard` and
`excel.cells`). One bad file never loses the others. Per bidder the latest issue counts
(then the workbook's own save time, then the order received). Every correction the
arithmetic rule makes is listed with its cell and logged. A line left blank is written
as no row, so the tender's missing-line rule prices it when the bids are evaluated.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..audit import (
    Entry,
    PriceReturnAccepted,
    PriceReturnReceived,
    append_log,
    of_event,
    read_log,
    sha256_bytes,
)
from ..errors import Problem, TenderError
from ..excel.guard import Refused
from ..excel.price_returns import Correction, PriceExpected, PriceReturn, read_price_return
from ..excel.price_templates import price_rows, price_structure
from ..files import FileRefused, Gate, os_errors, read_received, read_regular, write_atomic
from ..inputs import load_tender, project_root
from ..lock import tender_lock
from ..model import Tender
from ..panel import bidder_list, load_key, panel_files, protected_files, written_path
from ..safety import csv_cell
from .price_templates import schedule_of

EXPECTED = "a regular file saved by the bidder"


@dataclass(frozen=True)
class PriceOutcome:
    """What happened to one returned file."""

    file: str
    sha256: str
    status: str  # accepted, rejected, superseded, duplicate
    bidder_id: str = ""
    problems: list[Problem] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class PriceCollection:
    """The result of one collection: every file's outcome, the returns used, what was written."""

    outcomes: list[PriceOutcome]
    accepted: dict[str, PriceReturn]
    missing: list[str]
    prices_path: Path | None

    @property
    def rejected(self) -> list[PriceOutcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    @property
    def corrections(self) -> list[tuple[str, Correction]]:
        """(bidder_id, correction) for every return used."""
        return [(b, c) for b, r in sorted(self.accepted.items()) for c in r.corrections]


@dataclass(frozen=True)
class _Candidate:
    file: str
    data: bytes
    sha256: str
    order: int  # received order; -1 for an earlier return taken from the archive


def collect_prices(
    definition: str | Path | Tender, returned: Path, *, now: datetime | None = None
) -> PriceCollection:
    """Collect every pricing workbook in `returned` (and earlier accepted ones).

    Raises:
        TenderError: no schedule of rates, no pricing workbooks issued, or no folder.
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    spec = schedule_of(tender)
    if not returned.is_dir():
        raise TenderError(f"{returned}: not a folder of returned pricing workbooks")
    assert tender.data.prices is not None  # a schedule requires it (model.Tender)
    files = panel_files(tender)
    rows = price_rows(spec)
    bidders = [b for b, _ in bidder_list(tender)]
    expected = PriceExpected(
        tender.tender.reference,
        tuple(bidders),
        rows,
        price_structure(tender, rows),
        load_key(files, issuer="price-templates"),
    )
    target = written_path(tender, tender.data.prices)
    gate = Gate(
        (*protected_files(tender, writing=("prices",)), *sorted(returned.iterdir())),
        project_root(tender),
        appends=(files.log,),
        where={target: "data.prices"},
    )
    at = (now or datetime.now(UTC)).astimezone(UTC)
    stamp = at.isoformat(timespec="seconds")
    with tender_lock(files.folder), os_errors(files.folder, "collect the pricing workbooks"):
        history = read_log(files.log)
        outcomes: list[PriceOutcome] = []
        candidates = _read_folder(returned, expected.limits.max_file_bytes, outcomes)
        candidates += _earlier(history, files.archive, expected, {c.sha256 for c in candidates})
        archives = _archive_targets(candidates, history, files.archive, at)
        gate.check([target, *archives.values()])  # before the first write
        for outcome in outcomes:
            append_log(files.log, "price_return_rejected", at=stamp, file=outcome.file,
                       problems=[str(p) for p in outcome.problems])  # fmt: skip
        unique = _archive_unique(candidates, archives, files.log, stamp, outcomes)
        by_bidder = _check_all(unique, archives, expected, files.log, stamp, outcomes)
        accepted = _choose(by_bidder, outcomes)
        missing = [b for b in bidders if b not in accepted]
        if not accepted:
            return PriceCollection(outcomes, accepted, missing, None)
        data = prices_table(bidders, [r.line_id for r in rows], accepted)
        gate.write({target: data})
        collection = PriceCollection(outcomes, accepted, missing, target)
        _log_prices(files.log, stamp, data, collection)
        return collection


def _archive_targets(
    candidates: list[_Candidate], history: list[Entry], archive: Path, at: datetime
) -> dict[str, Path]:
    """Where each newly received file is archived; one archived before is not archived again."""
    known = {e["sha256"] for e in of_event(history, PriceReturnReceived)}
    return {
        c.sha256: archive / _archive_name(c, at)
        for c in candidates
        if c.order >= 0 and c.sha256 not in known
    }


def _archive_unique(
    candidates: list[_Candidate],
    archives: dict[str, Path],
    log: Path,
    stamp: str,
    outcomes: list[PriceOutcome],
) -> dict[str, _Candidate]:
    """Each distinct file once (a repeat is a duplicate), new ones archived read-only first."""
    unique: dict[str, _Candidate] = {}
    for candidate in candidates:
        if candidate.sha256 in unique:
            first = unique[candidate.sha256].file
            outcomes.append(
                PriceOutcome(candidate.file, candidate.sha256, "duplicate",
                             note=f"the same file as {first}; counted once")
            )  # fmt: skip
            continue
        unique[candidate.sha256] = candidate
        if candidate.sha256 in archives:
            archived = archives[candidate.sha256]
            write_atomic(archived, candidate.data)
            archived.chmod(0o440)
            append_log(log, "price_return_received", file=candidate.file,
                       sha256=candidate.sha256, bytes=len(candidate.data),
                       received_at=stamp, archive=archived.name)  # fmt: skip
    return unique


def _log_prices(log: Path, stamp: str, data: bytes, collection: PriceCollection) -> None:
    """Every correction the rate-prevails rule made, then the prices file written."""
    assert collection.prices_path is not None
    for bidder_id, correction in collection.corrections:
        append_log(log, "price_corrected", at=stamp, bidder_id=bidder_id,
                   cell=correction.cell, line_id=correction.line_id,
                   found=correction.found, corrected=f"{correction.corrected:f}",
                   rule="the rate prevails")  # fmt: skip
    append_log(log, "prices_collected", at=stamp, file=collection.prices_path.name,
               sha256=sha256_bytes(data), bidders=sorted(collection.accepted),
               missing=collection.missing)  # fmt: skip


def _check_all(
    unique: dict[str, _Candidate],
    archives: dict[str, Path],
    expected: PriceExpected,
    log: Path,
    stamp: str,
    outcomes: list[PriceOutcome],
) -> dict[str, list[tuple[_Candidate, PriceReturn]]]:
    """Read every candidate; log acceptance or rejection of newly received files."""
    by_bidder: dict[str, list[tuple[_Candidate, PriceReturn]]] = {}
    for candidate in unique.values():
        new = candidate.sha256 in archives
        try:
            ret = read_price_return(candidate.data, candidate.file, expected)
        except Refused as exc:
            outcomes.append(
                PriceOutcome(candidate.file, candidate.sha256, "rejected", problems=exc.problems)
            )
            if new:
                append_log(log, "price_return_rejected", at=stamp, file=candidate.file,
                           sha256=candidate.sha256,
                           problems=[str(p) for p in exc.problems])  # fmt: skip
            continue
        by_bidder.setdefault(ret.bidder_id, []).append((candidate, ret))
        if new:
            append_log(log, "price_return_accepted", at=stamp, file=candidate.file,
                       sha256=candidate.sha256, archive=archives[candidate.sha256].name,
                       bidder_id=ret.bidder_id, issue=ret.issue,
                       corrections=[str(c) for c in ret.corrections])  # fmt: skip
    return by_bidder


def _choose(
    by_bidder: dict[str, list[tuple[_Candidate, PriceReturn]]], outcomes: list[PriceOutcome]
) -> dict[str, PriceReturn]:
    """The latest return per bidder: the later issue, then the later save, then received."""
    accepted: dict[str, PriceReturn] = {}
    for bidder_id, found in by_bidder.items():
        found.sort(key=lambda pair: (pair[1].issue, pair[1].saved_at or "", pair[0].order))
        latest, ret = found[-1]
        accepted[bidder_id] = ret
        for candidate, _ in found[:-1]:
            outcomes.append(
                PriceOutcome(candidate.file, candidate.sha256, "superseded", bidder_id,
                             note=f"a later return for bidder {bidder_id} counts "
                             f"({latest.file}, issue {ret.issue})")
            )  # fmt: skip
        outcomes.append(PriceOutcome(latest.file, latest.sha256, "accepted", bidder_id))
    return accepted


def prices_table(bidders: list[str], lines: list[str], accepted: dict[str, PriceReturn]) -> bytes:
    """The prices file: bidder_id, line_id, rate, note (each correction made), in bid then
    line order; blank lines omitted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["bidder_id", "line_id", "rate", "note"])
    for bidder_id in bidders:
        ret = accepted.get(bidder_id)
        if ret is None:
            continue
        corrected = {c.line_id: f"{ret.name}: {c}" for c in ret.corrections}
        for line_id in lines:
            if line_id in ret.rates:
                note = csv_cell(corrected.get(line_id, ""))
                writer.writerow([bidder_id, line_id, f"{ret.rates[line_id]:f}", note])
    return buffer.getvalue().encode("utf-8")


def _read_folder(folder: Path, limit: int, outcomes: list[PriceOutcome]) -> list[_Candidate]:
    """Every regular file in the folder, read once with a bound; anything else refused."""
    out = []
    for got in read_received(folder, limit, EXPECTED):
        entry = got.entry
        if got.refused is not None or got.data is None:
            refused = got.refused or FileRefused("nothing read", EXPECTED)
            outcomes.append(
                PriceOutcome(
                    entry.name,
                    "",
                    "rejected",
                    problems=[Problem(entry.name, "", refused.found, refused.expected)],
                )
            )
            continue
        out.append(_Candidate(entry.name, got.data, sha256_bytes(got.data), got.order))
    return out


def _earlier(
    history: list[Entry], archive: Path, expected: PriceExpected, present: set[str]
) -> list[_Candidate]:
    """Returns accepted in earlier runs stay in play when their file has left the folder."""
    out = []
    for entry in of_event(history, PriceReturnAccepted):
        sha = entry["sha256"]
        if sha in present:
            continue
        path = archive / entry["archive"]
        try:
            data = read_regular(path, expected.limits.max_file_bytes)
        except FileRefused:
            continue
        if sha256_bytes(data) == sha:
            present.add(sha)
            out.append(_Candidate(f"archive/{entry['archive']}", data, sha, -1))
    return out


def _archive_name(candidate: _Candidate, at: datetime) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", candidate.file)[-80:]
    return f"{at.strftime('%Y%m%dT%H%M%SZ')}-prices-{candidate.sha256[:12]}-{safe}"
