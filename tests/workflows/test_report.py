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


def test_the_written_report_says_how_robust_the_recommendation_is(reference: Path) -> None:
    import io
    import re

    from pypdf import PdfReader

    done = report(reference, letters=False)
    pdf = next(p for p in done.written if p.name == "award-report.pdf")
    text = re.sub(
        r"\s+",
        " ",
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages),
    )
    assert "How robust the recommendation is" in text
    assert "Verdict: FRAGILE." in text  # one Q1 mark ties A and B (Table 1: 80.3 v 79.1)
    assert "fixed by the invitation to tender" in text
