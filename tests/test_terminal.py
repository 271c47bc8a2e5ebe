"""The terminal table."""

from pathlib import Path

from rich.console import Console

from tender.terminal import print_table
from tender.workflows.evaluation import evaluate_file

TINY = Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml"


def test_table_lists_ranked_bids_first_then_exclusions():
    console = Console(width=120, record=True)
    print_table(evaluate_file(TINY).evaluation, console)
    text = console.export_text()
    order = [text.index(name) for name in ("Yew Tree", "Xylo", "Willow", "Vale", "Zinnia")]
    assert order == sorted(order)
    assert "V: Excluded from ranking: T2 mark 1 is below the minimum of 2." in text


def test_a_log_line_names_what_its_entry_lacks_instead_of_hiding_it():
    from tender.terminal import log_line

    full = {
        "event": "return_accepted",
        "at": "2026-12-01T10:00:00+00:00",
        "file": "E1.xlsx",
        "evaluator_id": "E1",
        "issue": 2,
        "sha256": "ab" * 32,
    }
    assert log_line(full) == (
        "2026-12-01T10:00:00+00:00\treturn_accepted\tE1.xlsx from E1 issue 2 (sha256 abababababab)"
    )
    damaged = {k: v for k, v in full.items() if k != "issue"}
    assert log_line(damaged).endswith("E1.xlsx from E1 issue [no issue] (sha256 abababababab)")
    # braces in a hostile field are printed, never formatted again
    odd = {**full, "file": "{evaluator_id}{0}.xlsx"}
    assert "{evaluator_id}{0}.xlsx from E1" in log_line(odd)


def test_a_rejected_return_lists_its_problems_and_collected_marks_their_gaps():
    from tender.terminal import log_line

    rejected = {"event": "return_rejected", "file": "x.xlsx", "problems": ["a", "b"]}
    assert log_line(rejected).endswith("x.xlsx (sha256 ): a; b")
    collected = {
        "event": "marks_collected",
        "marks": 24,
        "returns": {"E1.xlsx": 1},
        "missing": [],
        "flagged": 0,
    }
    assert log_line(collected).endswith("24 from E1.xlsx; missing none; flagged 0")
