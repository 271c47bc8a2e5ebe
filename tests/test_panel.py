"""The panel folder, its sealing key, and the bidder list templates are built from."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from tender.errors import TenderError, TenderInputError
from tender.inputs import load_tender
from tender.panel import bidder_list, is_sealed, load_key, panel_files, seal


def test_the_panel_folder_is_bids_slug_beside_criteria(project: Path, reference: Path) -> None:
    files = panel_files(load_tender(reference))
    assert files.folder == project / "bids" / "pest-control-2016"
    assert files.log.name == "evaluation-log.jsonl"
    assert files.moderation.name == "moderation.xlsx"


def test_a_key_is_created_once_private_and_then_reused(reference: Path) -> None:
    files = panel_files(load_tender(reference))
    with pytest.raises(TenderError, match="no panel key"):
        load_key(files)
    key = load_key(files, create=True)
    assert len(key) == 32
    assert files.key.stat().st_mode & 0o777 == 0o600
    assert load_key(files) == key
    assert load_key(files, create=True) == key


def test_a_damaged_key_is_an_error(reference: Path) -> None:
    files = panel_files(load_tender(reference))
    files.key.write_text("not hex")
    with pytest.raises(TenderError, match="not a panel key"):
        load_key(files)


def test_a_seal_is_a_keyed_hmac_over_the_fields() -> None:
    # HMAC-SHA256, key b"k" * 32, message '{"a":"1"}' (computed with Python's hmac module).
    fields = {"a": "1"}
    mac = seal(b"k" * 32, fields)
    assert mac == "e08b25ca11979f830261ff6795d8f463b02a2cc2433900ec0bdfca1d40432c4b"
    assert is_sealed(b"k" * 32, fields, mac)
    assert not is_sealed(b"k" * 32, {"a": "2"}, mac)
    assert not is_sealed(b"j" * 32, fields, mac)


def test_the_bidder_list_carries_ids_and_names_only(reference: Path) -> None:
    assert bidder_list(load_tender(reference)) == [
        ("A", "Goodwin Pest Management"), ("B", "Company B"), ("C", "Company C"),
        ("D", "Company D"), ("E", "Company E"), ("F", "Company F"),
    ]  # fmt: skip


def test_a_bidder_listed_twice_is_an_error(project: Path, reference: Path) -> None:
    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    bids.write_text(bids.read_text() + "C,Company C again,1,yes,\n")
    with pytest.raises(TenderInputError) as caught:
        bidder_list(load_tender(reference))
    assert [str(p) for p in caught.value.problems] == [
        "bids/pest-control-2016/bids.csv: line 8: found bidder_id 'C' again (first at line 4); "
        "expected each bidder once"
    ]


def test_templates_rendered_on_several_processes_are_the_same_bytes(
    reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tender.excel.layout import marking_rows
    from tender.excel.templates import identity_fields, write_template
    from tender.panel import _render_all

    tender = load_tender(reference)
    rows = marking_rows(tender, bidder_list(tender))
    jobs = [
        (tender, e, rows, identity_fields(tender, e, 1, "t", "s"), "seal") for e in tender.panel
    ]
    serial = _render_all(write_template, jobs)
    monkeypatch.setattr("tender.panel.PARALLEL_FROM", 1)
    assert _render_all(write_template, jobs) == serial
    assert len(set(serial)) == 3


def test_a_folder_where_the_key_should_be_is_a_message(reference: Path) -> None:
    files = panel_files(load_tender(reference))
    files.key.mkdir(parents=True)
    with pytest.raises(TenderError, match=r"\.panel-key: found a folder; expected a file"):
        load_key(files)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_a_fifo_where_the_key_should_be_is_refused_without_hanging(reference: Path) -> None:
    files = panel_files(load_tender(reference))
    os.mkfifo(files.key)
    with pytest.raises(TenderError, match=r"\.panel-key: found a FIFO \(named pipe\)"):
        load_key(files, create=True)


def test_a_key_that_cannot_be_written_is_removed_not_left_half_written(
    reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = panel_files(load_tender(reference))
    real_fsync = os.fsync

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(TenderError, match="could not create the panel key: the disk is full"):
        load_key(files, create=True)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert not files.key.exists()


def test_templates_issued_at_once_never_share_an_issue_number(reference: Path) -> None:
    from tender.audit import check_log
    from tender.panel import issue_templates

    tender = load_tender(reference)
    issued: list[int] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            for _ in range(3):
                issued.extend(i.issue for i in issue_templates(tender, evaluators=["E1"]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(issued) == list(range(1, 10))
    checked = check_log(panel_files(tender).log)
    assert checked.intact
    assert [e["issue"] for e in checked.entries] == list(range(1, 10))
