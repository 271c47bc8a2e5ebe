"""Where a tender's panel files live, and the secret that seals its marking templates.

Each tender has a folder `bids/<slug>/` holding the issued templates, the archive of
returned workbooks, the moderation workbook, the evaluation log and `.panel-key`: a random
256-bit secret created the first time templates are issued. The key never goes into a
workbook; templates carry only an HMAC made with it, so a return whose identity or locked
content was edited (or forged for another evaluator) fails the check on collection. Keep
the key with the tender's records and out of version control and email.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import TenderError
from .fs import os_errors, read_regular
from .inputs import project_root
from .model import Tender

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


def load_key(files: PanelFiles, *, create: bool = False) -> bytes:
    """The tender's sealing key; created (mode 0600) when `create` and none exists yet.

    Raises:
        TenderError: when there is no key and `create` is false (no templates issued).
    """
    path = files.key
    if os.path.lexists(path):
        text = read_regular(path, 4096, "read the panel key").decode("ascii", "replace")
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
            "folder; run `tender templates` first"
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


def seal(key: bytes, fields: dict[str, str]) -> str:
    """HMAC-SHA256 over the fields, canonically serialised."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def is_sealed(key: bytes, fields: dict[str, str], mac: str) -> bool:
    """True when `mac` is the seal of `fields` under `key` (constant-time comparison)."""
    return hmac.compare_digest(seal(key, fields), mac)


@dataclass(frozen=True)
class Issued:
    """One template written: for whom, where, and what identifies it."""

    evaluator_id: str
    path: Path
    issue: int
    template_id: str
    sha256: str


def bidder_list(tender: Tender) -> list[tuple[str, str]]:
    """(bidder_id, bidder) pairs in bids-file order: the only bid data templates may see.

    Raises:
        TenderInputError: for a missing bids file, missing columns or a repeated bidder id.
    """
    from .errors import Problem, TenderInputError
    from .inputs import display_path, read_csv_text

    path = tender.resolve(tender.data.bids)
    name = display_path(path, project_root(tender))
    frame = read_csv_text(path, name)
    missing = [c for c in ("bidder_id", "bidder") if c not in frame.columns]
    if missing:
        raise TenderInputError(
            [Problem(name, "header", f"no column {', '.join(missing)}", "bidder_id and bidder")]
        )
    ids = frame["bidder_id"].str.strip()
    repeated = ids[ids.duplicated()].tolist()
    if repeated:
        raise TenderInputError(
            [
                Problem(name, "bidder_id", f"bidder {b!r} listed twice", "each bidder once")
                for b in repeated
            ]
        )
    return list(zip(ids.tolist(), frame["bidder"].str.strip().tolist(), strict=True))


def issue_templates(
    tender: Tender,
    out: Path | None = None,
    evaluators: list[str] | None = None,
    *,
    now: str | None = None,
) -> list[Issued]:
    """Write one sealed marking template per panel member and log each issue.

    A template issued again for the same evaluator gets the next issue number; returns of
    any issue are accepted, the latest issue (then the latest save) superseding earlier ones.

    Raises:
        TenderError: no panel, or an evaluator id not on the panel.
    """
    from .audit import append_log, read_log, sha256_bytes
    from .excel import layout
    from .excel.templates import identity_fields, write_template
    from .lock import tender_lock
    from .outputs import write_all

    files = panel_files(tender)
    panel = {e.id: e for e in tender.panel}
    if not panel:
        raise TenderError(f"{tender.source}: panel: found no evaluators; expected the panel list")
    chosen = evaluators or list(panel)
    unknown = [e for e in chosen if e not in panel]
    if unknown:
        raise TenderError(
            f"evaluator {', '.join(unknown)} is not on the panel ({', '.join(panel)})"
        )
    rows = layout.marking_rows(tender, bidder_list(tender))
    structure = layout.structure_fingerprint(tender, rows)
    with tender_lock(files.folder):  # issue numbers are read, then logged, by one command
        key = load_key(files, create=True)
        issues: dict[str, int] = {}
        for entry in read_log(files.log):
            if entry.get("event") == "template_issued":
                issues[entry["evaluator_id"]] = max(
                    issues.get(entry["evaluator_id"], 0), entry["issue"]
                )
        folder = out or files.templates
        rendered: dict[Path, bytes] = {}
        issued: list[Issued] = []
        jobs = []
        for evaluator_id in chosen:
            issue = issues.get(evaluator_id, 0) + 1
            template_id = seal(
                key,
                {"tender": tender.tender.reference, "evaluator": evaluator_id, "issue": str(issue)},
            )[:16]
            identity = identity_fields(tender, panel[evaluator_id], issue, template_id, structure)
            jobs.append((tender, panel[evaluator_id], rows, identity, seal(key, identity)))
        for job, data in zip(jobs, _render_all(write_template, jobs), strict=True):
            evaluator_id, identity = job[1].id, job[3]
            path = folder / f"{tender.slug}-{evaluator_id}.xlsx"
            rendered[path] = data
            issued.append(
                Issued(evaluator_id, path, int(identity["issue"]), identity["template_id"],
                       sha256_bytes(data))
            )  # fmt: skip
        with os_errors(folder, "write the templates"):
            write_all(rendered)
        for item in issued:
            append_log(
                files.log,
                "template_issued",
                at=now or _now(),
                evaluator_id=item.evaluator_id,
                issue=item.issue,
                template_id=item.template_id,
                file=item.path.name,
                sha256=item.sha256,
                structure=structure,
                rows=len(rows),
            )
        return issued


PARALLEL_FROM = 4  # workbooks; fewer are quicker written in this process


def _render_all(render: Any, jobs: list[tuple[Any, ...]]) -> list[bytes]:
    """Render independent workbooks, on every CPU when there are several."""
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(jobs) < PARALLEL_FROM:
        return [render(*job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(render, *zip(*jobs, strict=True)))


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")
