"""`tender moderate` on the command line, then `tender score` on the result."""

from __future__ import annotations

import json
import os
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tender.cli import cli


def consensus_at_median(path: Any, override: dict[tuple[str, str], tuple[Any, Any]]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Moderation"]
    for row in range(2, ws.max_row + 1):
        ws.cell(row, 14).value = ws.cell(row, 13).value  # N consensus := M median
        key = (ws.cell(row, 1).value, ws.cell(row, 3).value)
        if key in override:
            ws.cell(row, 14).value, ws.cell(row, 15).value = override[key]
    wb.save(path)


def test_moderate_then_score(runner: CliRunner, panel: Any) -> None:
    for evaluator in ("E1", "E2", "E3"):
        panel.fill(evaluator)
    assert runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)]).exit_code == 0
    workbook = panel.project / "bids" / "pest-control-2016" / "moderation.xlsx"
    consensus_at_median(workbook, {("B", "Q2"): (7, "")})
    # The reference moderated.csv departs from the median in one row (E/Q3), so one change.
    result = runner.invoke(cli, ["moderate", str(panel.reference), str(workbook)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(
        "24 consensus marks, 0 differing from the median, 1 changed since the last moderation\n"
    )
    scored = runner.invoke(cli, ["score", str(panel.reference), "--format", "json"])
    assert scored.exit_code == 0, scored.stderr
    assert json.loads(scored.stdout)


def test_moderate_reports_the_cell_and_writes_nothing(runner: CliRunner, panel: Any) -> None:
    for evaluator in ("E1", "E2", "E3"):
        panel.fill(evaluator)
    runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)])
    workbook = panel.project / "bids" / "pest-control-2016" / "moderation.xlsx"
    moderated = panel.project / "bids" / "pest-control-2016" / "moderated.csv"
    before = moderated.read_bytes()
    consensus_at_median(workbook, {("B", "Q2"): (12, "x")})
    result = runner.invoke(cli, ["moderate", str(panel.reference), str(workbook)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: moderation.xlsx: Moderation!N7: found 12; "
        "expected a mark from 0 to 10 (whole marks)",
        "1 problem found; nothing was written.",
    ]
    assert moderated.read_bytes() == before


REFUSED_INPUT = (
    "found a file that is an input of this evaluation; expected another output path "
    "(an output that would replace an input is refused)"
)


def _sha(path: Any) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _agreed_workbook(runner: CliRunner, panel: Any) -> Any:
    """A moderation workbook `tender moderate` would accept: consensus at the median."""
    for evaluator in ("E1", "E2", "E3"):
        panel.fill(evaluator)
    assert runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)]).exit_code == 0
    workbook = panel.project / "bids" / "pest-control-2016" / "moderation.xlsx"
    consensus_at_median(workbook, {})
    return workbook


def test_out_may_not_replace_the_bids_the_definition_or_the_workbook(
    runner: CliRunner, panel: Any
) -> None:
    workbook = _agreed_workbook(runner, panel)
    bids = panel.project / "bids" / "pest-control-2016" / "bids.csv"
    for target, shown in (
        (bids, "bids/pest-control-2016/bids.csv"),
        (panel.reference, "criteria/pest-control-2016.yaml"),
        (workbook, "bids/pest-control-2016/moderation.xlsx"),
    ):
        before = _sha(target)
        log = (panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl").read_bytes()
        result = runner.invoke(
            cli, ["moderate", str(panel.reference), str(workbook), "--out", str(target)]
        )
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"error: {shown}: --out: {REFUSED_INPUT}",
            "1 problem found; nothing was written.",
        ]
        assert "Traceback" not in result.output
        assert _sha(target) == before
        assert (
            panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl"
        ).read_bytes() == log


def test_data_moderated_naming_an_input_is_refused(runner: CliRunner, panel: Any) -> None:
    workbook = _agreed_workbook(runner, panel)
    text = panel.reference.read_text(encoding="utf-8")
    bids = panel.project / "bids" / "pest-control-2016" / "bids.csv"
    for path, shown in (
        ("../bids/pest-control-2016/bids.csv", "bids/pest-control-2016/bids.csv"),
        ("pest-control-2016.yaml", "criteria/pest-control-2016.yaml"),
    ):
        panel.reference.write_text(
            text.replace(
                "moderated: ../bids/pest-control-2016/moderated.csv", f"moderated: {path}"
            ),
            encoding="utf-8",
        )
        before = {p: _sha(p) for p in (bids, panel.reference, workbook)}
        result = runner.invoke(cli, ["moderate", str(panel.reference), str(workbook)])
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"error: {shown}: data.moderated: {REFUSED_INPUT}",
            "1 problem found; nothing was written.",
        ]
        assert {p: _sha(p) for p in before} == before


def test_data_moderated_outside_the_project_is_refused_unless_named(
    runner: CliRunner, panel: Any, tmp_path_factory: Any
) -> None:
    workbook = _agreed_workbook(runner, panel)
    outside = tmp_path_factory.mktemp("elsewhere") / "moderated.csv"
    outside.write_text("not the tender's\n")
    text = panel.reference.read_text(encoding="utf-8")
    panel.reference.write_text(
        text.replace("moderated: ../bids/pest-control-2016/moderated.csv", f"moderated: {outside}"),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["moderate", str(panel.reference), str(workbook)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {outside}: data.moderated: found a path outside the tender's folder "
        f"{panel.project.resolve()}; expected a path inside it (beside criteria/, bids/ and "
        "reports/), or an --out given on the command line",
        "1 problem found; nothing was written.",
    ]
    assert outside.read_text() == "not the tender's\n"
    named = runner.invoke(
        cli, ["moderate", str(panel.reference), str(workbook), "--out", str(outside)]
    )
    assert named.exit_code == 0, named.stderr
    assert outside.read_text().startswith("bidder_id,criterion_id,moderated_mark,rationale")


def test_a_linked_log_is_not_appended_through(runner: CliRunner, panel: Any) -> None:
    workbook = _agreed_workbook(runner, panel)
    folder = panel.project / "bids" / "pest-control-2016"
    (folder / "evaluation-log.jsonl").unlink()
    (folder / "evaluation-log.jsonl").symlink_to(folder / "bids.csv")
    before = _sha(folder / "bids.csv"), _sha(folder / "moderated.csv")
    result = runner.invoke(cli, ["moderate", str(panel.reference), str(workbook)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: bids/pest-control-2016/evaluation-log.jsonl: found a symbolic link; expected a "
        "regular file or a new file name (outputs never follow links)"
    )
    assert (_sha(folder / "bids.csv"), _sha(folder / "moderated.csv")) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_given_as_the_workbook_is_refused_instead_of_hanging(
    runner: CliRunner, panel: Any
) -> None:
    fifo = panel.project / "moderation.xlsx"
    os.mkfifo(fifo)
    result = runner.invoke(cli, ["moderate", str(panel.reference), str(fifo)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: moderation.xlsx: found a FIFO (named pipe); expected a moderation workbook",
        "1 problem found; nothing was written.",
    ]
