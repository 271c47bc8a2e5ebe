"""`report`: the award report and the letters, rendered first, then written at once."""

from __future__ import annotations

import json
from pathlib import Path

from tender.workflows.report import report


def test_the_report_alone_writes_no_letters(project: Path, reference: Path) -> None:
    reported = report(reference, letters=False)
    written = [f"award-report-confidential.{s}" for s in ("docx", "html", "pdf")]
    written += [f"award-report.{s}" for s in ("docx", "html", "pdf")]
    assert sorted(p.name for p in reported.written) == written
    assert reported.letters == 0
    runs = project / "reports" / "pest-control-2016" / "runs.jsonl"
    (record,) = [json.loads(line) for line in runs.read_text().splitlines()]
    assert (record["event"], record["outputs"]) == (
        "reported",
        written,
    )


def test_every_bidder_gets_a_letter(reference: Path) -> None:
    reported = report(reference)
    assert reported.letters == 6
