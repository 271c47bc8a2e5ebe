"""Terminal text: the table, the log lines, the sensitivity report."""

from pathlib import Path

from rich.console import Console

from tender.robustness import analyse
from tender.robustness_document import document
from tender.sensitivity import Case
from tender.terminal import print_table, robustness_lines
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


# --- The sensitivity report: renders the robustness document faithfully ------------------


def _doc(tiny, prices, moderated=None, marks=None, **extra):
    tender = tiny.tender({"Q1": 30, "Q2": 10}, **extra)
    bids, mark_frame, moderated_frame = tiny.tables(prices, moderated, marks)
    case = Case(tender, bids, mark_frame, moderated_frame)
    return document(analyse(case, case.evaluate()))


def test_text_names_the_standing_and_every_section(tiny):
    doc = _doc(
        tiny,
        {"A": 100, "B": 125, "C": 200},
        {"A": {"Q1": 5, "Q2": 5}, "B": {"Q1": 8, "Q2": 6}, "C": {"Q1": 6, "Q2": 6}},
    )
    lines = robustness_lines(doc, {"A": "Alpha"})
    assert lines[1] == "Quality from moderated marks."
    assert lines[2] == "Leader: A (Alpha). 80.00 points, 2.00 ahead of B (78.00)."
    assert "  at 55.56 the lead passes from B to A" in lines
    assert "  changes the leader (1 mark):" in lines
    assert "  ties first place (2 marks):" in lines
    assert all(len(line) <= 100 for line in lines)
    assert (
        "  price formula lowest_price: a bid worse than all others cannot reorder the rest" in lines
    )
    assert "  no swap among the remaining bids, whichever bid is removed" in lines


def test_shared_first_place_and_provisional_marks_are_said_plainly(tiny):
    doc = _doc(
        tiny,
        {"A": 100, "B": 100},
        marks={"A": {"Q1": [5, 5, 6], "Q2": [5] * 3}, "B": {"Q1": [5, 5, 4], "Q2": [5] * 3}},
    )
    lines = robustness_lines(doc, {})
    assert lines[1] == (
        "PROVISIONAL: quality from the median of the evaluators' marks (no moderated marks yet)."
    )
    assert lines[2] == "Leader: A and B. Level on 80.00 points."
    assert "  first place is already shared by A and B" in lines
    assert "  A v B: FRAGILE. Their totals are equal." in " ".join(lines)


def test_rank_reversal_risk_is_named_for_interpolation(tiny):
    tender = tiny.tender({"Q1": 50}, price_weight=50, formula="interpolation")
    bids, _, moderated = tiny.tables(
        {"A": 100, "B": 110, "C": 300}, {"A": {"Q1": 2}, "B": {"Q1": 3}, "C": {"Q1": 10}}
    )
    case = Case(tender, bids, None, moderated)
    lines = robustness_lines(document(analyse(case, case.evaluate())), {})
    assert (
        "  price formula interpolation: a bid worse than all others CAN reorder the rest "
        "(rank reversal)" in lines
    )
    assert "  without C: B falls level with or below A" in lines


def on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run `tender ARGS` with its stdout and stderr on a pseudo-terminal, as a person at a
    terminal would: its exit code and everything drawn (escape codes and all)."""
    import os
    import pty
    import subprocess
    import sys

    main, child = pty.openpty()
    run = subprocess.Popen(
        [sys.executable, "-m", "tender", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=child,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(child)
    drawn = bytearray()
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        drawn += chunk
    os.close(main)
    return run.wait(), drawn.decode("utf-8", errors="replace")


def test_progress_is_not_shown_when_stderr_is_no_terminal(capsys):
    from tender.terminal import progress_shown

    with progress_shown("Evaluating") as progress:
        progress(3, 6, "Rendering letters")
    assert capsys.readouterr() == ("", "")


def _many_bids(count: int, excluded: int) -> object:
    """An evaluation of `count` bids on one criterion, the last `excluded` failing it."""
    import pandas as pd

    from tender.scoring import evaluate
    from tests.conftest import build_tender

    criterion = {"id": "Q1", "title": "Quality", "weight": 60, "minimum_mark": 1}
    tender = build_tender(
        {"Q1": 60},
        price_weight=40,
        panel=1,
        quality={"scale": {"maximum": 10}, "criteria": [criterion]},
    )
    ids = [f"B{i:03d}" for i in range(count)]
    bids = pd.DataFrame(
        {
            "bidder_id": ids,
            "bidder": [f"Bidder {i}" for i in ids],
            "price": 1000.0 + 10 * pd.RangeIndex(count),
        }
    )
    moderated = pd.DataFrame(
        {
            "bidder_id": ids,
            "criterion_id": "Q1",
            "moderated_mark": ["5"] * (count - excluded) + ["0"] * excluded,
            "rationale": "Agreed.",
        }
    )
    return evaluate(tender, bids, None, moderated)


def test_a_table_of_many_bids_prints_the_first_fifty_and_says_where_the_rest_are():
    from tender.terminal import SHOWN_BIDS

    console = Console(width=160, record=True)
    print_table(_many_bids(SHOWN_BIDS + 12, excluded=2), console)  # type: ignore[arg-type]
    text = console.export_text()
    shown = [f"(B{i:03d})" for i in range(SHOWN_BIDS)]
    assert all(bid in text for bid in shown)
    assert f"(B{SHOWN_BIDS:03d})" not in text
    assert " ".join(text.split()).endswith(
        "Not shown: 10 more ranked bids (ranks 51–60) and 2 excluded bids. Every bid, with its "
        "scores, flags and notes, is in results.csv, results.json and results.xlsx."
    )


def test_a_table_of_fifty_bids_is_printed_whole():
    from tender.terminal import SHOWN_BIDS

    console = Console(width=160, record=True)
    print_table(_many_bids(SHOWN_BIDS, excluded=1), console)  # type: ignore[arg-type]
    text = console.export_text()
    assert f"(B{SHOWN_BIDS - 1:03d})" in text
    assert "Not shown" not in text


def test_a_bidder_s_name_is_printed_as_written_never_as_markup_or_emoji(tmp_path):
    """A name is data: '[bold]' in it is not a style for rich to apply and ':smile:' not a
    code for it to swap for an emoji. The table prints both as the bidder wrote them."""
    import shutil

    project = tmp_path / "tiny"
    shutil.copytree(TINY.parents[1], project)
    bids = project / "bids" / "tiny" / "bids.csv"
    bids.write_text(
        bids.read_text(encoding="utf-8").replace(
            "Xylo Grounds Ltd", "[bold]Xylo[/bold] :smile: Grounds"
        ),
        encoding="utf-8",
    )
    console = Console(width=160, record=True)
    print_table(evaluate_file(project / "criteria" / "tiny.yaml").evaluation, console)
    assert "[bold]Xylo[/bold] :smile: Grounds (X)" in console.export_text()
