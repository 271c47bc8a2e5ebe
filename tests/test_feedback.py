"""Feedback a bidder may read names no evaluator and no other bidder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tender.feedback import feedback_leak

PANEL = ["E1", "E2", "E3"]
BIDDERS = {"A": "Goodwin Pest Management", "B": "Company B", "C": "Rentokil"}


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("Wide spread discussed: E3 had missed appendix 4.", "the evaluator id E3"),
        ("As E2 noted, the plan is thin.", "the evaluator id E2"),
        ("Weaker than Rentokil's plan.", "another bidder's name (Rentokil)"),
        ("Bidder C offered more.", "another bidder (C)"),
        ("Not as good as C's portal.", "another bidder (C)"),
    ],
)
def test_feedback_that_gives_away_the_record_is_caught(text: str, leak: str) -> None:
    assert feedback_leak(text, "B", PANEL, BIDDERS) == leak


@pytest.mark.parametrize(
    "text",
    [
        "Your tender showed an online portal, demonstrated in appendix 4.",
        "Section E3.1 of your tender sets out the rota.",  # E3.1 is a section, not E3
        "Company B's plan is clear.",  # its own name
        "A clear plan with costed milestones.",  # the article 'A' is not bidder A
    ],
)
def test_feedback_about_the_bid_itself_may_be_sent(text: str) -> None:
    assert feedback_leak(text, "B", PANEL, BIDDERS) is None


def test_no_letter_or_public_report_of_the_reference_carries_the_internal_record(
    reference: Path,
) -> None:
    """Every letter and the public report: no rationale, no evaluator id, no other loser."""
    from tender.report.build import render_report
    from tender.report.narrative import load_narrative
    from tender.workflows.evaluation import evaluate_file

    run = evaluate_file(reference)
    ev = run.evaluation
    rendered = render_report(ev, load_narrative(ev.tender), Path("out"))
    from tender.report.letters import letter_content

    rationales = [str(r) for r in ev.rationales["rationale"] if len(str(r)) > 20]
    for bidder in ev.table["bidder_id"]:
        text = letter_content(ev, str(bidder)).text()
        for rationale in rationales:
            assert rationale not in text, (bidder, rationale)
        for evaluator in ev.tender.panel_ids():
            assert f" {evaluator} " not in f" {text} ".replace(":", " ").replace(".", " ")
    assert rendered.files  # the report rendered; its text is checked in tests/report
