"""`report`: the award report and the letters, rendered first, then written at once."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

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


def test_two_runs_write_the_same_bytes_dated_by_the_documents_or_source_date_epoch(
    reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every PDF, DOCX and HTML of two runs is byte for byte the same; a report is dated by
    its meeting and a letter by its sending, unless SOURCE_DATE_EPOCH fixes the date."""
    import io

    from pypdf import PdfReader

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first, second = (report(reference, out=tmp_path / n) for n in ("one", "two"))
    for a, b in zip(first.written, second.written, strict=True):
        if a.suffix in (".pdf", ".docx", ".html"):
            assert a.read_bytes() == b.read_bytes(), a.name
    dated = {
        p.relative_to(tmp_path / "one").as_posix(): PdfReader(io.BytesIO(p.read_bytes())).metadata
        for p in first.written
        if p.suffix == ".pdf"
    }
    assert dated["award-report.pdf"]["/CreationDate"] == "D:20161213000000+00'00'"
    assert dated["award-report-confidential.pdf"]["/ModDate"] == "D:20161213000000+00'00'"
    letters = [m for name, m in dated.items() if name.startswith("letters/")]
    assert len(letters) == 6
    assert {m["/CreationDate"] for m in letters} == {"D:20161214000000+00'00'"}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1781049600")  # 2026-06-10 00:00:00 UTC
    third, fourth = (report(reference, out=tmp_path / n) for n in ("three", "four"))
    for a, b in zip(third.written, fourth.written, strict=True):
        if a.suffix in (".pdf", ".docx", ".html"):
            assert a.read_bytes() == b.read_bytes(), a.name
    for path in third.written:
        if path.suffix == ".pdf":
            meta = PdfReader(io.BytesIO(path.read_bytes())).metadata
            assert meta["/CreationDate"] == "D:20260610000000+00'00'", path.name
        if path.suffix == ".docx":
            core = zipfile.ZipFile(path).read("docProps/core.xml")
            assert b">2026-06-10T00:00:00Z</dcterms:modified>" in core, path.name


def test_a_source_date_epoch_that_is_not_a_time_is_refused_naming_it(
    reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from tender.cli.group import cli

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "next tuesday")
    result = CliRunner().invoke(cli, ["report", str(reference), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: environment: SOURCE_DATE_EPOCH: found 'next tuesday'; expected a whole number "
        "of seconds since 1970-01-01 00:00 UTC, e.g. 1781049600"
    )
    assert "Traceback" not in result.output + result.stderr
    assert not (tmp_path / "o").exists()


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
