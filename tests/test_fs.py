"""File-system failures become messages naming the path; special files are never opened."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tender.fs import FileSystemError, NotAFileError, open_regular, os_errors, read_regular


def test_a_full_disk_names_the_path_and_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileSystemError) as caught, os_errors(tmp_path / "out", "write it"):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert str(caught.value) == (
        f"{tmp_path / 'out'}: could not write it: the disk is full (no space left on "
        "device); free some space and run again"
    )


def test_the_path_the_system_names_wins(tmp_path: Path) -> None:
    message = r"x\.csv: could not read it: permission denied"
    with pytest.raises(FileSystemError, match=message), os_errors(tmp_path, "read it"):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "x.csv"))


def test_other_errors_pass_through(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="a bug"), os_errors(tmp_path, "read it"):
        raise ValueError("a bug")


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(NotAFileError, match="found a folder; expected a file"):
        open_regular(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "key"
    os.mkfifo(fifo)
    with pytest.raises(NotAFileError, match=r"found a FIFO \(named pipe\); expected a file"):
        read_regular(fifo, 100)


def test_reads_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 101)
    assert read_regular(path, 101) == b"x" * 101
    with pytest.raises(FileSystemError, match="found a file over 100 bytes"):
        read_regular(path, 100)
