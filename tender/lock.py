"""Exclusive locks, so two commands run at once on one tender cannot interleave.

Two kinds, both advisory operating-system locks that vanish when the process ends (a
crash never leaves a tender locked):

- `tender_lock(folder)`: one lock file, `bids/<tender>/.lock`, held by every command that
  reads the evaluation log to decide what to append (issue numbers, returns already
  received), for the whole of that read-decide-append; re-entrant within one thread.
- `locked(descriptor)`: a lock on an open log file, held by every append while it reads
  the last entry's hash and writes the next line, so no two entries claim one predecessor.

POSIX uses `fcntl.flock`; Windows `msvcrt.locking` on the first byte. A lock held by
another command is waited for up to `TIMEOUT` seconds, then refused with a message.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import TenderError
from .files import open_regular, os_errors

LOCK_FILE = ".lock"
TIMEOUT = 120.0  # seconds: a collect of 30 large returns takes a few
POLL = 0.02

_held = threading.local()


class LockedError(TenderError):
    """Another command holds the tender's lock for longer than we wait."""


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(descriptor: int) -> bool:
        os.lseek(descriptor, 0, os.SEEK_SET)
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


@contextmanager
def locked(descriptor: int, path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on an open file for the block.

    Raises:
        LockedError: when another process or thread holds it for longer than `timeout`.
    """
    limit = TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + limit
    while not _try_lock(descriptor):
        if time.monotonic() >= deadline:
            raise LockedError(
                f"{path}: another tender command is working on this tender (waited "
                f"{limit:g} s for it); run this one again when it has finished"
            )
        time.sleep(POLL)
    try:
        yield
    finally:
        _unlock(descriptor)


@contextmanager
def tender_lock(folder: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock of a tender's panel folder (`folder/.lock`) for the block.

    Re-entrant within a thread: a function holding it may call others that take it.

    Raises:
        LockedError: another command holds it for longer than `timeout`.
        FileSystemError: the folder cannot be created or the lock file opened.
    """
    path = folder / LOCK_FILE
    key = os.path.normcase(os.path.abspath(path))
    depth: dict[str, int] = getattr(_held, "depth", None) or {}
    _held.depth = depth
    if depth.get(key):
        depth[key] += 1
        try:
            yield
        finally:
            depth[key] -= 1
        return
    with os_errors(path, "lock the tender's folder"):
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = open_regular(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        with locked(descriptor, path, timeout):
            depth[key] = 1
            try:
                yield
            finally:
                depth[key] = 0
    finally:
        os.close(descriptor)
