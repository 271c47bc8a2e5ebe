"""Where a tender's panel files live, and the secret that seals its marking templates.

Each tender has a folder `bids/<slug>/` holding the issued templates, the archive of
returned workbooks, the moderation workbook, the evaluation log and `.panel-key`: a random
256-bit secret created the first time templates are issued. The key never goes into a
workbook; templates carry only an HMAC made with it, so a return whose identity or locked
content was edited (or forged for another evaluator) fails the check on collection. Keep
the key with the tender's records and out of version control and email.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .errors import TenderError
from .files import os_errors, read_file
from .inputs import project_root
from .model import DataPaths, Tender

KEY_FILE = ".panel-key"
KEY_BYTES = 32


@dataclass(frozen=True)
class PanelFiles:
    """The files of one tender's evaluation panel."""

    folder: Path

    @property
    def templates(self) -> Path:
        return self.folder / "templates"

    @property
    def archive(self) -> Path:
        return self.folder / "archive"

    @property
    def moderation(self) -> Path:
        return self.folder / "moderation.xlsx"

    @property
    def log(self) -> Path:
        return self.folder / "evaluation-log.jsonl"

    @property
    def key(self) -> Path:
        return self.folder / KEY_FILE


def panel_files(tender: Tender) -> PanelFiles:
    """The panel folder of a tender: bids/<slug>/ beside criteria/."""
    return PanelFiles(project_root(tender) / "bids" / tender.slug)


# Every file the definition names under `data:` is an input no output may replace: taken from
# the model itself, so a data file added later is protected without anyone remembering to.
# (`provenance` is a statement about the inputs, not a file.)
DATA_FILES = tuple(key for key in DataPaths.model_fields if key != "provenance")


def protected_files(tender: Tender, *, writing: tuple[str, ...] = ()) -> list[Path]:
    """Files no output of a command may replace, for the write gate (`files.check_targets`).

    The definition and every file it names (`data.*`, the report narrative), the panel key,
    the moderation workbook, issued templates, archived returns and both logs, except the
    ones named in `writing`: the `data.*` keys, "moderation" or "templates" that the
    command exists to write. A log is appended to, never replaced, by its own command.
    """
    paths: list[Path] = []
    if tender.source is not None:
        paths += [tender.source, tender.source.with_name(f"{tender.source.stem}.narrative.md")]
    for key in DATA_FILES:
        relative = getattr(tender.data, key)
        if relative is not None and key not in writing:
            paths.append(tender.resolve(relative))
    if tender.report.narrative is not None:
        paths.append(tender.resolve(tender.report.narrative))
    files = panel_files(tender)
    paths += [files.key, files.log, project_root(tender) / "reports" / tender.slug / "runs.jsonl"]
    if "moderation" not in writing:
        paths.append(files.moderation)
    folders = [files.archive] + ([] if "templates" in writing else [files.templates])
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink():
            paths += sorted(folder.iterdir())
    return paths


def written_path(tender: Tender, relative: str) -> Path:
    """A data path of the definition as a write target: its folders resolved, its last part
    not, so the write gate sees a link there instead of writing to where it points."""
    base = tender.source.parent if tender.source is not None else Path.cwd()
    path = base / relative
    return path.parent.resolve() / path.name if path.name not in ("", ".", "..") else path


def load_key(files: PanelFiles, *, create: bool = False, issuer: str = "templates") -> bytes:
    """The tender's sealing key; created (mode 0600) when `create` and none exists yet.

    `issuer` is the command that issues the workbooks this key seals, for the message.

    Raises:
        TenderError: when there is no key and `create` is false (no templates issued).
    """
    path = files.key
    if os.path.lexists(path):
        text = read_file(path, 4096, "read the panel key").decode("ascii", "replace")
        try:
            key = bytes.fromhex(text.strip())
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES:
            raise TenderError(f"{path}: not a panel key ({KEY_BYTES * 2} hex digits expected)")
        return key
    if not create:
        raise TenderError(
            f"{path}: no panel key, so no templates were issued for this tender from this "
            f"folder; run `tender {issuer}` first"
        )
    key = secrets.token_bytes(KEY_BYTES)
    with os_errors(path, "create the panel key"):
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(key.hex() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError:
            path.unlink()  # half a key would make every template unverifiable
            raise
    return key


def bidder_list(tender: Tender) -> list[tuple[str, str]]:
    """(bidder_id, bidder) pairs in bids-file order: the only bid data templates may see.

    Raises:
        TenderInputError: for a missing bids file, missing columns or a repeated bidder id.
    """
    from .bidders import clean_names, id_problems
    from .errors import Problem, TenderInputError
    from .inputs import FIRST_LINE, display_path, read_csv_text, refuse_whole_lots

    refuse_whole_lots(tender)
    path = tender.resolve(tender.data.bids)
    name = display_path(path, project_root(tender))
    frame = read_csv_text(path, name)
    missing = [c for c in ("bidder_id", "bidder") if c not in frame.columns]
    if missing:
        raise TenderInputError(
            [Problem(name, "header", f"no column {', '.join(missing)}", "bidder_id and bidder")]
        )
    ids = frame["bidder_id"].str.strip()
    bad = id_problems(ids, FIRST_LINE)
    if bad:
        raise TenderInputError(
            [Problem(name, f"line {b.position + FIRST_LINE}", b.found, b.expected) for b in bad]
        )
    return list(zip(ids.tolist(), clean_names(frame["bidder"]).tolist(), strict=True))


@dataclass(frozen=True)
class ToMark:
    """The bids the evaluators mark, and those left out with the requirement they failed."""

    marked: list[tuple[str, str]]
    excluded: list[tuple[str, str, str]]  # (bidder_id, bidder, reason)


def bidders_to_mark(tender: Tender) -> ToMark:
    """Compliance before quality: a bid whose answer to a pass/fail requirement is given
    and fails is not marked (unless `quality.mark_non_compliant`); a blank answer, not yet
    assessed, is marked.

    Raises:
        TenderInputError: as `bidder_list`, or a requirement column missing from the bids.
    """
    from .compliance import requirement_failures
    from .errors import Problem, TenderInputError
    from .inputs import display_path, read_csv_text

    bidders = bidder_list(tender)
    if tender.quality.mark_non_compliant or not tender.requirements:
        return ToMark(bidders, [])
    path = tender.resolve(tender.data.bids)
    name = display_path(path, project_root(tender))
    frame = read_csv_text(path, name)
    missing = [r.column for r in tender.requirements if r.column not in frame.columns]
    if missing:
        raise TenderInputError(
            [Problem(name, "header", f"no column {c}", "the pass/fail column") for c in missing]
        )
    answered = frame.copy()
    for req in tender.requirements:  # a blank answer is not yet assessed: not a failure
        blank = answered[req.column].str.strip() == ""
        answered.loc[blank, req.column] = req.pass_values[0]
    reasons = requirement_failures(answered, tender.requirements).tolist()
    marked = [b for b, reason in zip(bidders, reasons, strict=True) if not reason]
    excluded = [(b, n, r) for (b, n), r in zip(bidders, reasons, strict=True) if r]
    return ToMark(marked, excluded)
