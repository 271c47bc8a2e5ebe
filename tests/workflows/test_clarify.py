"""Clarification outcomes through the library: re-scoring on a copy, documents, files."""

from __future__ import annotations

import pytest

from tender.workflows.clarify import apply_outcomes as clarify
from tender.workflows.clarify import document, outcomes_path, render_files
from tender.workflows.evaluation import load_case

HEADER = "bidder_id,interview_date,panel,clarification,criterion_id,revised_mark,rationale\n"


def test_a_revised_mark_rescored_on_a_copy(project, reference, tmp_path):
    moderated = project / "bids" / "pest-control-2016" / "moderated.csv"
    before_bytes = moderated.read_bytes()
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(
        HEADER + "A,2016-11-22,E1;E2;E3,KPI targets not confirmed,Q1,3,"
        "No targets offered at interview\n",
        encoding="utf-8",
    )
    loaded = load_case(reference)
    result = clarify(loaded, outcomes)
    a_before = result.before.table.set_index("bidder_id").loc["A"]
    a_after = result.after.table.set_index("bidder_id").loc["A"]
    # Q1 weight 12 on a 0-10 scale: one mark is 1.2 points; A falls level with B at 79.1.
    assert a_after.total_score == pytest.approx(a_before.total_score - 1.2)
    assert sorted(result.after.table.loc[result.after.table["rank"] == 1, "bidder_id"]) == [
        "A",
        "B",
    ]
    assert moderated.read_bytes() == before_bytes
    doc = document(result)
    assert [r["bidder_id"] for r in doc["revisions"]] == ["A"]
    names = sorted(p.name for p in render_files(result, tmp_path / "out"))
    assert names == ["before-after.csv", "clarifications.json", "moderated-after-clarification.csv"]


def test_outcomes_default_to_the_definition(reference):
    loaded = load_case(reference)
    assert outcomes_path(loaded, None).name == "clarifications.csv"
