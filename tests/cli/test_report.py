"""`tender report` end to end on the reference tender."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tender.cli import cli


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "runs.jsonl"
    }


def test_report_writes_report_and_letters(runner, reference, project):
    inputs_before = _hashes(project / "bids")
    result = runner.invoke(cli, ["report", str(reference)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    folder = project / "reports" / "pest-control-2016"
    assert result.stdout == ""
    assert result.stderr == f"Wrote the award report and 6 letters to {folder}\n"
    written = _hashes(folder)
    for name in (
        "award-report.pdf",
        "award-report.docx",
        "letters/b-company-b.pdf",
        "letters/b-company-b.docx",
    ):
        assert name in written
    assert len([n for n in written if n.startswith("letters/")]) == 12
    assert _hashes(project / "bids") == inputs_before
    assert (folder / "runs.jsonl").read_text().count('"event": "reported"') == 1


def test_two_runs_give_byte_identical_files(runner, reference, project, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        result = runner.invoke(cli, ["report", str(reference), "--out", str(out)])
        assert result.exit_code == 0, result.stderr
    assert _hashes(first) == _hashes(second)
    assert len(_hashes(first)) == 14


def test_letters_refused_when_a_rationale_is_missing(runner, reference, project):
    moderated = project / "bids" / "pest-control-2016" / "moderated.csv"
    lines = moderated.read_text(encoding="utf-8").splitlines()
    lines[5] = "B,Q1,5,"
    moderated.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["report", str(reference)])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: bids/pest-control-2016/moderated.csv: bidder B, criterion Q1: found a moderated "
        "mark of 5 with no rationale; expected an explanation of the mark by reference to the "
        "bidder's tender\n"
        "1 problem found; nothing was written.\n"
    )
    assert not (project / "reports").exists()
    result = runner.invoke(cli, ["report", str(reference), "--no-letters"])
    assert result.exit_code == 0, result.stderr
    folder = project / "reports" / "pest-control-2016"
    assert (folder / "award-report.pdf").exists()
    assert not (folder / "letters").exists()
    assert result.stderr == f"Wrote the award report and 0 letters to {folder}\n"


def test_missing_narrative_is_a_warning_not_an_error(runner, reference, project):
    narrative = reference.parent / "pest-control-2016.narrative.md"
    text = narrative.read_text(encoding="utf-8").replace("## Consultation", "## Other")
    narrative.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["report", str(reference), "--no-letters"])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        "warning: criteria/pest-control-2016.narrative.md: section 'consultation' is missing; "
        "the report shows a placeholder"
    )


def test_help_lists_the_command(runner):
    result = runner.invoke(cli, ["--help"])
    assert "report" in result.stdout


def test_help_loads_no_rendering_libraries():
    import subprocess
    import sys

    code = (
        "import sys; from tender.cli import cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'reportlab', 'docx', 'holidays', 'pandas', 'pypdf'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
