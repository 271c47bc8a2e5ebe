"""`tender log`: prints every event and fails when the chain is broken."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from tender.cli import cli


def test_log_prints_issue_receipt_and_collection(runner: CliRunner, panel: Any) -> None:
    panel.fill("E1")
    runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)])
    result = runner.invoke(cli, ["log", str(panel.reference)])
    assert result.exit_code == 0
    events = [line.split("\t")[1] for line in result.stdout.splitlines()]
    assert events == [
        "template_issued", "template_issued", "template_issued",
        "return_received", "return_accepted", "marks_collected",
    ]  # fmt: skip
    assert "E1.xlsx from E1 issue 1" in result.stdout


def test_log_as_json_lines(runner: CliRunner, panel: Any) -> None:
    result = runner.invoke(cli, ["log", str(panel.reference), "--format", "json"])
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["evaluator_id"] for e in entries] == ["E1", "E2", "E3"]


def test_an_edited_log_is_reported(runner: CliRunner, panel: Any) -> None:
    log = panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl"
    log.write_text(log.read_text().replace('"issue": 1', '"issue": 2', 1))
    result = runner.invoke(cli, ["log", str(panel.reference)])
    assert result.exit_code == 1
    assert "entry 1: content does not match its hash" in result.stderr
