"""Bidder letters per regime, the completeness check, and safe file names."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tender.display import money
from tender.disqualified import rules_not_met
from tender.model import Tender
from tender.report.document import Table
from tender.report.letters import (
    check_completeness,
    letter_content,
    letter_slug,
    letter_slugs,
    restates_descriptor,
)
from tender.scoring import evaluate
from tender.workflows.evaluation import evaluate_file
from tests.conftest import exclude_by_decision, use_decisions


def _with(ev, **changes):
    tender = Tender.model_validate({**ev.tender.model_dump(mode="python"), **changes})
    return dataclasses.replace(ev, tender=tender.with_source(ev.tender.source))


def _winner(ev):
    return ev.ranked.iloc[0]


def _second(ev):
    return ev.ranked.iloc[1]


def _rationale(ev, bidder, criterion):
    """The feedback a letter may quote for one mark (never the internal rationale)."""
    frame = ev.rationales
    row = frame[(frame["bidder_id"] == bidder) & (frame["criterion_id"] == criterion)]
    return row["feedback"].iat[0]


def _others_are_absent(ev, text, bidder_ids):
    for other in ev.table["bidder_id"]:
        if other in bidder_ids:
            continue
        name = ev.table.loc[ev.table["bidder_id"] == other, "bidder"].iat[0]
        assert f"{name}\n" not in text + "\n", other
        assert f"{name} " not in text, other
        for leaf in ev.tender.quality.leaves():
            assert _rationale(ev, other, leaf.id) not in text


def test_local_rules_debrief_for_the_reference_runner_up(reference_ev):
    text = letter_content(reference_ev, "B").text()
    assert text.startswith("Outcome of your tender")
    assert "Dear Company B," in text
    assert "intends to award the contract to Goodwin Pest Management." in text
    assert (
        "Q2 Auditable and easily accessible systems | 7 | 7.7 | Your tender showed an online "
        "portal" in text
    )
    assert "E3 had missed appendix 4" not in text  # the panel's internal note stays internal
    assert "Total score |  | 79.1 | " in text
    # the price score by reference to the tender: the offer, the anchor, the formula, the score
    assert (
        "Your offer of £11,400, scored against the highest offer among the compliant tenders, "
        "£12,000: W × offer ÷ highest offer = 60 × £11,400 ÷ £12,000 = 57 out of 60." in text
    )
    assert (
        "Your tender's total score was 79.1 out of 100; the most economically advantageous "
        "tender scored 80.3, 1.2 points more." in text
    )
    # the letter states the closeness, not an interview the evaluation cannot know took place
    assert "within the evaluation panel's working margin of 2 points" in text
    assert "rules call for" not in text  # the margin was not published
    assert "invited" not in text
    assert "Standstill" not in text  # no statutory standstill under local rules
    # no other loser's figures or reasons
    for other in ("C", "D", "E", "F"):
        for criterion in ("Q1", "Q2", "Q3", "Q4"):
            assert _rationale(reference_ev, other, criterion) not in text


def test_reference_letter_for_the_unpriced_bid_gives_the_reason(reference_ev):
    text = letter_content(reference_ev, "F").text()
    # the score cell holds the score; the reason is said once, in the explanation
    assert "| 0 | Scored 0: unable to score due to limited information." in text
    assert "0 (unable to score" not in text


def test_reference_winner_letter(reference_ev):
    text = letter_content(reference_ev, "A").text()
    assert "intends to award the contract to you" in text
    assert "The successful tender" not in text
    assert "Why your tender was not successful" not in text


def test_pa2023_assessment_summary_has_reg_31_content(make_evaluation):
    ev = make_evaluation(8, "pa2023", long_names=False)
    winner, loser = _winner(ev), _second(ev)
    doc = letter_content(ev, loser["bidder_id"])
    text = doc.text()
    assert text.startswith("Assessment summary")
    n = int(loser["bidder_id"][1:])
    # reg 31(2)(a)-(c): the supplier's name, postal address, email and unique identifier
    assert f"To | {loser['bidder']} Limited (trading as {loser['bidder']})" in text
    assert f"Address | {n} Example Street, Exampletown EX{n} 1AA" in text
    assert f"Email | tenders@{loser['bidder_id'].lower()}.example.co.uk" in text
    assert f"Unique identifier | {n:08d} (Companies House, GB-COH)" in text
    assert f"Our reference for your bid | {loser['bidder_id']}" in text
    assert "Procurement Act 2023 s.50; Procurement Regulations 2024 reg 31" in text
    # criteria: title, relative importance, how assessed, scores available; sub-criteria too
    assert "Q1 Method statement | 20% | sum of its sub-criteria | 0 to 20" in text
    assert "    Q1a Staffing | 12% | mark 0-5 × weight ÷ 5 | 0 to 12" in text
    # own explanation per marked criterion, and the winner's, by reference to the tenders
    for leaf in ("Q1a", "Q1b", "Q2", "Q3"):
        assert _rationale(ev, loser["bidder_id"], leaf) in text
        assert _rationale(ev, winner["bidder_id"], leaf) in text
    assert f"The most advantageous tender ({winner['bidder']})" in text
    assert "Why your tender was not successful" in text
    # standstill: 8 working days from Thursday 17 April 2025 (Easter in between)
    assert "ends at midnight at the end of 30 April 2025" in text
    _others_are_absent(ev, text, {winner["bidder_id"], loser["bidder_id"]})


def test_pcr2015_notice_has_reg_86_content(make_evaluation):
    ev = make_evaluation(8, "pcr2015", long_names=False)
    winner, loser = _winner(ev), _second(ev)
    text = letter_content(ev, loser["bidder_id"]).text()
    assert text.startswith("Notice of the decision to award the contract")
    assert f"intends to award the contract to {winner['bidder']}" in text
    assert "Characteristics and relative advantages of the successful tender" in text
    records = {r.bidder_id: r.as_json() for r in ev.records()}
    assert f"Total score |  | {records[winner['bidder_id']]['display']['total_score']}" in text
    assert f"Total score |  | {records[loser['bidder_id']]['display']['total_score']} | " in text
    # sent Thursday 17 April 2025: day 10 is Sunday 27 April, so it ends Monday 28 April
    assert "the standstill period ends at midnight at the end of 28 April 2025" in text
    _others_are_absent(ev, text, {winner["bidder_id"], loser["bidder_id"]})


def test_pcr2015_advantages_quote_the_winners_rationale_where_it_scored_more(make_evaluation):
    ev = make_evaluation(8, "pcr2015", long_names=False)
    winner, loser = _winner(ev)["bidder_id"], _second(ev)["bidder_id"]
    text = letter_content(ev, loser).text()
    index = {b: i for i, b in enumerate(ev.table["bidder_id"])}
    for leaf in ev.tender.quality.leaves():
        scores = ev.criterion_scores[leaf.id]
        quoted = f"{leaf.id} {leaf.title}: it scored " in text
        assert quoted == (scores[index[winner]] > scores[index[loser]])
        assert (_rationale(ev, winner, leaf.id) in text) == quoted


def test_the_winners_feedback_is_quoted_and_attributed_never_as_the_readers_own(
    make_evaluation,
):
    """Feedback speaks to its own bidder ("Your tender ..."): quoted bare in a losing
    bidder's letter it would read as about the reader's tender."""
    for regime in ("pa2023", "pcr2015"):
        ev = make_evaluation(6, regime, long_names=False)
        winner, loser = _winner(ev), _second(ev)
        text = letter_content(ev, loser["bidder_id"]).text()
        quoted = [
            leaf
            for leaf in ev.tender.quality.leaves()
            if _rationale(ev, winner["bidder_id"], leaf.id) in text
        ]
        assert quoted, regime
        for leaf in quoted:
            feedback = _rationale(ev, winner["bidder_id"], leaf.id)
            assert text.count(feedback) == text.count(
                f"The panel's feedback to {winner['bidder']}: “{feedback}”"
            ), (regime, leaf.id)
        # the reader's own feedback stays as written to it
        own = _rationale(ev, loser["bidder_id"], ev.tender.quality.leaves()[0].id)
        assert own in text
        assert f"feedback to {loser['bidder']}" not in text


def test_completeness_refuses_a_mark_without_feedback(reference_ev):
    rationales = reference_ev.rationales.copy()
    rationales.loc[1, "feedback"] = ""
    ev = dataclasses.replace(reference_ev, rationales=rationales)
    check = check_completeness(ev)
    assert [str(p) for p in check.problems] == [
        "bids/pest-control-2016/moderated.csv: bidder A, criterion Q2: found a moderated mark "
        "of 4 with no feedback; expected feedback to the bidder explaining the mark by "
        "reference to its tender (the moderation workbook's 'Feedback to the bidder' column)"
    ]


def test_completeness_warns_when_feedback_restates_the_descriptor(reference_ev):
    rationales = reference_ev.rationales.copy()
    rationales.loc[2, "feedback"] = "Very good - meets the requirement with clear added value."
    ev = dataclasses.replace(reference_ev, rationales=rationales)
    check = check_completeness(ev)
    assert check.problems == []
    assert check.warnings == [
        "bids/pest-control-2016/moderated.csv: bidder A, criterion Q3: the feedback "
        "'Very good - meets the requirement with clear added value.' only restates the scale "
        "descriptor; say what in the tender earned the mark"
    ]


def test_reference_rationales_pass_the_check(reference_ev):
    assert check_completeness(reference_ev) == check_completeness(reference_ev)
    check = check_completeness(reference_ev)
    assert check.problems == []
    assert check.warnings == []


def test_restates_descriptor(reference_ev):
    tender = reference_ev.tender
    q1 = tender.quality.criteria[0]
    assert restates_descriptor("Good.", tender, q1)
    assert restates_descriptor("Performance measurement: satisfactory response", tender, q1)
    assert not restates_descriptor("Quarterly KPI report; no customer survey.", tender, q1)


def test_completeness_needs_a_letter_date(reference_ev):
    ev = _with(reference_ev, letters={})
    problems = [str(p) for p in check_completeness(ev).problems]
    assert problems == [
        "criteria/pest-control-2016.yaml: letters.sent: found nothing; expected the date the "
        "letters are sent"
    ]


def test_completeness_refuses_provisional_marks():
    tender = Tender.model_validate(
        {
            "schema_version": 1,
            "tender": {"reference": "T", "title": "Tiny", "authority": "Council"},
            "weights": {"price": 50.0, "quality": 50.0},
            "price": {"formula": {"name": "lowest_price"}},
            "quality": {
                "scale": {"maximum": 10.0},
                "criteria": [{"id": "Q1", "title": "Quality", "weight": 50.0}],
            },
            "panel": [{"id": "E1", "role": "Officer"}],
            "data": {"bids": "b.csv", "moderated": "moderated.csv"},
        }
    )
    bids = pd.DataFrame({"bidder_id": ["A"], "bidder": ["Alpha"], "price": [1.0]})
    marks = pd.DataFrame(
        {"bidder_id": ["A"], "criterion_id": ["Q1"], "evaluator_id": ["E1"], "mark": ["5"]}
    )
    ev = evaluate(tender, bids, marks, None)
    found = [p.found for p in check_completeness(ev).problems]
    assert "no moderated marks (quality is PROVISIONAL)" in found


def test_letter_slugs():
    assert letter_slug("A", "Goodwin Pest Management") == "a-goodwin-pest-management"
    assert letter_slug("7", "Acme/../../x") == "7-acme-x"
    assert letter_slug("CON", "") == "bidder-con"
    assert letter_slug("X", "Łódź Śmieci Sp. z o.o.") == "x-odz-smieci-sp-z-o-o"


def test_letter_slugs_are_unique(make_evaluation):
    ev = make_evaluation(3, long_names=False)
    table = ev.table.copy()
    table["bidder_id"] = ["A.1", "A-1", "A_1"]
    table["bidder"] = ["Same", "Same", "Same"]
    slugs = letter_slugs(dataclasses.replace(ev, table=table))
    assert sorted(slugs.values()) == ["a-1-same", "a-1-same-2", "a-1-same-3"]


@given(st.text(max_size=200), st.text(max_size=20))
def test_letter_paths_stay_inside_the_folder(name, bidder_id):
    folder = Path("/out/letters")
    stem = letter_slug(bidder_id, name)
    path = (folder / f"{stem}.pdf").resolve()
    assert path.parent == folder
    assert 0 < len(stem) <= 60
    assert stem.lower() not in {"con", "prn", "aux", "nul"}


def _tiny(requirement: bool = False) -> Tender:
    return Tender.model_validate(
        {
            "schema_version": 1,
            "tender": {
                "reference": "T",
                "title": "Tiny",
                "authority": "Council",
                "regime": "pcr2015",
            },
            "weights": {"price": 50.0, "quality": 50.0},
            "price": {"formula": {"name": "lowest_price"}},
            "quality": {
                "scale": {"maximum": 10.0},
                "criteria": [{"id": "Q1", "title": "Quality", "weight": 50.0}],
            },
            "requirements": [{"id": "INS", "description": "Insurance of £5m", "column": "insured"}]
            if requirement
            else [],
            "data": {"bids": "b.csv"},
            "letters": {"sent": date(2025, 3, 3)},
        }
    )


def test_excluded_bidder_is_told_why():
    bids = pd.DataFrame(
        {
            "bidder_id": ["A", "B"],
            "bidder": ["Alpha", "Beta"],
            "price": [100.0, 90.0],
            "insured": ["yes", "no"],
        }
    )
    moderated = pd.DataFrame(
        {
            "bidder_id": ["A"],
            "criterion_id": ["Q1"],
            "moderated_mark": ["6"],
            "rationale": ["Clear staffing plan."],
            "feedback": ["Clear staffing plan."],
        }
    )
    scored = evaluate(_tiny(requirement=True), bids, None, moderated)
    ev = dataclasses.replace(scored, exclusions=rules_not_met(scored, bids, {}))
    text = letter_content(ev, "B").text()
    assert "intends to award the contract to Alpha." in text
    assert (
        "Your tender was not ranked because it did not meet the pass/fail requirement INS: "
        "Insurance of £5m." in text
    )
    assert "the standstill period ends at midnight at the end of 13 March 2025" in text
    assert check_completeness(ev).problems == []
    # an evaluation that never recorded why (not made from the tender's files) is refused
    assert [p.where for p in check_completeness(scored).problems] == ["bidder B"]


def test_letters_are_refused_while_first_place_is_tied():
    bids = pd.DataFrame(
        {"bidder_id": ["A", "B"], "bidder": ["Alpha", "Beta"], "price": [100.0, 100.0]}
    )
    moderated = pd.DataFrame(
        {
            "bidder_id": ["A", "B"],
            "criterion_id": ["Q1", "Q1"],
            "moderated_mark": ["6", "6"],
            "rationale": ["Clear staffing plan.", "Named supervisors."],
            "feedback": ["Clear staffing plan.", "Named supervisors."],
        }
    )
    ev = evaluate(_tiny(), bids, None, moderated)
    assert [(p.where, p.found) for p in check_completeness(ev).problems] == [
        ("ranking", "2 bids ranked first")
    ]


def test_letters_are_refused_when_no_bid_can_be_ranked():
    # Both bids fail the quality threshold, so nothing ranks first and no letter may say
    # who won.
    bids = pd.DataFrame(
        {"bidder_id": ["A", "B"], "bidder": ["Alpha", "Beta"], "price": [100.0, 120.0]}
    )
    moderated = pd.DataFrame(
        {
            "bidder_id": ["A", "B"],
            "criterion_id": ["Q1", "Q1"],
            "moderated_mark": ["1", "2"],
            "rationale": ["Little evidence offered.", "Little evidence offered."],
            "feedback": ["Little evidence offered.", "Little evidence offered."],
        }
    )
    tender = _tiny()
    quality = tender.quality.model_copy(update={"minimum_score": 30.0})
    scored = evaluate(tender.model_copy(update={"quality": quality}), bids, None, moderated)
    ev = dataclasses.replace(scored, exclusions=rules_not_met(scored, bids, {}))
    assert (ev.table["rank"] == 1).sum() == 0
    assert [(p.where, p.found) for p in check_completeness(ev).problems] == [
        ("ranking", "no bid that can be ranked")
    ]


def test_pa2023_letters_are_refused_while_a_reg_31_item_is_missing(make_evaluation):
    ev = make_evaluation(3, "pa2023", long_names=False)
    assert check_completeness(ev).problems == []
    suppliers = dict(ev.suppliers)
    suppliers["S02"] = dataclasses.replace(suppliers["S02"], address="", identifier_id="")
    suppliers.pop("S03")  # no details read at all: only the name is known
    check = check_completeness(dataclasses.replace(ev, suppliers=suppliers))
    assert [str(p) for p in check.problems] == [
        "bids.csv: line 3 (bidder S02), column address: found nothing; expected the "
        "supplier's contact postal address (Procurement Regulations 2024 reg 31(2)(b)), which "
        "the assessment summary must give",
        "bids.csv: line 3 (bidder S02), column identifier_id: found nothing; expected the "
        "supplier's unique identifier (Procurement Regulations 2024 reg 31(2)(c)), which the "
        "assessment summary must give",
        *(
            f"bids.csv: line 4 (bidder S03), column {column}: found nothing; expected the "
            f"supplier's {item} (Procurement Regulations 2024 reg 31(2)({para})), which the "
            "assessment summary must give"
            for column, item, para in (
                ("address", "contact postal address", "b"),
                ("email", "contact email address", "b"),
                ("identifier_id", "unique identifier", "c"),
            )
        ),
    ]
    text = letter_content(dataclasses.replace(ev, suppliers=suppliers), "S03").text()
    assert "Address | [NOT SET: address in the bids file]" in text  # visibly missing


def test_other_regimes_address_the_letter_without_refusing_it(reference_ev):
    assert reference_ev.suppliers["A"].legal_name == "Goodwin Pest Management"
    assert check_completeness(reference_ev).problems == []
    text = letter_content(reference_ev, "A").text()
    assert "To | Goodwin Pest Management\n" in text
    assert "Address" not in text  # not published: neither guessed nor printed as a gap
    assert "Email" not in text
    assert "Unique identifier" not in text  # not asked for outside pa2023, and none given
    assert "Our reference for your bid | A" in text


def _reg31_checklist(ev, bidder_id):
    """Procurement Regulations 2024 reg 31, item by item, for one assessment summary."""
    winner = _winner(ev)
    details = ev.suppliers[bidder_id]
    text = letter_content(ev, bidder_id).text()
    records = {r.bidder_id: r.as_json() for r in ev.records()}
    own = records[bidder_id]
    leaves = ev.tender.quality.leaves()

    items = {
        "(2)(a) name": f"To | {details.legal_name} (trading as {details.bidder})" in text,
        "(2)(b) postal address": f"Address | {details.address}" in text,
        "(2)(b) email": f"Email | {details.email}" in text,
        "(2)(c) unique identifier": f"Unique identifier | {details.identifier}" in text,
        "(2)(d)(i) criteria: title, importance, how assessed, scores available": all(
            f"{c.id} {c.title} | {c.weight:g}% | " in text and f"| 0 to {c.weight:g}" in text
            for c in ev.tender.quality.criteria
        )
        and "Price | 60% | W × lowest ÷ price (W = 60) | 0 to 60" in text,
        "(2)(d)(ii) where the full criteria are": "set out in full in the invitation to "
        "tender, part 3" in text,
        "(2)(e)(i)(aa) price explained by reference to the tender": (
            f"Your price of {money(own['price'])}, scored against the lowest price among the "
            f"compliant tenders, {money(min(Decimal(r['price']) for r in records.values()))}: "
            "W × lowest ÷ price = 60"
            in text
            and f"= 60 × {money(min(Decimal(r['price']) for r in records.values()))} ÷ "
            f"{money(own['price'])} = {own['display']['price_score']} out of 60."
            in text
        ),
        "(2)(e)(i)(aa) quality explained by reference to the tender": all(
            _rationale(ev, bidder_id, leaf.id) in text for leaf in leaves
        ),
        "(2)(e)(i)(bb) each sub-criterion": all(
            f"{sub.id} {sub.title} | " in text
            for c in ev.tender.quality.criteria
            for sub in c.sub_criteria
        ),
        "(2)(e)(ii) total and sub-totals": f"Total score |  | {own['display']['total_score']}"
        in text
        and "sub-total of the sub-criteria below" in text,
    }
    if bidder_id != winner["bidder_id"]:
        best = records[winner["bidder_id"]]
        items |= {
            "(3)(c) why not awarded": "Why your tender was not successful" in text
            and f"scored {best['display']['total_score']}" in text,
            "(3)(d) the most advantageous tender's name": f"The most advantageous tender "
            f"({winner['bidder']})" in text,
            "(3)(d) its assessment, explained": all(
                _rationale(ev, winner["bidder_id"], leaf.id) in text for leaf in leaves
            )
            and f"Its price of {money(best['price'])}" in text
            and f"Total score |  | {best['display']['total_score']}" in text,
        }
    return {item: ok for item, ok in items.items()}


def test_pa2023_letters_pass_the_reg_31_checklist_item_by_item(make_evaluation):
    ev = make_evaluation(6, "pa2023", long_names=False)
    for bidder_id in (_winner(ev)["bidder_id"], _second(ev)["bidder_id"]):
        failed = [item for item, ok in _reg31_checklist(ev, bidder_id).items() if not ok]
        assert failed == [], bidder_id


def test_pcr2015_letters_pass_the_reg_86_checklist_item_by_item(make_evaluation):
    ev = make_evaluation(6, "pcr2015", long_names=False)
    winner, loser = _winner(ev), _second(ev)
    w, me = winner["bidder_id"], loser["bidder_id"]
    text = letter_content(ev, me).text()
    records = {r.bidder_id: r.as_json() for r in ev.records()}
    index = {b: i for i, b in enumerate(ev.table["bidder_id"])}
    better = [
        leaf
        for leaf in ev.tender.quality.leaves()
        if ev.criterion_scores[leaf.id][index[w]] > ev.criterion_scores[leaf.id][index[me]]
    ]
    price_better = records[w]["price_score"] > records[me]["price_score"]
    items = {
        "reg 86(2)(a) the award criteria": "The award criteria" in text
        and "Price | 60% | W × lowest ÷ price (W = 60) | 0 to 60" in text,
        "reg 86(2)(b) the winner's name": f"intends to award the contract to {winner['bidder']}"
        in text,
        "reg 86(2)(b) relative advantages on price": (
            f"Price: its price of {money(records[w]['price'])} scored "
            f"{records[w]['display']['price_score']} against your "
            f"{records[me]['display']['price_score']}." in text
        )
        == price_better,
        "reg 86(2)(b) relative advantages per criterion, with the winner's feedback": all(
            f"{leaf.id} {leaf.title}: it scored " in text and _rationale(ev, w, leaf.id) in text
            for leaf in better
        ),
        "reg 86(2)(b) no advantage claimed where the winner did not score more": all(
            _rationale(ev, w, leaf.id) not in text
            for leaf in ev.tender.quality.leaves()
            if leaf not in better
        ),
        "reg 86(2)(c) own and winner's scores": (
            f"Total score |  | {records[me]['display']['total_score']} | " in text
            and f"Total score |  | {records[w]['display']['total_score']}" in text
        ),
        "reg 86(2)(d) reg 87 standstill end": "Under regulation 87 of the Public Contracts "
        "Regulations 2015 the standstill period ends at midnight at the end of 28 April 2025"
        in text,
        "citations of PCR 2015 only": "Public Contracts Regulations 2015 regs 86 and 87" in text
        and "Procurement Act" not in text
        and "reg 31" not in text,
        "the regime's words for the winner": "most economically advantageous tender" in text
        and "the most advantageous tender" not in text,
    }
    assert price_better or better, "the synthetic winner leads somewhere"
    assert [item for item, ok in items.items() if not ok] == []


def test_a_letter_says_when_its_bidder_was_interviewed_and_what_that_changed(reference):
    # The reference's outcomes file records interviews with A and B on 22 November 2016
    # and no revised mark; C was not interviewed.
    from tender.workflows.evaluation import evaluate_file

    run = evaluate_file(reference)
    assert run.outcomes is not None
    for bidder in ("A", "B"):
        text = letter_content(run.evaluation, bidder, run.outcomes).text()
        assert (
            "The evaluation panel held a clarification interview with you on 22 November "
            "2016; none of your marks was revised as a result."
        ) in text
        assert "national account work" not in text  # what was said stays in the record
        assert "apprenticeship commitments" not in text
    assert "clarification interview" not in letter_content(run.evaluation, "C", run.outcomes).text()


def test_a_revised_mark_is_named_in_the_letter(reference):

    from tender.clarifications import Outcomes, Revision
    from tender.workflows.evaluation import evaluate_file

    run = evaluate_file(reference)
    assert run.outcomes is not None
    revision = Revision("B", "Q1", 7.0, "Survey set out", date(2016, 11, 22), 2)
    outcomes = Outcomes(run.outcomes.interviews, [revision])
    text = letter_content(run.evaluation, "B", outcomes).text()
    assert (
        "held a clarification interview with you on 22 November 2016; as a result the panel "
        "revised your mark for Q1 Performance measurement to 7."
    ) in text


def test_a_losing_letter_also_says_where_the_bid_beat_the_winner(reference_ev):
    # Moderated marks: B 5 and 7 against A 4 and 4 on Q1 (weight 12) and Q2 (weight 11) of
    # a 0-10 scale, so 6 against 4.8 and 7.7 against 4.4; Q4 is level (6 each, 4.8).
    text = letter_content(reference_ev, "B").text()
    assert (
        "Your tender scored more than the successful tender on: Q1 Performance measurement "
        "(your 6 against its 4.8); Q2 Auditable and easily accessible systems (your 7.7 "
        "against its 4.4)."
    ) in text
    assert "Q4 Potential to grow the business (your" not in text
    assert (
        "Your tender scored more than the successful tender"
        not in letter_content(reference_ev, "A").text()
    )


CLEANING = "office-cleaning-2026"
SAFE = (
    "did not meet the pass/fail requirement SAFE: Health and safety accreditation "
    "(SafeContractor or equivalent)"
)


@pytest.fixture
def cleaning(tmp_path: Path) -> Path:
    """A copy of the schedule-of-rates example (pa2023; D fails the SAFE requirement)."""
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "criteria").mkdir()
    shutil.copy(root / "criteria" / f"{CLEANING}.yaml", tmp_path / "criteria")
    shutil.copytree(root / "bids" / CLEANING, tmp_path / "bids" / CLEANING)
    return tmp_path / "criteria" / f"{CLEANING}.yaml"


def _section(doc, title):
    """The blocks and the flattened text of the one section titled `title`."""
    (found,) = [s for s in doc.sections if s.title == title]
    lines = dataclasses.replace(doc, title="", sections=(found,)).text().splitlines()
    return found.blocks, " ".join(" ".join(lines[2:]).split())


def test_a_single_tenders_letters_keep_the_most_advantageous_tender(cleaning):
    """Without lots the contract goes to the first-ranked bid: the regime's words stay."""
    ev = evaluate_file(cleaning).evaluation
    for bidder in ("A", "B", "D"):
        assert (
            "This assessment summary sets out the award criteria, how your tender was assessed "
            "against them, with the reasons for each score, and the same for the most "
            "advantageous tender." in letter_content(ev, bidder).text()
        )
    assert (
        "intends to award the contract to you: your tender was the most advantageous tender, "
        "with the highest total score." in letter_content(ev, "A").text()
    )
    said = " ".join(letter_content(ev, "B").text().split())
    assert "Your tender's total score was 80 out of 100; the most advantageous tender scored" in (
        said
    )
    assert "allocation" not in said


def test_a_bid_failing_a_pass_fail_requirement_is_told_why_it_was_not_scored(cleaning):
    ev = evaluate_file(cleaning).evaluation
    doc = letter_content(ev, "D")
    blocks, said = _section(doc, "Your tender")
    assert not [b for b in blocks if isinstance(b, Table)]  # no table of dashes
    assert (
        said == f"Your tender was not marked or scored against these criteria, because it {SAFE}."
    )
    assert _section(doc, "Why your tender was not successful")[1] == (
        f"Your tender was not ranked because it {SAFE}."
    )
    assert "answered 'no'" not in doc.text()
    assert check_completeness(ev).problems == []


def test_a_bid_below_a_quality_minimum_sees_its_marks_and_the_minimum(cleaning):
    text = cleaning.read_text(encoding="utf-8")
    cleaning.write_text(
        text.replace("      weight: 30\n", "      weight: 30\n      minimum_mark: 7\n", 1),
        encoding="utf-8",
    )
    ev = evaluate_file(cleaning).evaluation
    doc = letter_content(ev, "B")  # B's moderated Q1 mark is 6
    blocks, said = _section(doc, "Your tender")
    assert said.startswith(
        "Your tender was marked against the quality criteria, as below, but it was given no "
        "price score, total score or rank, because it did not reach the minimum mark of 7 for "
        "Q1 (Method statement and staffing)."
    )
    (table,) = [b for b in blocks if isinstance(b, Table)]
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Q1 Method statement and staffing"][:2] == ("6", "18")
    assert rows["Q1 Method statement and staffing"][2].startswith("Your staffing plan meets")
    assert rows["Total score"][1] == "Not scored"
    price = next(v for k, v in rows.items() if k == ev.tender.price.criterion)
    assert price[1:] == (
        "Not scored",
        "Not scored: your tender was not ranked, for the reason given above.",
    )
    assert "is below the minimum of 7" not in doc.text()  # the panel's record, not the rule


def test_a_decision_recorded_against_a_bid_is_stated_without_its_text(reference, project):
    """Under the authority's own rules no reason is published, but the bidder's own letter
    still says why; the decision's text (the panel's) is never quoted."""
    exclude_by_decision(project, "E", "Late: received 12:04")
    ev = evaluate_file(reference).evaluation
    said = " ".join(letter_content(ev, "E").text().split())
    assert (
        "Your tender was not ranked because it was excluded by a recorded decision of the "
        "authority." in said
    )
    assert "Late" not in said
    assert "12:04" not in said


def test_a_bid_rejected_as_abnormally_low_is_told_so_without_the_panels_reasoning(reference):
    """Under the authority's own rules there is no statutory provision to cite; the letter
    still says why, and never quotes the decision's recorded reason."""
    use_decisions(
        reference,
        "bidder_id,explanation,decision,reason,decided_on\n"
        "A,No evidence the income can be sustained,rejected,Offer not sustainable,2016-11-22\n",
    )
    ev = evaluate_file(reference).evaluation
    said = " ".join(letter_content(ev, "A").text().split())
    assert (
        "Your tender was not ranked because it was rejected as abnormally low after its "
        "explanation was considered." in said
    )
    assert "Offer not sustainable" not in said
