"""The chair's recorded decision on a declared conflict: collect, scoring and status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tender.audit import read_log
from tender.errors import TenderInputError
from tender.inputs import load_tender
from tender.model import Tender
from tender.workflows.collect import collect
from tender.workflows.evaluation import evaluate_file
from tender.workflows.status import status

BIDS = Path("bids") / "pest-control-2016"
HEADER = "evaluator_id,bidder_id,decision,reason,decided_on\n"


def record(panel: Any, rows: str) -> Tender:
    """Name a conflict decisions file in the definition and write it; the reloaded tender."""
    definition = panel.reference.read_text()
    if "conflict_decisions:" not in definition:
        panel.reference.write_text(
            definition.replace(
                "  clarifications:",
                "  conflict_decisions: ../bids/pest-control-2016/conflicts.csv\n  clarifications:",
                1,
            )
        )
    (panel.project / BIDS / "conflicts.csv").write_text(HEADER + rows)
    return load_tender(panel.reference)


def returns_with_e3_conflicted(panel: Any) -> None:
    panel.fill("E1")
    panel.fill("E2")
    panel.fill("E3", conflict="Yes", edit=_details("Brother works at D"))


def _details(text: str) -> Any:
    def edit(wb: Any) -> None:
        wb["Cover"]["B12"] = text

    return edit


def conflicts_stage(tender: Tender) -> Any:
    return next(s for s in status(tender).stages if s.stage == "conflicts")


def test_a_declared_conflict_without_a_decision_is_refused_and_open(panel: Any) -> None:
    returns_with_e3_conflicted(panel)
    result = collect(panel.tender, panel.returned)
    assert [o.file for o in result.rejected] == ["E3.xlsx"]
    assert "conflict of interest" in str(result.rejected[0].problems[0])
    assert result.missing == ["E3"]
    stage = conflicts_stage(panel.tender)
    assert stage.state == "open"
    assert stage.items == ["E3.xlsx: a declared conflict of interest awaits the chair's decision"]


def test_marks_stand_accepts_the_return_and_uses_its_marks(panel: Any) -> None:
    tender = record(panel, "E3,D,marks stand,Sibling has no role in the contract,2016-11-21\n")
    returns_with_e3_conflicted(panel)
    result = collect(tender, panel.returned)
    assert result.rejected == []
    assert result.missing == []
    assert result.accepted["E3"].declaration["details"] == "Brother works at D"
    (panel.project / BIDS / "moderated.csv").unlink()  # PROVISIONAL: the median of all three
    ev = evaluate_file(panel.reference).evaluation
    d = list(ev.table["bidder_id"]).index("D")
    assert list(ev.consensus[d]) == [7, 8, 6, 5]  # medians of (7,7,8) (8,8,7) (6,5,6) (5,5,4)
    assert ev.excluded_marks == {}
    log = read_log(panel.project / BIDS / "evaluation-log.jsonl")
    accepted = next(e for e in log if e["event"] == "return_accepted" and e["evaluator_id"] == "E3")
    assert accepted["declaration"]["conflict"] == "Yes"
    assert accepted["conflict_decisions"] == [
        {
            "bidder_id": "D",
            "decision": "marks stand",
            "reason": "Sibling has no role in the contract",
            "decided_on": "2016-11-21",
        }
    ]


def test_marks_excluded_leaves_that_evaluators_marks_for_that_bid_out(panel: Any) -> None:
    tender = record(panel, "E3,D,Marks excluded,Brother is D's operations manager,2016-11-21\n")
    returns_with_e3_conflicted(panel)
    result = collect(tender, panel.returned)
    assert result.rejected == []
    (panel.project / BIDS / "moderated.csv").unlink()
    ev = evaluate_file(panel.reference).evaluation
    bidders = list(ev.table["bidder_id"])
    d = bidders.index("D")
    # E1 and E2 only: Q1 (7,7) Q2 (8,8) Q3 (6,5) Q4 (5,5); E3's 8, 7, 6, 4 are left out
    assert list(ev.consensus[d]) == [7, 8, 5.5, 5]
    # 12×7/10 + 11×8/10 + 9×5.5/10 + 8×5/10 (E3's marks would give 26.6)
    assert ev.table["quality_score"].iloc[d] == pytest.approx(26.15)
    a = bidders.index("A")  # E3's marks for the other bids still count
    assert panel.marks[("E3", "A", "Q1")] in set(ev.individual[a, 0, :])
    notes = next(list(r.notes) for r in ev.records() if r.bidder_id == "D")
    assert (
        "Marks of evaluator E3 excluded: the chair's decision of 2016-11-21 on a declared "
        "conflict of interest: Brother is D's operations manager." in notes
    )
    assert not any("excluded:" in n for r in ev.records() if r.bidder_id != "D" for n in r.notes)
    assert "bids/pest-control-2016/conflicts.csv" in ev.fingerprints
    # the marks file keeps E3's marks as returned; the evaluation leaves them out
    assert "D,Q3,E3,6," in (panel.project / BIDS / "marks.csv").read_text()


def test_excluded_marks_are_blank_in_the_moderation_workbook(panel: Any) -> None:
    import openpyxl

    tender = record(panel, "E3,D,marks excluded,Brother is D's operations manager,2016-11-21\n")
    returns_with_e3_conflicted(panel)
    result = collect(tender, panel.returned)
    assert result.moderation_path is not None
    ws = openpyxl.load_workbook(result.moderation_path)["Moderation"]
    header = [c.value for c in ws[1]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    d_q3 = next(r for r in rows if r[0] == "D" and r[2] == "Q3")
    e3 = next(i for i, h in enumerate(header) if h and "E3" in str(h))
    assert d_q3[e3] in (None, "")
    assert d_q3[header.index("Spread")] == 1  # 6 and 5: E3's mark is not in the spread


def test_a_bad_decisions_file_names_every_problem_by_line_and_column(panel: Any) -> None:
    tender = record(
        panel,
        "E3,D,marks stand,Sibling has no role,2016-11-21\n"
        "E9,Z,maybe,,21/11/2016\n"
        "E3,D,marks excluded,Twice,2016-11-22\n",
    )
    returns_with_e3_conflicted(panel)
    with pytest.raises(TenderInputError) as caught:
        collect(tender, panel.returned)
    name = "bids/pest-control-2016/conflicts.csv"
    assert [str(p) for p in caught.value.problems] == [
        f"{name}: line 3 (evaluator E9, bidder Z), column evaluator_id: found 'E9'; "
        "expected an evaluator id of the panel",
        f"{name}: line 3 (evaluator E9, bidder Z), column bidder_id: found 'Z'; "
        "expected a bidder id of the bids file",
        f"{name}: line 3 (evaluator E9, bidder Z), column decision: found 'maybe'; "
        "expected 'marks stand' or 'marks excluded'",
        f"{name}: line 3 (evaluator E9, bidder Z), column reason: found no reason; "
        "expected why the chair decided so",
        f"{name}: line 3 (evaluator E9, bidder Z), column decided_on: found '21/11/2016'; "
        "expected the date of the decision, such as 2016-11-22",
        f"{name}: line 4 (evaluator E3, bidder D), column bidder_id: found evaluator E3 and "
        "bidder D twice; expected one decision per evaluator and bidder",
    ]
    assert not (panel.project / BIDS / "evaluation-log.jsonl").read_text().count("return_")


def test_status_no_longer_lists_a_conflict_once_decided_and_collected(panel: Any) -> None:
    returns_with_e3_conflicted(panel)
    collect(panel.tender, panel.returned)
    assert conflicts_stage(panel.tender).state == "open"
    tender = record(panel, "E3,D,marks stand,Sibling has no role in the contract,2016-11-21\n")
    result = collect(tender, panel.returned)  # the same file, refused before
    assert result.rejected == []
    assert result.missing == []
    stage = conflicts_stage(tender)
    assert (stage.state, stage.items) == ("done", [])
    assert "decided by the chair for E3" in stage.detail
    returns = next(s for s in status(tender).stages if s.stage == "returns")
    assert returns.items == []
