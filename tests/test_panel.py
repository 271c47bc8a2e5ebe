"""The panel folder, its sealing key, and the bidder list templates are built from."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tender.errors import TenderError, TenderInputError
from tender.inputs import load_tender
from tender.panel import bidder_list, load_key, panel_files


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


def test_the_bidder_list_carries_ids_and_names_only(reference: Path) -> None:
    assert bidder_list(load_tender(reference)) == [
        ("A", "Goodwin Pest Management"), ("B", "Company B"), ("C", "Company C"),
        ("D", "Company D"), ("E", "Company E"), ("F", "Company F"),
    ]  # fmt: skip


def test_a_bidder_listed_twice_is_an_error(project: Path, reference: Path) -> None:
    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    bids.write_text(bids.read_text() + "C,Company C again,1,yes,,,,,,\n")
    with pytest.raises(TenderInputError) as caught:
        bidder_list(load_tender(reference))
    assert [str(p) for p in caught.value.problems] == [
        "bids/pest-control-2016/bids.csv: line 8: found bidder_id 'C' again (first at line 4); "
        "expected each bidder once"
    ]


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


def test_every_data_file_the_definition_names_is_protected(reference: Path) -> None:
    from tender.model import DataPaths
    from tender.panel import protected_files

    tender = load_tender(reference)
    paths = {key: f"../bids/pest-control-2016/{key}.csv" for key in DataPaths.model_fields}
    paths.pop("provenance")
    named = tender.model_copy(update={"data": tender.data.model_copy(update=paths)})
    protected = {p.resolve() for p in protected_files(named)}
    for key, relative in paths.items():
        assert named.resolve(relative).resolve() in protected, key


def test_score_may_not_write_over_a_decisions_file(project: Path, reference: Path) -> None:
    from click.testing import CliRunner

    from tender.cli import cli

    folder = project / "bids" / "pest-control-2016"
    decisions = folder / "results.json"  # a near-tie decisions file that happens to share a name
    decisions.write_text("bidder_id,decision,reason,decided_on\n", encoding="utf-8")
    text = reference.read_text(encoding="utf-8")
    reference.write_text(
        text.replace(
            "data:\n", "data:\n  near_tie_decisions: ../bids/pest-control-2016/results.json\n", 1
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["score", str(reference), "--out", str(folder)])
    assert result.exit_code == 1, result.output
    assert "results.json" in result.stderr
    assert "an input of this evaluation" in result.stderr
    assert decisions.read_text(encoding="utf-8") == "bidder_id,decision,reason,decided_on\n"
