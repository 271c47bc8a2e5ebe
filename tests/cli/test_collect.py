"""`tender collect` on the command line: summary on stdout, problems on stderr, exit code."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from tender.cli import cli


def test_collect_summarises_and_exits_1_when_a_return_is_refused(
    runner: CliRunner, panel: Any
) -> None:
    panel.fill("E1")
    panel.fill("E2", edit=lambda wb: wb["Marking"].__setitem__("F14", 7.5))
    (panel.returned / "E3.xlsx").write_text("see my email")
    result = runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: E2.xlsx: Marking!F14: found 7.5; expected a mark from 0 to 10 (whole marks)",
        "error: E3.xlsx: found a file that is not an Excel workbook; expected an Excel Workbook "
        "(.xlsx): open it and use File > Save As > Excel Workbook",
    ]
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "received: 1 evaluator(s) (E1)",
        "missing: E2, E3",
        "rejected: 2 file(s)",
        "flagged spreads: 0",
    ]
    assert lines[4].startswith("wrote ")


def test_collect_all_good_exits_0_and_notes_superseded_returns(
    runner: CliRunner, panel: Any
) -> None:
    draft = lambda wb: wb["Marking"].__setitem__("G2", "draft")  # noqa: E731
    panel.fill("E1", "E1-old.xlsx", edit=draft, mtime=1_000_000)
    for evaluator in ("E1", "E2", "E3"):
        panel.fill(evaluator)
    result = runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)])
    assert result.exit_code == 0, result.stderr
    assert (
        result.stderr
        == "note: E1-old.xlsx: superseded: an earlier return of E1; superseded by E1.xlsx\n"
    )
    assert "received: 3 evaluator(s) (E1, E2, E3)" in result.stdout
    assert "missing: none" in result.stdout


def test_collect_without_templates_says_what_to_do(
    runner: CliRunner, project: Any, reference: Any
) -> None:
    (project / "returned").mkdir()
    result = runner.invoke(cli, ["collect", str(reference), str(project / "returned")])
    assert result.exit_code == 1
    assert "no panel key" in result.stderr
    assert "run `tender templates` first" in result.stderr
