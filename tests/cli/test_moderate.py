"""`tender moderate` on the command line, then `tender score` on the result."""

from __future__ import annotations

import json
from typing import Any

import openpyxl
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
