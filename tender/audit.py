"""Fingerprints and the append-only, hash-chained evaluation log.

Every output names the SHA-256 of each input it was made from, and every event that
changes what will be scored (templates issued, returns received, moderation ingested,
runs) is appended to a JSON-lines log whose entries chain by hash, so an edited or
deleted line is detectable.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
GENESIS = "0" * 64


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


def _entry_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return sha256_bytes(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())


def read_log(path: Path) -> Iterator[dict[str, Any]]:
    """Entries of a log, oldest first (nothing if the log does not exist yet)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def append_log(path: Path, event: str, **details: Any) -> dict[str, Any]:
    """Append one event, chained to the previous entry's hash; returns the entry.

    Appending (not rewriting) keeps earlier entries byte-for-byte; the line is written
    with one `write` call and flushed to disk before returning.
    """
    previous = GENESIS
    for earlier in read_log(path):
        previous = earlier.get("hash", previous)
    entry: dict[str, Any] = {"event": event, **details, "previous": previous}
    entry["hash"] = _entry_hash(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return entry


def verify_log(path: Path) -> list[str]:
    """Problems with the log's chain: empty when every entry links to the one before."""
    problems = []
    previous = GENESIS
    for number, entry in enumerate(read_log(path), start=1):
        if entry.get("previous") != previous:
            problems.append(f"{path}: entry {number}: does not follow entry {number - 1}")
        if entry.get("hash") != _entry_hash(entry):
            problems.append(f"{path}: entry {number}: content does not match its hash")
        previous = entry.get("hash", "")
    return problems
