"""Flags and notes per bid."""

from pathlib import Path

from tender.notes import FLAGS
from tender.pipeline import evaluate_file

TINY = Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml"


def test_records_carry_flags_notes_and_display():
    records = {r["bidder_id"]: r for r in evaluate_file(TINY).evaluation.records()}
    assert records["Y"]["flags"] == ["near-tie"]
    assert records["Y"]["notes"] == [
        "Near-tie: leads X by 6 points (margin 6); a clarification interview is recommended "
        "before award."
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
