"""`score`: evaluate, write the results files, record the run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tender.workflows.score import score

# The committee report's Table 1 (published): total score per organisation.
PUBLISHED_TOTALS = {"A": "80.3", "B": "79.1"}


def test_scoring_writes_the_results_and_records_the_run(project: Path, reference: Path) -> None:
    scored = score(reference)
    folder = project / "reports" / "pest-control-2016"
    assert scored.folder == folder
    assert sorted(p.name for p in scored.written) == [
        "results.csv",
        "results.json",
        "results.xlsx",
    ]
    with (folder / "results.csv").open(newline="") as handle:
        totals = {row["bidder_id"]: row["total_score"] for row in csv.DictReader(handle)}
    assert {b: totals[b] for b in PUBLISHED_TOTALS} == PUBLISHED_TOTALS
    (record,) = [json.loads(line) for line in (folder / "runs.jsonl").read_text().splitlines()]
    assert record["event"] == "scored"
    assert record["outputs"] == ["results.csv", "results.json", "results.xlsx"]
    assert record["inputs"] == scored.run.evaluation.fingerprints


def test_a_named_folder_outside_the_project_is_written(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    scored = score(reference, out)
    assert {p.parent for p in scored.written} == {out}
