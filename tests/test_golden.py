"""The tiny tender's result files, compared whole with the reviewed copies in tests/golden/."""

from __future__ import annotations

from pathlib import Path

from tender.outputs import render_csv, render_json
from tender.workflows.evaluation import evaluate_file

TINY = Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml"


def test_tiny_results_match_golden(golden):
    ev = evaluate_file(TINY).evaluation
    golden("tiny-results.csv", render_csv(ev))
    golden("tiny-results.json", render_json(ev))
