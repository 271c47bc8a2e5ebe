"""Report content from the Evaluation and the narrative (pest-control committee report)."""

from __future__ import annotations

import csv
import dataclasses
import re
from pathlib import Path

import pandas as pd

from tender.model import Tender
from tender.report.content import near_tie_paragraphs, recommendation, report_content, table_1
from tender.report.document import Chart, Paragraph, Table
from tender.report.narrative import Narrative, parse_narrative
from tender.scoring import evaluate

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"


def expected_table_1() -> list[tuple[str, ...]]:
    with (REFERENCE / "expected-table-1.csv").open(encoding="utf-8") as handle:
        return [
            (r["organisation"], r["price_score"], r["quality_weighted_score"], r["total_score"])
            for r in csv.DictReader(handle)
        ]


def test_table_1_matches_the_published_table(reference_ev):
    table = table_1(reference_ev)
    assert table.header == ("Organisation", "Price Score", "Quality Weighted Score", "Total Score")
    assert list(table.rows) == expected_table_1()
    assert table.caption == "Table 1: Scores from assessment panel."


def test_recommendation_names_the_winner_and_the_contract_terms(reference_ev):
    assert recommendation(reference_ev) == Paragraph(
        "To approve the appointment of Goodwin Pest Management as Pest Control Service "
        "provider from 1 January 2017 for an initial period of three years (with an option "
        "to extend for up to a further two years).",
        "1.",
    )


def test_near_tie_paragraph_states_who_how_close_and_the_interviews(reference_ev):
    sentences, needs_outcome = near_tie_paragraphs(reference_ev, Narrative())
    assert needs_outcome
    assert sentences == [
        "Company A (Goodwin Pest Management) and Company B were very close on total score "
        "(80.3 and 79.1; a difference of 1.2 points), within the evaluation panel's working "
        "margin of 2 points. Bids this close may be interviewed to clarify points in their "
        "submissions before a recommendation is made."
    ]


def test_a_published_margin_is_called_the_tenders_rule(reference_ev):
    # The reference's committee report says the interviews were on the procurement team's
    # advice, so its margin is the panel's; only a published margin is the tender's rule.
    import dataclasses

    tender = reference_ev.tender
    rule = tender.near_tie.model_copy(update={"published": True})
    ev = dataclasses.replace(reference_ev, tender=tender.model_copy(update={"near_tie": rule}))
    (sentence,) = near_tie_paragraphs(ev, Narrative())[0]
    assert "within the near-tie margin of 2 points published in the invitation to tender" in (
        sentence
    )
    assert "Under that rule both should be interviewed" in sentence


def test_clarification_outcome_comes_from_the_narrative(reference_ev, reference_narrative):
    text = report_content(reference_ev, reference_narrative).text()
    near = text.index("were very close on total score")
    outcome = text.index("the evaluation panel interviewed both companies")
    assert near < outcome
    assert "[NARRATIVE MISSING" not in text


def test_missing_narrative_shows_placeholders_never_invented_text(reference_ev):
    doc = report_content(reference_ev, Narrative())
    text = doc.text()
    for key in (
        "purpose",
        "background",
        "clarification",
        "options",
        "preferred-option",
        "financial",
        "consultation",
        "next-steps",
        "implications",
    ):
        assert f"[NARRATIVE MISSING: {key}]" in text
    assert set(doc.missing) == {
        "purpose",
        "background",
        "clarification",
        "options",
        "preferred-option",
        "financial",
        "consultation",
        "next-steps",
        "implications",
    }
    assert "Goodwin Pest Management is a Kent business" not in text


def test_a_partial_narrative_fills_only_its_own_sections(reference_ev):
    narrative = parse_narrative("## Background\n\nThe council tendered the service.\n")
    doc = report_content(reference_ev, narrative)
    assert "2.1 The council tendered the service." in doc.text()
    assert "background" not in doc.missing
    assert "purpose" in doc.missing


def test_report_uses_public_names_only(reference_ev, reference_narrative):
    text = report_content(reference_ev, reference_narrative).text()
    assert "Company A (Goodwin Pest Management)" in text
    # the reference data names no other bidder, so check the labels are all there is
    for label in ("Company B", "Company C", "Company D", "Company E", "Company F"):
        assert label in text


def test_panel_method_and_header_come_from_the_definition(reference_ev, reference_narrative):
    text = report_content(reference_ev, reference_narrative).text()
    assert (
        "The quality of the tenders was evaluated by Alister Andrews, Environment Response "
        "Manager, Swale Borough Council; Martyn Jeynes, Environment Enforcement Manager, "
        "Maidstone Borough Council; and Kevin Metland, Technical Officer, Maidstone Borough "
        "Council." in text
    )
    assert (
        "Quality measured performance measurement (12%), auditable and easily accessible "
        "systems (11%), environmental and social value (9%) and potential to grow the "
        "business (8%)." in text
    )
    assert "Committee | Communities, Housing and Environment Committee" in text
    assert "Date | 13 December 2016" in text
    assert "W × offer ÷ highest offer" in text


def test_moderation_record_lists_changed_and_spread_marks(reference_ev, reference_narrative):
    # The record is the panel's: it is in the confidential appendix, not the public report.
    from tender.report.content import CONFIDENTIAL, confidential_content

    public = report_content(reference_ev, reference_narrative)
    appendix = next(s for s in public.sections if s.number == "Appendix C")
    assert not any(isinstance(b, Table) for b in appendix.blocks)
    assert "E3 had missed appendix 4" not in public.text()
    doc = confidential_content(reference_ev)
    assert CONFIDENTIAL in doc.text()
    (appendix,) = doc.sections
    table = next(b for b in appendix.blocks if isinstance(b, Table))
    rows = {(r[0], r[1]): r for r in table.rows}
    # E, Q3: evaluators 6, 7, 7 (median 7); the panel agreed 6, with its reason
    assert rows[("Company E", "Q3")][2:5] == ("E1 6, E2 7, E3 7", "7", "6")
    assert "not quantified" in rows[("Company E", "Q3")][5]
    # B, Q2: 9, 7, 4 spread 5 ≥ the flag of 3, agreed at the median 7
    assert rows[("Company B", "Q2")][2:5] == ("E1 9, E2 7, E3 4", "7", "7")


def test_sensitivity_appendix_reports_the_leader_changes(reference_ev, reference_narrative):
    text = report_content(reference_ev, reference_narrative).text()
    assert (
        "Leader changes: at a price weight of 18.7 the lead passes from Company D to Company "
        "B; at a price weight of 47.4 the lead passes from Company B to Company A (Goodwin "
        "Pest Management)." in text
    )
    assert (
        "The nearest change of leader to the weight used is at 47.4, 12.6 points below it." in text
    )


def test_inputs_appendix_lists_every_fingerprint(reference_ev, reference_narrative):
    text = report_content(reference_ev, reference_narrative).text()
    for path, digest in reference_ev.fingerprints.items():
        assert f"{path} | {digest}" in text
    assert "Produced by tender 0.1.0." in text


def test_inputs_appendix_says_which_inputs_are_reconstructed(reference_ev, reference_narrative):
    # The reference's weights, marks and interview record are not the councils' record.
    text = report_content(reference_ev, reference_narrative).text()
    start = text.index("The figures in this report were produced from exactly these files")
    said = text[start : text.index("Table E.1", start)]
    assert "Reconstructed inputs." in said
    assert "the criterion weights, the individual and moderated marks and the record of" in said
    assert "not the councils' record." in said


def test_inputs_appendix_says_nothing_of_provenance_unless_told(reference, reference_narrative):
    import re

    from tender.workflows.evaluation import evaluate_file

    text = reference.read_text(encoding="utf-8")
    reference.write_text(re.sub(r"(?m)^  provenance: >-\n(    .*\n)+", "", text), "utf-8")
    ev = evaluate_file(reference).evaluation
    assert ev.tender.data.provenance is None
    said = report_content(ev, reference_narrative).text()
    assert "Reconstructed" not in said
    assert "councils' record" not in said


def test_charts_read_the_evaluation(reference_ev, reference_narrative):
    doc = report_content(reference_ev, reference_narrative)
    charts = [b for s in doc.sections for b in s.blocks if isinstance(b, Chart)]
    bars = charts[0].data
    assert bars.labels[0] == "Company A (Goodwin Pest Management)"
    assert bars.price[:2] == (60.0, 57.0)
    assert charts[0].alt is not None
    assert charts[0].alt.rows[-1] == (
        "Company F",
        "0 (unable to score due to limited information)",
        "19.2",
    )
    assert charts[1].alt is not None
    assert charts[1].alt.rows == (
        ("0 to 18.7", "Company D"),
        ("18.7 to 47.4", "Company B"),
        ("47.4 to 100", "Company A (Goodwin Pest Management)"),
    )


def _tiny(totals_tie: bool) -> Tender:
    return Tender.model_validate(
        {
            "schema_version": 1,
            "tender": {"reference": "T", "title": "Tiny", "authority": "Council"},
            "weights": {"price": 50.0, "quality": 50.0},
            "price": {"formula": {"name": "lowest_price"}},
            "quality": {
                "scale": {"maximum": 10.0},
                "criteria": [{"id": "Q1", "title": "Quality", "weight": 50.0}],
            },
            "data": {"bids": "b.csv"},
        }
    )


def test_exact_tie_for_first_asks_for_a_decision_and_names_nobody():
    tender = _tiny(True)
    bids = pd.DataFrame(
        {"bidder_id": ["A", "B"], "bidder": ["Alpha", "Beta"], "price": [100.0, 100.0]}
    )
    moderated = pd.DataFrame(
        {
            "bidder_id": ["A", "B"],
            "criterion_id": ["Q1", "Q1"],
            "moderated_mark": ["6", "6"],
            "rationale": ["x", "y"],
        }
    )
    ev = evaluate(tender, bids, None, moderated)
    paragraph = recommendation(ev)
    assert paragraph.style == "placeholder"
    assert paragraph.text.startswith("[DECISION NEEDED: Alpha and Beta tie for first place")


def test_provisional_evaluation_is_marked_in_the_report():
    tender = _tiny(False)
    bids = pd.DataFrame(
        {"bidder_id": ["A", "B"], "bidder": ["Alpha", "Beta"], "price": [100.0, 120.0]}
    )
    marks = pd.DataFrame(
        {
            "bidder_id": ["A", "B"],
            "criterion_id": ["Q1", "Q1"],
            "evaluator_id": ["E1", "E1"],
            "mark": ["6", "5"],
        }
    )
    tender = Tender.model_validate(
        {**tender.model_dump(mode="python"), "panel": [{"id": "E1", "role": "Officer"}]}
    )
    ev = evaluate(tender, bids, marks, None)
    doc = report_content(ev, Narrative())
    text = doc.text()
    assert "PROVISIONAL: quality scores are the median of the evaluators' marks" in text
    assert recommendation(ev).text.startswith("PROVISIONAL (quality from the median")


def test_the_reference_report_records_no_abnormal_price_review(reference):
    from tender.report.content import abnormal_price_paragraphs
    from tender.workflows.evaluation import evaluate_file

    assert abnormal_price_paragraphs(evaluate_file(reference).evaluation) == []


def test_abnormal_prices_and_their_decisions_are_recorded(reference):
    from tender.report.content import abnormal_price_paragraphs
    from tender.workflows.evaluation import evaluate_file
    from tests.conftest import use_decisions

    use_decisions(
        reference,
        "bidder_id,explanation,decision,reason,decided_on\n"
        "A,Income guaranteed at interview,accepted,,2016-11-22\n"
        "B,Income offer confirmed at interview,accepted,,2016-11-22\n",
    )
    paragraphs = abnormal_price_paragraphs(evaluate_file(reference).evaluation)
    assert [p.split(":")[0] for p in paragraphs] == [
        "Company A (Goodwin Pest Management)",
        "Company B",
    ]
    assert "explanation accepted on 22 November 2016" in paragraphs[1]


def _robustness(reference: Path):
    from tender.robustness import analyse
    from tender.workflows.evaluation import case_of, evaluate_file

    run = evaluate_file(reference)
    return run.evaluation, analyse(case_of(run), run.evaluation, run.inputs.decisions)


def test_the_robustness_paragraphs_say_fragile_in_plain_words(reference, reference_narrative):
    ev, robustness = _robustness(reference)
    text = report_content(ev, reference_narrative, robustness=robustness).text()
    assert "How robust the recommendation is" in text
    # Table 1 (published): A 80.3, B 79.1. Q1 weighs 12 on a 0-10 scale, so one mark there
    # is 1.2 points, the whole gap: one step ties them; reversing them needs two.
    assert (
        "4.5 Verdict: FRAGILE. Company A (Goodwin Pest Management) leads Company B by 1.2 "
        "points; a change of one mark step on a single criterion would tie them (reversing "
        "them takes more)." in text
    )
    assert (
        "moving one moderated mark by 1 mark (Q1 Performance measurement for Company A (Goodwin "
        "Pest Management) from 4 to 3 or Q1 Performance measurement for Company B from 5 to 6) "
        "would tie first place" in text
    )
    # Hand-computed from Table 1: with price weight w, A = w + 0.5075 (100 - w) and
    # B = 0.95 w + 0.5525 (100 - w) are level at w = 4.5 / 0.095 = 47.37; D (offer 5,540,
    # quality 26.6 of 40) = 0.4617 w + 0.665 (100 - w) meets B at w = 11.25 / 0.6008 = 18.72.
    assert (
        "at 18.7 the lead passes from Company D to Company B; at 47.4 the lead passes from "
        "Company B to Company A (Goodwin Pest Management). The nearest of these, 47.4, is 12.6 "
        "points below the weight used, 60." in text
    )
    assert "The weights (price 60, quality 40) were fixed by the invitation to tender" in text
    assert "How robust" not in report_content(ev, reference_narrative).text()


def test_a_clear_lead_is_robust(reference, reference_narrative):
    from tender.robustness import Robustness

    ev, robustness = _robustness(reference)
    clear = Robustness(**{**robustness.__dict__, "verdicts": [], "changes": [], "crossovers": []})
    text = report_content(ev, reference_narrative, robustness=clear).text()
    assert "Verdict: ROBUST. No other bid is within the near-tie margin of 2 points" in text
    assert "Even so" not in text  # no one-step change alters anything
    assert "No change of a single moderated mark, to any other mark on the scale" in text
    assert "The same bid leads at every price weight from 0 to 100" in text


def test_a_lead_outside_the_margin_that_one_mark_reverses_is_not_left_at_robust():
    # office-cleaning example (hand-computed in tests/test_example_schedule.py): A 87.07,
    # C 84.34, a gap of 2.73 outside the 2-point margin; Q1 weighs 30 on a 0-10 scale, so
    # one Q1 mark is 3 points, and A 8 -> 7 or C 7 -> 8 puts C first
    example = Path(__file__).parents[2] / "criteria" / "office-cleaning-2026.yaml"
    ev, robustness = _robustness(example)
    text = report_content(ev, Narrative(), robustness=robustness).text()
    assert (
        "Verdict: ROBUST. No other bid is within the near-tie margin of 2 points of the "
        "recommended bid. Even so, a change of one mark step on a single criterion would "
        "change the leader (next paragraph)." in text
    )
    # D failed the pass/fail requirement: received, not weighed on price and quality
    assert (
        "Four bids were received; three were ranked on price (50%) and quality (50%), and one "
        "was not ranked (Table 1)." in text
    )
    # a panel named by post alone reads as posts, without the semicolons names need
    assert (
        "evaluated by the Facilities Manager, the Procurement Officer and the Health and "
        "Safety Adviser." in text
    )


def test_background_papers_close_the_report(reference_ev, reference_narrative):
    text = report_content(reference_ev, reference_narrative).text()
    assert "9 BACKGROUND PAPERS\nNone." in text
    listed = parse_narrative("## Background papers\n\n- Tender evaluation file, 2016\n", "n.md")
    text = report_content(reference_ev, listed).text()
    assert "9 BACKGROUND PAPERS\nTender evaluation file, 2016\nAppendix A" in text


_DATE = re.compile(
    r"\b(\d{1,2}) ?(?:st|nd|rd|th)? (January|February|March|April|May|June|July|August|"
    r"September|October|November|December) (\d{4})\b"
)


def _dates(text: str) -> set[str]:
    return {" ".join(m.groups()) for m in _DATE.finditer(text)}


def test_every_date_the_reference_report_states_is_the_committee_report_s(
    reference_ev, reference_narrative
):
    """The reference states only what the committee report of 13 December 2016 states: every
    date in its report (narrative, definition and computed sentences alike) is one the
    committee report prints; the letters' illustrative date is not stated as a plan."""
    published = (REFERENCE / "committee-report.txt").read_text(encoding="utf-8")
    stated = _dates(report_content(reference_ev, reference_narrative).text())
    assert stated >= {"13 December 2016", "1 January 2017", "3 January 2017"}
    assert stated - _dates(published) == set()
    assert reference_ev.tender.letters.sent is not None  # the letters still bear their date


def test_a_letter_date_not_marked_illustrative_is_stated_in_the_report(
    reference_ev, reference_narrative
):
    letters = reference_ev.tender.letters.model_copy(update={"illustrative": None})
    tender = reference_ev.tender.model_copy(update={"letters": letters})
    ev = dataclasses.replace(reference_ev, tender=tender)
    text = report_content(ev, reference_narrative).text()
    assert "Every bidder will receive a debrief letter with its scores on 14 December 2016." in text
