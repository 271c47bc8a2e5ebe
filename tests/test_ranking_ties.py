"""Exact ties: the stated tie-break orders them; with none stated they are flagged, not ordered."""

from __future__ import annotations

import pytest

from tender.sensitivity import Case

# Lowest price, weights 60/40, one criterion Q1 worth 40 (4 points a mark).
#   A £100, mark 5: 60 + 20 = 80
#   B £150, mark 10: 60 × 100/150 = 40, + 40 = 80
#   C £200, mark 5: 30 + 20 = 50
PRICES = {"A": 100, "B": 150, "C": 200}
MODERATED = {"A": {"Q1": 5}, "B": {"Q1": 10}, "C": {"Q1": 5}}


def _table(tiny, tie_break):
    tender = tiny.tender({"Q1": 40}, ranking={"tie_break": tie_break})
    bids, _, moderated = tiny.tables(PRICES, MODERATED)
    return Case(tender, bids, None, moderated).evaluate().table.set_index("bidder_id")


def test_tie_without_a_stated_rule_is_shared_and_flagged(tiny):
    table = _table(tiny, [])
    assert table.loc["A", "total_score"] == pytest.approx(80)
    assert table.loc["B", "total_score"] == pytest.approx(80)
    assert list(table["rank"]) == [1, 1, 3]
    assert list(table["is_exact_tie"]) == [True, True, False]
    assert list(table["shares_rank"]) == [True, True, False]


def test_higher_quality_breaks_the_tie(tiny):
    table = _table(tiny, ["higher_quality"])
    assert list(table["rank"]) == [2, 1, 3]  # B's quality 40 beats A's 20
    assert list(table["is_exact_tie"]) == [True, True, False]  # still reported as a tie
    assert not table["shares_rank"].any()


def test_better_price_breaks_the_tie(tiny):
    table = _table(tiny, ["better_price"])
    assert list(table["rank"]) == [1, 2, 3]  # A's £100 is the lower price


def test_rules_apply_in_the_stated_order(tiny):
    # Higher quality first decides for B, whatever the price rule says after it.
    assert list(_table(tiny, ["higher_quality", "better_price"])["rank"]) == [2, 1, 3]
    assert list(_table(tiny, ["better_price", "higher_quality"])["rank"]) == [1, 2, 3]


def test_better_price_on_an_income_contract_means_the_higher_offer(tiny):
    # Highest offer, weights 60/40: A offers 150 with mark 5 → 60 + 20 = 80;
    # B offers 100 with mark 10 → 60 × 100/150 + 40 = 80.
    tender = tiny.tender(
        {"Q1": 40}, formula="highest_offer", ranking={"tie_break": ["better_price"]}
    )
    bids, _, moderated = tiny.tables({"A": 150, "B": 100}, {"A": {"Q1": 5}, "B": {"Q1": 10}})
    table = Case(tender, bids, None, moderated).evaluate().table
    assert list(table["total_score"]) == pytest.approx([80, 80])
    assert list(table["rank"]) == [1, 2]  # the higher income offer wins


def test_tie_flag_notes_say_a_decision_is_needed(tiny):
    tender = tiny.tender({"Q1": 40})
    bids, _, moderated = tiny.tables(PRICES, MODERATED)
    records = [r.as_json() for r in Case(tender, bids, None, moderated).evaluate().records()]
    assert "exact-tie" in records[0]["flags"]
    assert (
        "Exact tie on total with B: no tie-break rule is stated, so the rank is shared and "
        "needs a decision." in records[0]["notes"]
    )
