"""Flags and notes per bid."""

from pathlib import Path

from tender.notes import FLAGS
from tender.workflows.evaluation import evaluate_file

TINY = Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml"


def test_records_carry_flags_notes_and_display():
    records = {r["bidder_id"]: r for r in evaluate_file(TINY).evaluation.records()}
    assert records["Y"]["flags"] == ["near-tie", "range-overlap"]
    # X: 40 + T1a 16-20 + T1b 4-6 + T2 18-24 = 78-90; Y: 32 + 16-20 + 8-10 + 12-24 = 68-86.
    assert records["X"]["notes"] == [
        "Near-tie: 6 points behind the leader (margin 6); a clarification interview is "
        "recommended before award.",
        "Evaluator-range near-tie: with each criterion ranging over its evaluators' own marks "
        "this bid's total spans 78–90, overlapping the leader's 68–86.",
    ]
    assert records["W"]["display"] == {
        "price_score": "0 (unable to score due to limited information)",
        "quality_score": "30",
        "total_score": "30",
        "rank": "3",
    }
    assert records["Z"]["rank"] is None
    assert records["Z"]["display"]["total_score"] == "–"
    assert records["X"]["price"] == "100"
    assert all(set(r["flags"]) <= set(FLAGS) for r in records.values())


def test_records_trace_each_criterion():
    records = {r["bidder_id"]: r for r in evaluate_file(TINY).evaluation.records()}
    assert records["X"]["criteria"] == {
        "T1": {"score": 22.0},
        "T1a": {"mark": 4.0, "score": 16.0},
        "T1b": {"mark": 3.0, "score": 6.0},
        "T2": {"mark": 3.0, "score": 18.0},
    }
