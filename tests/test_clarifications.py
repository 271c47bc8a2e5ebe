"""Clarification outcomes: validation, revised marks on a copy, before/after."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tender.clarifications import (
    COLUMNS,
    Revised,
    before_after,
    changes,
    check_outcomes,
    leader_sentence,
    revised_moderated,
)
from tender.errors import TenderInputError
from tender.inputs import load_inputs, load_tender
from tender.scoring import evaluate

IDS = ["A", "B", "C", "D", "E", "F"]


def _frame(rows):
    return pd.DataFrame(rows, columns=COLUMNS, dtype=str)


@pytest.fixture
def pest(reference: Path):
    tender = load_tender(reference)
    return tender, load_inputs(tender)


def test_reference_outcomes_record_two_interviews_and_no_revision(pest, reference):
    tender, _ = pest
    frame = pd.read_csv(
        reference.parents[1] / "bids/pest-control-2016/clarifications.csv",
        dtype=str,
        keep_default_na=False,
    )
    outcomes = check_outcomes(frame, "clarifications.csv", tender, IDS)
    assert [(i.bidder_id, i.on, i.panel) for i in outcomes.interviews] == [
        ("A", date(2016, 11, 22), ["E1", "E2", "E3"]),
        ("B", date(2016, 11, 22), ["E1", "E2", "E3"]),
    ]
    assert outcomes.revisions == []


def test_rows_of_one_interview_are_grouped(pest):
    tender, _ = pest
    outcomes = check_outcomes(
        _frame(
            [
                ["B", "2016-11-22", "E1;E2", "Portal demonstrated", "", "", ""],
                [
                    "B",
                    "2016-11-22",
                    "E3",
                    "Survey method described",
                    "Q1",
                    "6",
                    "Survey now set out",
                ],
            ]
        ),
        "o.csv",
        tender,
        IDS,
    )
    (interview,) = outcomes.interviews
    assert interview.panel == ["E1", "E2", "E3"]
    assert interview.clarifications == ["Portal demonstrated", "Survey method described"]
    (revision,) = outcomes.revisions
    assert (revision.bidder_id, revision.criterion_id, revision.to_mark, revision.line) == (
        "B",
        "Q1",
        6,
        3,
    )


def test_every_problem_in_an_outcomes_file_is_reported(pest):
    tender, _ = pest
    frame = _frame(
        [
            ["Z", "22/11/2016", "E1;E9", "", "Q9", "11", ""],
            ["A", "2016-11-22", "", "Asked about KPIs", "", "5", ""],
            ["B", "2016-11-22", "E1", "Portal", "Q2", "8", "Shown live"],
            ["B", "2016-11-23", "E1", "Portal again", "Q2", "9", "Shown again"],
        ]
    )
    with pytest.raises(TenderInputError) as error:
        check_outcomes(frame, "o.csv", tender, IDS)
    assert [str(p) for p in error.value.problems] == [
        "o.csv: line 2 (bidder Z), column bidder_id: found unknown bidder 'Z'; "
        "expected one of A, B, C, D, E, F",
        "o.csv: line 2 (bidder Z), column interview_date: found '22/11/2016'; "
        "expected a date such as 2016-11-22",
        "o.csv: line 2 (bidder Z), column panel: found unknown evaluator 'E9'; "
        "expected one of E1, E2, E3",
        "o.csv: line 2 (bidder Z), column clarification: found nothing; "
        "expected what the bidder clarified",
        "o.csv: line 2 (bidder Z), column criterion_id: found unknown criterion 'Q9'; "
        "expected one of Q1, Q2, Q3, Q4",
        "o.csv: line 2 (bidder Z), column revised_mark: found mark 11; "
        "expected a mark from 0 to 10 (whole marks)",
        "o.csv: line 3 (bidder A), column panel: found nothing; "
        "expected the evaluator ids who attended, separated by ';' (E1;E2)",
        "o.csv: line 3 (bidder A), column criterion_id: found nothing beside a revised mark; "
        "expected the criterion whose mark was revised",
        "o.csv: line 3 (bidder A), column rationale: found nothing beside a revised mark; "
        "expected why the panel revised the mark",
        "o.csv: line 5 (bidder B), column criterion_id: found a second revised mark for B Q2 "
        "(first at line 4); expected one revised mark per bidder and criterion",
    ]


def test_missing_columns_named(pest):
    tender, _ = pest
    with pytest.raises(TenderInputError, match=r"missing: criterion_id, revised_mark, rationale"):
        check_outcomes(pd.DataFrame(columns=COLUMNS[:4]), "o.csv", tender, IDS)


def test_revision_applies_to_a_copy_and_keeps_the_earlier_mark(pest):
    tender, inputs = pest
    original = inputs.moderated.copy(deep=True)
    outcomes = check_outcomes(
        _frame([["B", "2016-11-22", "E1;E2;E3", "Survey method", "Q1", "7", "Survey set out"]]),
        "o.csv",
        tender,
        IDS,
    )
    revised = revised_moderated(inputs.moderated, outcomes, "o.csv")
    pd.testing.assert_frame_equal(inputs.moderated, original)  # the input is untouched
    row = revised[(revised["bidder_id"] == "B") & (revised["criterion_id"] == "Q1")].iloc[0]
    assert row["moderated_mark"] == "7"
    assert row["rationale"].startswith(
        "Revised from 5 after the clarification interview on 2016-11-22: Survey set out"
    )
    before = evaluate(tender, inputs.bids, inputs.marks, inputs.moderated)
    after = evaluate(tender, inputs.bids, inputs.marks, revised)
    # B gains 2 marks × 1.2 = 2.4 points: 79.1 → 81.5, ahead of A's 80.3.
    rows = {r.bidder_id: r for r in before_after(before, after)}
    assert rows["B"].total_before == pytest.approx(79.1)
    assert rows["B"].total_after == pytest.approx(81.5)
    assert rows["B"].total_change == pytest.approx(2.4)
    assert (rows["B"].rank_before, rows["B"].rank_after) == (2, 1)
    assert rows["A"].total_change == pytest.approx(0)
    assert changes(before, outcomes) == [
        Revised("B", "Q1", 5.0, 7.0, "Survey set out", date(2016, 11, 22))
    ]
    assert changes(before, outcomes)[0].as_json() == {
        "bidder_id": "B",
        "criterion_id": "Q1",
        "from": 5.0,
        "to": 7.0,
        "rationale": "Survey set out",
        "interview_date": "2016-11-22",
    }
    assert leader_sentence(before, after, 1) == (
        "1 moderated mark revised; first place moves from A to B."
    )


def test_revision_of_an_unmoderated_mark_is_refused(pest):
    tender, inputs = pest
    outcomes = check_outcomes(
        _frame([["B", "2016-11-22", "E1", "x", "Q1", "7", "y"]]), "o.csv", tender, IDS
    )
    partial = inputs.moderated[inputs.moderated["bidder_id"] != "B"]
    with pytest.raises(TenderInputError, match="which has no moderated mark"):
        revised_moderated(partial, outcomes, "o.csv")


def test_a_revision_that_ties_first_place_says_a_decision_is_needed(pest):
    # B Q1 5 → 6 gains 1.2 points: 80.3 each, and the reference states no tie-break.
    tender, inputs = pest
    outcomes = check_outcomes(
        _frame([["B", "2016-11-22", "E1;E2;E3", "Survey", "Q1", "6", "Survey described"]]),
        "o.csv",
        tender,
        IDS,
    )
    before = evaluate(tender, inputs.bids, inputs.marks, inputs.moderated)
    after = evaluate(
        tender, inputs.bids, inputs.marks, revised_moderated(inputs.moderated, outcomes, "o.csv")
    )
    assert leader_sentence(before, after, 1) == (
        "1 moderated mark revised; A and B now share first place on equal totals, and no "
        "stated tie-break separates them: the panel must decide."
    )
