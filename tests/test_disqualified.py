"""Why a bid was disqualified, as published: the tender's own rule, never the panel's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tender.disqualified import reasons
from tender.workflows.evaluation import evaluate_file
from tests.conftest import copy_example, exclude_by_decision, use_decisions

ROOT = Path(__file__).resolve().parents[1]
CLEANING = "office-cleaning-2026"


@pytest.fixture
def cleaning(tmp_path: Path) -> Path:
    """A copy of the schedule-of-rates example (pa2023; D fails the SAFE requirement)."""
    return copy_example(CLEANING, tmp_path)


def reasons_of(definition: Path) -> dict[str, str]:
    run = evaluate_file(definition)
    return reasons(run.evaluation, run.inputs.bids, run.inputs.decisions)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_failed_requirement_is_named_with_its_description_not_the_answer(
    cleaning: Path,
) -> None:
    assert reasons_of(cleaning) == {
        "D": "did not meet the pass/fail requirement SAFE: Health and safety accreditation "
        "(SafeContractor or equivalent)"
    }


def test_under_the_authoritys_own_rules_no_reason_is_stated(cleaning: Path) -> None:
    edit(cleaning, "regime: pa2023", "regime: local_rules")
    assert reasons_of(cleaning) == {}


def test_an_unpriced_line_under_the_non_compliant_rule_names_the_line(cleaning: Path) -> None:
    edit(cleaning, "rule: highest_other ", "rule: non_compliant ")
    # C prices L1, L2 and L4, not L3 (prices.csv)
    assert reasons_of(cleaning)["C"] == (
        "left L3 (Washroom deep clean) unpriced, which the tender states makes a bid non-compliant"
    )


def test_a_quality_minimum_names_the_minimum_not_the_mark(cleaning: Path) -> None:
    edit(cleaning, "      weight: 30\n", "      weight: 30\n      minimum_mark: 7\n")
    found = reasons_of(cleaning)
    # B's moderated Q1 mark is 6: below 7; A (8) and C (7) reach it
    assert (
        found["B"] == "did not reach the minimum mark of 7 for Q1 (Method statement and staffing)"
    )
    assert sorted(found) == ["B", "D"]
    assert "6" not in found["B"]


def test_a_rejection_as_abnormally_low_cites_the_provision_not_the_reasoning(
    reference: Path,
) -> None:
    edit(reference, "regime: local_rules", "regime: pcr2015")
    use_decisions(
        reference,
        "bidder_id,explanation,decision,reason,decided_on\n"
        "F,Staff costs below the living wage,rejected,Cannot be delivered at that price,"
        "2016-12-01\n",
    )
    found = reasons_of(reference)
    assert found == {
        "F": "was rejected as abnormally low after its explanation was considered "
        "(Public Contracts Regulations 2015 reg 69)"
    }


def test_a_decision_recorded_in_the_bids_file_is_stated_without_its_text(
    reference: Path, project: Path
) -> None:
    edit(reference, "regime: local_rules", "regime: pa2023")
    exclude_by_decision(project, "E", "Late: received 12:04")
    assert reasons_of(reference) == {"E": "was excluded by a recorded decision of the authority"}
