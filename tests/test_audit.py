"""Fingerprints and the hash-chained evaluation log."""

import errno
import json
import multiprocessing
import os
import threading
import typing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from tender import audit
from tender.errors import TenderInputError
from tender.files import FileSystemError


def test_sha256_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    assert audit.sha256_file(path) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_log_chains_and_detects_edits(tmp_path):
    log = tmp_path / "log.jsonl"
    first = audit.append_log(log, "issued", evaluator="E1")
    second = audit.append_log(log, "received", evaluator="E1", sha256="00")
    assert second["previous"] == first["hash"]
    assert audit.verify_log(log) == []
    lines = log.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[0])
    edited["evaluator"] = "E2"
    log.write_text(json.dumps(edited) + "\n" + lines[1] + "\n", encoding="utf-8")
    assert audit.verify_log(log) == [f"{log}: entry 1: content does not match its hash"]


def test_deleting_an_entry_breaks_the_chain(tmp_path):
    log = tmp_path / "log.jsonl"
    for n in range(3):
        audit.append_log(log, "event", n=n)
    lines = log.read_text(encoding="utf-8").splitlines()
    log.write_text(lines[0] + "\n" + lines[2] + "\n", encoding="utf-8")
    assert audit.verify_log(log) == [f"{log}: entry 2: does not follow entry 1"]


def _log_with_entries(tmp_path, count=3):
    log = tmp_path / "log.jsonl"
    for n in range(count):
        audit.append_log(log, "event", n=n)
    return log


def test_a_truncated_last_line_is_reported_with_its_line_and_content(tmp_path):
    log = _log_with_entries(tmp_path)
    with log.open("a") as handle:
        handle.write('{"event": "x", "hash')
    checked = audit.check_log(log)
    assert len(checked.entries) == 3
    assert [str(p) for p in checked.damaged] == [
        f'{log}: line 4: found a line cut short: \'{{"event": "x", "hash\' (JSON error at '
        "column 16: Unterminated string starting at); expected one complete JSON object per "
        "line, as tender writes them"
    ]
    assert checked.summary() == (
        f"{log}: hash chain broken at line 4 (3 entries readable, 1 damaged line)"
    )
    with pytest.raises(TenderInputError) as caught:
        audit.read_log(log)
    assert caught.value.problems == checked.damaged


@pytest.mark.parametrize(
    ("line", "found"),
    [
        (b"\xff\xfe garbage\n", "found bytes that are not UTF-8 (at byte 0)"),
        (b"[1, 2]\n", "found a JSON list"),
        (b'{"event": "x"}\n', "found an entry without its 'previous'"),
        (b"[" * 100_000 + b"\n", "found JSON nested too deeply"),
    ],
)
def test_damaged_lines_are_problems_not_exceptions(tmp_path, line, found):
    log = _log_with_entries(tmp_path, 1)
    with log.open("ab") as handle:
        handle.write(line)
    (problem,) = audit.check_log(log).damaged
    assert str(problem).startswith(f"{log}: line 2: {found}")


def test_an_entry_missing_what_later_commands_read_is_damaged(tmp_path):
    log = tmp_path / "log.jsonl"
    audit.append_log(log, "template_issued", evaluator_id="E1", issue="1")
    (problem,) = audit.check_log(log).damaged
    assert str(problem) == (
        f"{log}: line 1, issue: found '1' in a 'template_issued' entry; "
        "expected a whole number, as tender writes it"
    )


@pytest.mark.parametrize(
    ("event", "fields", "where", "expected"),
    [
        ("price_template_issued", {"bidder_id": "B", "issue": 1.5}, "issue", "a whole number"),
        ("price_template_issued", {"issue": 1}, "bidder_id", "text"),
        ("price_return_received", {"sha256": "00", "archive": "a/b"}, "archive", "a file name"),
        ("price_return_accepted", {"archive": "x.xlsx"}, "sha256", "text"),
    ],
)
def test_a_pricing_entry_missing_what_later_commands_read_is_damaged(
    tmp_path, event, fields, where, expected
):
    log = tmp_path / "log.jsonl"
    audit.append_log(log, event, **fields)
    (problem,) = audit.check_log(log).damaged
    assert str(problem).startswith(f"{log}: line 1, {where}: found ")
    assert str(problem).endswith(f"in a '{event}' entry; expected {expected}, as tender writes it")
    with pytest.raises(TenderInputError, match=f"line 1, {where}"):
        audit.read_log(log)


def test_every_event_record_names_only_fields_checked_when_read():
    """A record's required fields are typed as `FIELDS` checks them; one not checked would
    be typed as what nobody checked (its optional fields are read as found, `object`)."""
    base = set(typing.get_type_hints(audit.Entry))
    for record, event in audit.EVENTS.items():
        hints = typing.get_type_hints(record, include_extras=True)
        optional = {k for k, t in hints.items() if typing.get_origin(t) is typing.NotRequired}
        assert set(hints) - base - optional == set(audit.FIELDS[event]), record
        assert all(hints[k] == typing.NotRequired[object] for k in optional), record


def test_an_events_entries_are_read_as_its_record_oldest_first(tmp_path):
    log = tmp_path / "log.jsonl"
    audit.append_log(log, "template_issued", evaluator_id="E1", issue=1)
    audit.append_log(log, "return_received", sha256="00", archive="r.xlsx")
    audit.append_log(log, "template_issued", evaluator_id="E2", issue=1)
    audit.append_log(log, "reported", at="2026-01-01T00:00:00+00:00", inputs={})
    entries = audit.read_log(log)
    assert [e["evaluator_id"] for e in audit.of_event(entries, audit.TemplateIssued)] == [
        "E1",
        "E2",
    ]
    assert [e["archive"] for e in audit.of_event(entries, audit.ReturnReceived)] == ["r.xlsx"]
    assert [e["at"] for e in audit.runs_of(entries, "reported")] == ["2026-01-01T00:00:00+00:00"]
    assert audit.runs_of(entries, "published") == []


def test_an_archive_name_in_the_log_must_be_a_plain_file_name(tmp_path):
    log = tmp_path / "log.jsonl"
    audit.append_log(log, "return_received", sha256="00", archive="../../etc/passwd")
    assert "line 1, archive: found '../../etc/passwd'" in str(audit.check_log(log).damaged[0])


def test_appending_to_a_log_with_a_damaged_tail_is_refused_and_changes_nothing(tmp_path):
    log = _log_with_entries(tmp_path, 2)
    with log.open("a") as handle:
        handle.write('{"event": "x"')
    before = log.read_bytes()
    with pytest.raises(TenderInputError, match="line 3: found a line cut short"):
        audit.append_log(log, "event", n=3)
    assert log.read_bytes() == before


def test_an_append_reads_only_the_tail(tmp_path, monkeypatch):
    log = _log_with_entries(tmp_path, 2)
    with log.open("r+b") as handle:  # damage the first line: only `tender log` reads it
        handle.write(b"#")
    entry = audit.append_log(log, "event", n=2)
    assert entry["previous"] == json.loads(log.read_text().splitlines()[1])["hash"]
    monkeypatch.setattr(audit, "CHUNK", 16)  # a last line longer than one chunk
    entry = audit.append_log(log, "event", n=3, padding="x" * 500)
    assert audit.append_log(log, "event", n=4)["previous"] == entry["hash"]


def test_a_full_disk_during_an_append_leaves_the_log_as_it_was(tmp_path, monkeypatch):
    log = _log_with_entries(tmp_path, 2)
    before = log.read_bytes()
    real_write = os.write

    def half_then_full(descriptor, data):
        if bytes(data[:2]) == b'{"':
            real_write(descriptor, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(FileSystemError) as caught:
        audit.append_log(log, "event", n=2)
    monkeypatch.undo()
    assert str(caught.value) == (
        f"{log}: could not append to the log: the disk is full (no space left on device); "
        "free some space and run again"
    )
    assert log.read_bytes() == before
    assert audit.verify_log(log) == []


def test_a_folder_where_the_log_should_be_is_reported(tmp_path):
    log = tmp_path / "log.jsonl"
    log.mkdir()
    assert [str(p) for p in audit.check_log(log).damaged] == [
        f"{log}: found a folder; expected the log, a file"
    ]
    with pytest.raises(FileSystemError, match="found a folder; expected a file"):
        audit.append_log(log, "event")


def _append_many(path: str, worker: int, count: int) -> None:
    for n in range(count):
        audit.append_log(Path(path), "event", worker=worker, n=n)


@pytest.mark.slow
def test_appends_from_several_processes_keep_one_chain(tmp_path):
    log = tmp_path / "log.jsonl"
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(4, mp_context=context) as pool:
        futures = [pool.submit(_append_many, str(log), w, 25) for w in range(4)]
        for future in futures:
            future.result()
    checked = audit.check_log(log)
    assert checked.intact, checked.breaks[:3]
    assert len(checked.entries) == 100


def test_appends_from_several_threads_keep_one_chain(tmp_path):
    log = tmp_path / "log.jsonl"
    threads = [threading.Thread(target=_append_many, args=(str(log), w, 25)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = audit.check_log(log)
    assert checked.intact, checked.breaks[:3]
    assert len(checked.entries) == 100
