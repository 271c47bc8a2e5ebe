"""Each analysis runs once per command: renderers read what the evaluation worked out.

A command's work is profiled as it runs through the CLI, and each analysis's calls are
counted wherever it is imported from. A second run of an analysis inside one command, say
a renderer re-drawing the price-weight lines or a letter rebuilding the bid records, is a
bug (issue: renderers read, never recompute), and shows here as a count above one.
"""

from __future__ import annotations

import cProfile
import pstats
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tender.cli import cli

ROOT = Path(__file__).resolve().parents[2]
# analysis → the module that defines it (the profile names functions by file and name)
ANALYSES = {
    "bid_records": "tender/notes.py",
    "analyse": "tender/robustness.py",
    "price_weight_lines": "tender/sensitivity.py",
    "rank_reversals": "tender/sensitivity.py",
    "leave_one_out": "tender/sensitivity.py",
    "verdicts": "tender/sensitivity.py",
    "evaluate_file": "tender/workflows/evaluation.py",
    "spreads": "tender/moderation.py",
    "median_marks": "tender/moderation.py",
    "evaluate": "tender/scoring.py",
}


def counts(runner: CliRunner, args: list[str]) -> dict[str, int]:
    """How many times each analysis ran while the command ran."""
    profile = cProfile.Profile()
    profile.enable()
    result = runner.invoke(cli, args, catch_exceptions=False)
    profile.disable()
    assert result.exit_code == 0, result.stderr
    found = dict.fromkeys(ANALYSES, 0)
    for (file, _, name), (_, calls, *_) in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        if name in ANALYSES and Path(file).as_posix().endswith(ANALYSES[name]):
            found[name] += calls
    return found


@pytest.mark.parametrize("command", ["score", "check", "status", "sensitivity", "report"])
def test_each_analysis_runs_once_in_a_command_on_the_reference(
    command: str, runner: CliRunner, reference: Path
) -> None:
    ran = counts(runner, [command, str(reference)])
    assert ran["evaluate_file"] == 1  # the inputs are read and evaluated once
    assert ran["bid_records"] <= 1  # once for every renderer, terminal to letters
    assert ran["spreads"] <= 1
    # one median per evaluation made (the analyses re-score without an evaluator or a
    # bid): none is worked out again for a renderer
    assert ran["median_marks"] == ran["evaluate"]
    analysed = command in ("sensitivity", "report")
    for analysis in ("analyse", "price_weight_lines", "rank_reversals", "leave_one_out"):
        assert ran[analysis] == int(analysed), analysis
    assert ran["verdicts"] == int(analysed)
    if command in ("score", "status", "report"):
        assert ran["bid_records"] == 1


def test_a_report_with_lots_runs_each_analysis_once_a_lot(runner: CliRunner, project: Path) -> None:
    shutil.copytree(ROOT / "bids" / "cleaning-lots-2026", project / "bids" / "cleaning-lots-2026")
    ran = counts(runner, ["report", str(project / "criteria" / "cleaning-lots-2026.yaml")])
    lots = 3
    assert ran["bid_records"] == lots
    for analysis in ("analyse", "price_weight_lines", "rank_reversals", "leave_one_out"):
        assert ran[analysis] == lots, analysis
    assert ran["median_marks"] == ran["evaluate"]
