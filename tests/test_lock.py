"""The per-tender lock: exclusive across threads and processes, re-entrant in one thread."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from tender import lock
from tender.files import FileSystemError


def test_the_lock_is_re_entrant_within_a_thread(tmp_path: Path) -> None:
    with lock.tender_lock(tmp_path), lock.tender_lock(tmp_path, timeout=0):
        assert (tmp_path / lock.LOCK_FILE).is_file()


def test_another_thread_waits_then_is_refused_with_a_message(tmp_path: Path) -> None:
    outcome: list[str] = []

    def other() -> None:
        try:
            with lock.tender_lock(tmp_path, timeout=0.1):
                outcome.append("entered")
        except lock.LockedError as exc:
            outcome.append(str(exc))

    with lock.tender_lock(tmp_path):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert outcome == [
        f"{tmp_path / '.lock'}: another tender command is working on this tender (waited "
        "0.1 s for it); run this one again when it has finished"
    ]


def test_the_lock_serialises_two_threads(tmp_path: Path) -> None:
    inside: list[int] = []
    overlaps: list[int] = []

    def work(n: int) -> None:
        for _ in range(5):
            with lock.tender_lock(tmp_path):
                inside.append(n)
                if len(inside) > 1:
                    overlaps.append(n)
                time.sleep(0.002)
                inside.remove(n)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []


def test_a_file_where_the_tender_folder_should_be_is_a_message(tmp_path: Path) -> None:
    (tmp_path / "bids").write_text("not a folder")
    refused = pytest.raises(FileSystemError, match="could not lock the tender's folder")
    with refused, lock.tender_lock(tmp_path / "bids" / "t"):
        pass


def test_a_folder_where_the_lock_file_should_be_is_a_message(tmp_path: Path) -> None:
    os.mkdir(tmp_path / lock.LOCK_FILE)
    refused = pytest.raises(FileSystemError, match="found a folder; expected a file")
    with refused, lock.tender_lock(tmp_path):
        pass
