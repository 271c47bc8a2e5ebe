"""Write a command's outputs through the write gate and record the run: one home for both.

`score` and `report` write into reports/<tender>/ and append a line to its runs.jsonl
naming the tool version, every input's fingerprint and every output; the same inputs
give the same output bytes, so the run times live here, not in the outputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..audit import Run, check_log, last_hash, record_run, runs_of
from ..files import Gate, os_errors
from ..inputs import project_root
from ..model import Tender
from ..panel import protected_files
from ..scoring import Evaluation


def write_and_record(
    ev: Evaluation,
    folder: Path,
    files: Mapping[Path, bytes],
    event: str,
    *,
    out: Path | None,
    doing: str,
) -> list[Path]:
    """Check every target, refuse a damaged run record, write atomically, then record.

    `out` is the folder the user named (it may lie outside the project); `doing` completes
    "could not …" in a file-system failure message.

    Raises:
        OutputRefused: a target the gate refuses, before anything is written.
        TenderInputError: a damaged runs.jsonl, before anything is written.
        FileSystemError: the disk or the operating system refused a write.
    """
    return write_and_record_for(
        [ev.tender], ev.fingerprints, ev.provisional, folder, files, event, out=out, doing=doing
    )


def write_and_record_for(
    tenders: Sequence[Tender],
    fingerprints: Mapping[str, str],
    provisional: bool,
    folder: Path,
    files: Mapping[Path, bytes],
    event: str,
    *,
    out: Path | None,
    doing: str,
) -> list[Path]:
    """`write_and_record` for one run over several definitions (the lots of a tender):
    every file any of them names is protected, and one record names every input.

    Raises:
        OutputRefused, TenderInputError, FileSystemError: as `write_and_record`.
    """
    runs = folder / "runs.jsonl"
    protected = [path for tender in tenders for path in protected_files(tender)]
    gate = Gate(
        tuple(dict.fromkeys(protected)),
        project_root(tenders[0]),
        named={out: "--out"} if out else {},
        appends=(runs,),
    )
    gate.check(files)
    last_hash(runs)  # a damaged run record is refused before any write
    with os_errors(folder, doing):
        written = gate.write(files)
    record_run(
        runs,
        event,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        tool_version=__version__,
        inputs=dict(fingerprints),
        outputs=[p.relative_to(folder).as_posix() for p in written],
        provisional=provisional,
    )
    return written


def last_run(folder: Path, event: str) -> Run | None:
    """The latest intact record of `event` in the folder's runs.jsonl, or None."""
    found = runs_of(check_log(folder / "runs.jsonl").entries, event)
    return found[-1] if found else None


def changed_inputs(entry: Run, fingerprints: Mapping[str, str]) -> list[str]:
    """The inputs whose fingerprints differ from those the run recorded, sorted.

    The narrative is the report's own input, not the evaluation's: it is not compared.
    """
    recorded = entry.get("inputs", {})
    if not isinstance(recorded, Mapping):
        recorded = {}
    return sorted(
        name
        for name in {*recorded, *fingerprints}
        if recorded.get(name) != fingerprints.get(name) and not name.endswith(".narrative.md")
    )
