"""`tender status`: one screen, exit 0 whatever the state."""

from __future__ import annotations

import json

from tender.cli import cli


def test_status_prints_every_stage_and_the_next_command(runner, reference, project):
    (project / "bids" / "pest-control-2016" / "clarifications.csv").unlink()
    result = runner.invoke(cli, ["status", str(reference)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "MBC-PEST-2016"
    assert any(line.split()[:2] == ["near-ties", "open"] for line in lines)
    assert lines[-1] == "next: tender clarify criteria/pest-control-2016.yaml"


def test_status_as_json(runner, reference):
    result = runner.invoke(cli, ["status", str(reference), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["tender"] == "MBC-PEST-2016"
