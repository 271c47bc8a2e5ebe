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

from .errors import TenderError
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
    if path.exists():
        text = path.read_text(encoding="ascii").strip()
        try:
            key = bytes.fromhex(text)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


def seal(key: bytes, fields: dict[str, str]) -> str:
    """HMAC-SHA256 over the fields, canonically serialised."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def is_sealed(key: bytes, fields: dict[str, str], mac: str) -> bool:
    """True when `mac` is the seal of `fields` under `key` (constant-time comparison)."""
    return hmac.compare_digest(seal(key, fields), mac)
