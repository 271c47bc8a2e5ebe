"""Flags and notes per bid."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender import display
from tender.notes import FLAGS
from tender.scoring import evaluate
from tender.workflows.evaluation import evaluate_file

TINY = Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml"


def test_records_carry_flags_notes_and_display():
    records = {r.bidder_id: r.as_json() for r in evaluate_file(TINY).evaluation.records()}
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
    records = {r.bidder_id: r.as_json() for r in evaluate_file(TINY).evaluation.records()}
    assert records["X"]["criteria"] == {
        "T1": {"score": 22.0},
        "T1a": {"mark": 4.0, "score": 16.0},
        "T1b": {"mark": 3.0, "score": 6.0},
        "T2": {"mark": 3.0, "score": 18.0},
    }


# --- Notes that name other bids: one pass over the table, as a filter per bid would say ---

_bids = st.lists(
    st.tuples(st.sampled_from([100, 100, 125, 150]), st.integers(4, 6), st.integers(4, 6)),
    min_size=2,
    max_size=7,
)


@settings(max_examples=40)
@given(bids=_bids, tie_break=st.sampled_from([[], ["higher_quality"]]))
def test_notes_naming_other_bids_match_a_filter_of_the_whole_table(tiny, bids, tie_break):
    tender = tiny.tender(
        {"Q1": 25, "Q2": 15}, ranking={"tie_break": tie_break}, near_tie={"margin": 3}
    )
    ids = [chr(ord("A") + i) for i in range(len(bids))]
    frames = tiny.tables(
        {b: p for b, (p, _, _) in zip(ids, bids, strict=True)},
        {b: {"Q1": q1, "Q2": q2} for b, (_, q1, q2) in zip(ids, bids, strict=True)},
    )
    ev = evaluate(tender, frames[0], None, frames[2])
    table = ev.table
    leader_total = table.loc[table["rank"] > 0, "total_score"].max()
    for row, record in zip(
        table.itertuples(index=False), [r.as_json() for r in ev.records()], strict=True
    ):
        if row.is_exact_tie:
            same = table[
                (table["rank"] > 0)
                & (table["bidder_id"] != row.bidder_id)
                & ((table["total_score"] - row.total_score).abs() < 1e-9)
            ]
            expected = f"Exact tie on total with {', '.join(same['bidder_id'])}: "
            assert any(note.startswith(expected) for note in record["notes"])
        if row.is_near_tie and leader_total - row.total_score <= 1e-9:
            others = table[table["is_near_tie"] & (table["bidder_id"] != row.bidder_id)]
            closest = (leader_total - others["total_score"]).min()
            expected = f"Near-tie: leads {', '.join(others['bidder_id'])} by "
            expected += f"{display.score(closest, 2)} points"
            assert any(note.startswith(expected) for note in record["notes"])


def test_a_record_is_typed_and_frozen() -> None:
    import dataclasses

    record = evaluate_file(TINY).evaluation.records()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.rank = 1  # type: ignore[misc]
    assert list(record.as_json()) == [
        "bidder_id", "bidder", "price", "price_score", "quality_score", "total_score", "rank",
        "flags", "notes", "display", "criteria",
    ]  # fmt: skip
