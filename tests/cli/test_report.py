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
        "award-report.html",
        "award-report-confidential.html",
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
    assert len(_hashes(first)) == 18  # report, appendix: PDF+DOCX+HTML; 6 letters: PDF+DOCX


def test_letters_refused_when_feedback_is_missing(runner, reference, project):
    # Letters quote the feedback written for the bidder, never the internal rationale: a
    # mark with a rationale but no feedback stops the letters.
    moderated = project / "bids" / "pest-control-2016" / "moderated.csv"
    lines = moderated.read_text(encoding="utf-8").splitlines()
    lines[5] = "B,Q1,5,Monthly KPI dashboard with response-time targets.,"
    moderated.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["report", str(reference)])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: bids/pest-control-2016/moderated.csv: bidder B, criterion Q1: found a moderated "
        "mark of 5 with no feedback; expected feedback to the bidder explaining the mark by "
        "reference to its tender (the moderation workbook's 'Feedback to the bidder' column)\n"
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


def test_a_run_log_linked_to_the_definition_is_not_appended_through(runner, reference, project):
    folder = project / "reports" / "pest-control-2016"
    folder.mkdir(parents=True)
    (folder / "runs.jsonl").symlink_to(reference)
    before = hashlib.sha256(reference.read_bytes()).hexdigest()
    result = runner.invoke(cli, ["report", str(reference)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: reports/pest-control-2016/runs.jsonl: found a symbolic link; expected a regular "
        "file or a new file name (outputs never follow links)",
        "1 problem found; nothing was written.",
    ]
    assert hashlib.sha256(reference.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in folder.iterdir()) == ["runs.jsonl"]


def test_out_may_not_replace_the_narrative(runner, reference, project):
    narrative = reference.with_name("award-report.docx")  # a narrative file, oddly named
    reference.with_name("pest-control-2016.narrative.md").rename(narrative)
    text = reference.read_text(encoding="utf-8")
    reference.write_text(
        text.replace("narrative: pest-control-2016.narrative.md", "narrative: award-report.docx"),
        encoding="utf-8",
    )
    before = hashlib.sha256(narrative.read_bytes()).hexdigest()
    result = runner.invoke(cli, ["report", str(reference), "--out", str(reference.parent)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: criteria/award-report.docx: --out: found a file that is an input of this "
        "evaluation; expected another output path (an output that would replace an input is "
        "refused)",
        "1 problem found; nothing was written.",
    ]
    assert hashlib.sha256(narrative.read_bytes()).hexdigest() == before


def test_letters_are_refused_while_a_near_tie_has_no_interview(runner, reference, project):
    (project / "bids" / "pest-control-2016" / "clarifications.csv").unlink()
    result = runner.invoke(cli, ["report", str(reference)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "error: criteria/pest-control-2016.yaml: bidder A: found a near-tie with no interview "
        "recorded and no decision not to interview; expected the interview in the "
        "clarification outcomes (data.clarifications), or the decision not to interview, with "
        "its reason (data.near_tie_decisions)",
        "error: criteria/pest-control-2016.yaml: bidder B: found a near-tie with no interview "
        "recorded and no decision not to interview; expected the interview in the "
        "clarification outcomes (data.clarifications), or the decision not to interview, with "
        "its reason (data.near_tie_decisions)",
    ]
    assert not (project / "reports" / "pest-control-2016").exists()


def test_a_draft_marks_every_page_of_every_document(runner, reference, project):
    from pypdf import PdfReader

    (project / "bids" / "pest-control-2016" / "clarifications.csv").unlink()
    result = runner.invoke(cli, ["report", str(reference), "--draft"])
    assert result.exit_code == 0, result.stderr
    folder = project / "reports" / "pest-control-2016"
    pdfs = [folder / "award-report.pdf", *sorted((folder / "letters").glob("*.pdf"))]
    assert len(pdfs) == 7
    for pdf in pdfs:
        pages = PdfReader(pdf).pages
        assert all("DRAFT - not for issue" in page.extract_text() for page in pages), pdf.name
        assert "bidder A: found a near-tie" not in pages[0].extract_text()  # shown as an item
        assert "bidder A: a near-tie with no interview recorded" in pages[0].extract_text()


def test_the_settled_reference_report_is_no_draft(runner, reference, project):
    from pypdf import PdfReader

    result = runner.invoke(cli, ["report", str(reference), "--no-letters"])
    assert result.exit_code == 0, result.stderr
    pdf = project / "reports" / "pest-control-2016" / "award-report.pdf"
    assert "DRAFT" not in PdfReader(pdf).pages[0].extract_text()


def test_progress_names_each_step_on_a_terminal_and_changes_no_file(
    runner, reference, project, tmp_path
):
    import sys

    import pytest

    if sys.platform == "win32":
        pytest.skip("pseudo-terminals are POSIX")
    from tests.test_terminal import on_a_terminal

    watched, unwatched = tmp_path / "watched", tmp_path / "unwatched"
    code, drawn = on_a_terminal(["report", str(reference), "--out", str(watched)], project)
    assert code == 0, drawn
    for step in ("Evaluating", "Testing the ranking's robustness", "Rendering the report"):
        assert step in drawn
    assert "Rendering letters 6/6" in drawn  # counted as the workers render them
    result = runner.invoke(cli, ["report", str(reference), "--out", str(unwatched)])
    assert result.exit_code == 0
    assert "Rendering" not in result.output
    assert "Evaluating" not in result.output

    def files(folder: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "runs.jsonl"
        }

    assert len(files(watched)) == 18
    assert files(watched) == files(unwatched)
