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


def _cut_last_line(panel: Any) -> Any:
    log = panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl"
    with log.open("a", encoding="utf-8") as handle:
        handle.write('{"event": "return_received", "sha')
    return log


def test_an_intact_chain_is_said_to_be_intact(runner: CliRunner, panel: Any) -> None:
    result = runner.invoke(cli, ["log", str(panel.reference)])
    assert result.exit_code == 0
    assert result.stderr.endswith("evaluation-log.jsonl: hash chain intact (3 entries)\n")


def test_a_truncated_last_line_is_reported_not_a_traceback(runner: CliRunner, panel: Any) -> None:
    _cut_last_line(panel)
    result = runner.invoke(cli, ["log", str(panel.reference)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.stdout.splitlines()) == 3  # the readable entries are still shown
    assert "evaluation-log.jsonl: line 4: found a line cut short: " in result.stderr
    assert result.stderr.endswith(
        "hash chain broken at line 4 (3 entries readable, 1 damaged line)\n"
    )


def test_an_edit_says_where_the_chain_breaks(runner: CliRunner, panel: Any) -> None:
    log = panel.project / "bids" / "pest-control-2016" / "evaluation-log.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    log.write_text(lines[0] + lines[2])
    result = runner.invoke(cli, ["log", str(panel.reference)])
    assert result.exit_code == 1
    assert "entry 2: does not follow entry 1" in result.stderr
    assert "hash chain broken at line 2 (2 entries readable, 0 damaged lines)" in result.stderr


def test_collect_and_templates_refuse_a_damaged_log_before_writing(
    runner: CliRunner, panel: Any
) -> None:
    panel.fill("E1")
    log = _cut_last_line(panel)
    before = log.read_bytes()
    for args in (["collect", str(panel.reference), str(panel.returned)],
                 ["templates", str(panel.reference)]):  # fmt: skip
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "evaluation-log.jsonl: line 4: found a line cut short" in result.stderr
    assert log.read_bytes() == before
    assert not (panel.project / "bids" / "pest-control-2016" / "archive").exists()
