"""`tender collect` on the command line: summary on stdout, problems on stderr, exit code."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
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


BIDS = ("bids", "pest-control-2016")
REFUSED_INPUT = (
    "found a file that is an input of this evaluation; expected another output path "
    "(an output that would replace an input is refused)"
)


def _sha(path: Any) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state(project: Any) -> dict[str, str]:
    """Every file under the project but the returns, with its SHA-256 (links not followed)."""
    return {
        str(p.relative_to(project)): "link" if p.is_symlink() else _sha(p)
        for p in sorted(project.rglob("*"))
        if (p.is_file() or p.is_symlink()) and "returned" not in p.parts
    }


def _with_marks(panel: Any, path: str) -> None:
    """Point data.marks of the reference definition at `path`."""
    text = panel.reference.read_text(encoding="utf-8")
    panel.reference.write_text(
        re.sub(r"(?m)^  marks: .*$", f"  marks: {path}", text), encoding="utf-8"
    )


def test_data_marks_naming_an_input_is_refused_and_nothing_is_written(
    runner: CliRunner, panel: Any
) -> None:
    panel.fill("E1")
    for path, shown in (
        ("../bids/pest-control-2016/bids.csv", "bids/pest-control-2016/bids.csv"),
        ("pest-control-2016.yaml", "criteria/pest-control-2016.yaml"),
        ("../bids/pest-control-2016/moderated.csv", "bids/pest-control-2016/moderated.csv"),
        ("../returned/E1.xlsx", "returned/E1.xlsx"),
    ):
        _with_marks(panel, path)
        before = _state(panel.project)
        returned = _sha(panel.returned / "E1.xlsx")
        result = runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)])
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"error: {shown}: data.marks: {REFUSED_INPUT}",
            "1 problem found; nothing was written.",
        ]
        assert result.stdout == ""
        assert _state(panel.project) == before  # no archive, no log line, no moderation.xlsx
        assert _sha(panel.returned / "E1.xlsx") == returned


def test_data_marks_outside_the_project_is_refused(
    runner: CliRunner, panel: Any, tmp_path_factory: Any
) -> None:
    panel.fill("E1")
    outside = tmp_path_factory.mktemp("elsewhere") / "marks.csv"
    outside.write_text("someone else's file\n")
    _with_marks(panel, str(outside))
    before = _state(panel.project)
    result = runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {outside}: data.marks: found a path outside the tender's folder "
        f"{panel.project.resolve()}; expected a path inside it (beside criteria/, bids/ and "
        "reports/), or an --out given on the command line",
        "1 problem found; nothing was written.",
    ]
    assert outside.read_text() == "someone else's file\n"
    assert _state(panel.project) == before


def test_linked_outputs_and_log_are_refused_together(runner: CliRunner, panel: Any) -> None:
    panel.fill("E1")
    folder = panel.project.joinpath(*BIDS)
    (folder / "marks.csv").unlink()
    (folder / "marks.csv").symlink_to(folder / "bids.csv")
    (folder / "evaluation-log.jsonl").rename(folder / "real-log.jsonl")
    (folder / "evaluation-log.jsonl").symlink_to(folder / "real-log.jsonl")
    before = _state(panel.project)
    result = runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)])
    assert result.exit_code == 1
    link = "found a symbolic link; expected a regular file or a new file name (outputs never "
    assert result.stderr.splitlines() == [
        f"error: bids/pest-control-2016/marks.csv: data.marks: {link}follow links)",
        f"error: bids/pest-control-2016/evaluation-log.jsonl: {link}follow links)",
        "2 problems found; nothing was written.",
    ]
    assert _state(panel.project) == before


RETURN = "expected a regular file saved by the evaluator"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_links_folders_and_fifos_are_refused_by_name_and_never_followed(
    runner: CliRunner, panel: Any, tmp_path_factory: Any
) -> None:
    panel.fill("E1")
    outside = tmp_path_factory.mktemp("outside")
    good_e2 = panel.fill("E2")
    good_e2.rename(outside / "E2.xlsx")  # a good return, but not in the folder
    (panel.returned / "E2.xlsx").symlink_to(outside / "E2.xlsx")
    (panel.returned / "kernel.xlsx").symlink_to("/proc/self/mem")
    (panel.returned / "folder.xlsx").mkdir()
    os.mkfifo(panel.returned / "pipe.xlsx")
    outside_sha = _sha(outside / "E2.xlsx")
    result = runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert sorted(result.stderr.splitlines()) == [
        f"error: E2.xlsx: found a symbolic link; {RETURN}",
        f"error: folder.xlsx: found a folder; {RETURN}",
        f"error: kernel.xlsx: found a symbolic link; {RETURN}",
        f"error: pipe.xlsx: found a FIFO (named pipe); {RETURN}",
    ]
    assert result.stdout.splitlines()[:3] == [
        "received: 1 evaluator(s) (E1)",
        "missing: E2, E3",
        "rejected: 4 file(s)",
    ]
    archive = panel.project.joinpath(*BIDS, "archive")
    assert [p.name.endswith("-E1.xlsx") for p in archive.iterdir()] == [True]
    log = panel.project.joinpath(*BIDS, "evaluation-log.jsonl").read_text(encoding="utf-8")
    assert outside_sha not in log  # the link's target was neither archived nor logged
    assert _sha(outside / "E2.xlsx") == outside_sha


def test_a_newline_in_a_file_name_cannot_forge_a_line(runner: CliRunner, panel: Any) -> None:
    panel.fill("E1")
    (panel.returned / "E2\nreceived: 3 evaluator(s) (E1, E2, E3)\n.xlsx").write_text("see email")
    result = runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: E2\\nreceived: 3 evaluator(s) (E1, E2, E3)\\n.xlsx: found a file that is not an "
        "Excel workbook; expected an Excel Workbook (.xlsx): open it and use File > Save As > "
        "Excel Workbook",
    ]
    assert result.stdout.splitlines()[0] == "received: 1 evaluator(s) (E1)"
    logged = runner.invoke(cli, ["log", str(panel.reference)])
    assert logged.exit_code == 0, logged.stderr
    assert not any(line.startswith("received:") for line in logged.stdout.splitlines())
    assert "E2\\nreceived: 3 evaluator(s) (E1, E2, E3)\\n.xlsx" in logged.stdout
