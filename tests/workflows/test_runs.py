"""`write_and_record`: the gate first, a damaged run record refused, then write and record."""

from __future__ import annotations

from pathlib import Path

import pytest

from tender.errors import TenderInputError
from tender.workflows.evaluation import evaluate_file
from tender.workflows.runs import write_and_record


def test_a_damaged_run_record_is_refused_before_anything_is_written(
    project: Path, reference: Path
) -> None:
    ev = evaluate_file(reference).evaluation
    folder = project / "reports" / "pest-control-2016"
    folder.mkdir(parents=True)
    (folder / "runs.jsonl").write_text('{"event": "scored", "at": ')
    with pytest.raises(TenderInputError):
        write_and_record(ev, folder, {folder / "x.txt": b"x"}, "scored", out=None, doing="write x")
    assert not (folder / "x.txt").exists()


def test_outputs_in_subfolders_are_recorded_by_their_path_in_the_folder(
    project: Path, reference: Path
) -> None:
    import json

    ev = evaluate_file(reference).evaluation
    folder = project / "reports" / "pest-control-2016"
    files = {folder / "letters" / "a.txt": b"a", folder / "b.txt": b"b"}
    written = write_and_record(ev, folder, files, "reported", out=None, doing="write")
    assert sorted(written) == sorted(files)
    record = json.loads((folder / "runs.jsonl").read_text())
    assert sorted(record["outputs"]) == ["b.txt", "letters/a.txt"]
