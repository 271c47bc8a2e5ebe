"""File-system failures as messages, and opening a file that must be a regular file.

A full disk, a permission refused, a file where a folder should be or a FIFO where a file
should be are facts about the user's machine, not bugs: each becomes a `TenderError`
naming the path and what to do, never a traceback or a command that hangs.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import TenderError

REASONS = {
    errno.ENOSPC: "the disk is full (no space left on device); free some space and run again",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.EACCES: "permission denied; check who may read and write it",
    errno.EPERM: "permission denied; check who may read and write it",
    errno.EROFS: "the file system is read-only",
    errno.ENOTDIR: "a file stands where a folder should be in this path",
    errno.EEXIST: "a file stands where a folder should be",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOENT: "no such file or folder",
    errno.ELOOP: "a symbolic link loops or is refused here",
}


class FileSystemError(TenderError):
    """The operating system refused to read or write a file the command needs."""


def reason(exc: OSError) -> str:
    """What went wrong, in words a user can act on."""
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    return exc.strerror or type(exc).__name__


@contextmanager
def os_errors(path: Path | str, doing: str) -> Iterator[None]:
    """Turn an OSError inside the block into a FileSystemError naming the path.

    `doing` completes "could not …" (for example "append to the log"); the path is the
    one the operating system names, or `path` when it names none (a full disk on write).
    """
    try:
        yield
    except FileSystemError:
        raise
    except OSError as exc:
        where = exc.filename if exc.filename is not None else path
        raise FileSystemError(f"{os.fsdecode(where)}: could not {doing}: {reason(exc)}") from None


def kind(mode: int) -> str:
    """What a file-system entry is, for messages: 'a folder', 'a FIFO (named pipe)', …"""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a regular file"


class NotAFileError(FileSystemError):
    """A path that must be a regular file is a folder, a FIFO, a device or a socket."""

    def __init__(self, path: Path, found: str) -> None:
        super().__init__(f"{path}: found {found}; expected a file")
        self.found = found


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o666) -> int:
    """A descriptor for `path`, refusing anything but a regular file without blocking.

    The file is opened non-blocking (a FIFO would otherwise wait for a writer forever) and
    checked with fstat on the open descriptor, so a swap after a check cannot slip by.

    Raises:
        NotAFileError: when `path` is a folder, FIFO, device or socket.
        OSError: when the operating system refuses to open it.
    """
    binary = getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags | binary | getattr(os, "O_NONBLOCK", 0), mode)
    except IsADirectoryError:
        raise NotAFileError(path, "a folder") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise NotAFileError(path, kind(info.st_mode))
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    return descriptor


def read_regular(path: Path, limit: int, doing: str = "read it") -> bytes:
    """The bytes of a regular file of at most `limit` bytes, read with that bound.

    Raises:
        FileSystemError: a folder, FIFO or device, a file over `limit`, or a refused read.
    """
    with os_errors(path, doing):
        descriptor = open_regular(path)
        try:
            chunks = []
            total = 0
            while chunk := os.read(descriptor, min(1 << 20, limit + 1 - total)):
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise FileSystemError(
                        f"{path}: found a file over {limit:,} bytes; expected at most {limit:,}"
                    )
            return b"".join(chunks)
        finally:
            os.close(descriptor)
