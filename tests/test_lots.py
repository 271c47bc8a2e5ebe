"""Lots: each lot evaluated on its own, the lots awarded under the stated cap and rule."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tender.errors import TenderInputError
from tender.lots import LotsEvaluation, allocate_lots, award_rules, standings
from tender.model import Tender
from tender.scoring import Evaluation, evaluate

LOTS = ("1", "2", "3")
BIDDERS = ("A", "B", "C")


def definition(cap: int | None = 1, rule: str = "lot_order") -> Tender:
    """Price 60 (lowest price) + quality 40 (one criterion, marks 0-10); three lots."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "tender": {"reference": "LOTS-1", "title": "Lots", "authority": "Council"},
        "weights": {"price": 60.0, "quality": 40.0},
        "price": {"formula": {"name": "lowest_price"}},
        "quality": {
            "scale": {"maximum": 10.0},
            "criteria": [{"id": "Q1", "title": "Quality", "weight": 40.0}],
        },
        "requirements": [{"id": "R1", "description": "Insured", "column": "insured"}],
        "lots": [
            {"id": lot, "title": f"Lot {lot}", "data": {"bids": f"{lot}.csv"}} for lot in LOTS
        ],
        "award": {"max_lots_per_bidder": cap, "allocation": rule},
    }
    return Tender.model_validate(data)


def lot_evaluation(
    tender: Tender,
    lot: str,
    bids: dict[str, tuple[int, int]],
    failing: frozenset[str] = frozenset(),
) -> Evaluation:
    """Lot `lot` evaluated from {bidder: (price, moderated mark)}; `failing` fail R1."""
    frame = pd.DataFrame(
        {
            "bidder_id": list(bids),
            "bidder": [f"Bidder {b}" for b in bids],
            "price": [float(price) for price, _ in bids.values()],
            "insured": ["no" if b in failing else "yes" for b in bids],
        }
    )
    moderated = pd.DataFrame(
        {
            "bidder_id": list(bids),
            "criterion_id": ["Q1"] * len(bids),
            "moderated_mark": [str(mark) for _, mark in bids.values()],
            "rationale": ["Reasons."] * len(bids),
        }
    )
    return evaluate(tender.lot(lot), frame, None, moderated)


def evaluated(tender: Tender, lots: dict[str, dict[str, tuple[int, int]]]) -> LotsEvaluation:
    return allocate_lots(tender, [lot_evaluation(tender, lot, lots[lot]) for lot in LOTS])


# A tops lots 1 and 2; B tops lot 3. Totals = 60 × lowest / price + 4 × mark:
#   lot 1: A 60 + 32 = 92; B 60 × 100/110 + 24 = 78.545...; C 60 × 100/120 + 36 = 86
#   lot 2: A 60 + 36 = 96; B 60 × 100/125 + 32 = 80;        C 60 × 100/200 + 20 = 50
#   lot 3: A 60 × 100/105 + 20 = 77.142...; B 60 + 28 = 88
CASE = {
    "1": {"A": (100, 8), "B": (110, 6), "C": (120, 9)},
    "2": {"A": (100, 9), "B": (125, 8), "C": (200, 5)},
    "3": {"A": (105, 5), "B": (100, 7)},
}


def test_each_lot_is_ranked_on_its_own_and_awarded_by_lot_order_under_the_cap() -> None:
    result = evaluated(definition(cap=1, rule="lot_order"), CASE)
    assert result.lot("1").table.set_index("bidder_id")["total_score"].to_dict() == pytest.approx(
        {"A": 92.0, "B": 60 * 100 / 110 + 24, "C": 86.0}
    )
    # lot 1 to A (first); lot 2: A holds its one lot, so B (second); lot 3: B holds lot 2,
    # so A (second) — but A holds lot 1: nobody is left, the lot is not awarded.
    assert [(a.lot_id, a.bidder_id, a.rank) for a in result.allocation.awards] == [
        ("1", "A", 1),
        ("2", "B", 2),
        ("3", None, None),
    ]
    assert result.award("1").reason == "ranked 1st on this lot"
    assert result.award("2").reason == (
        "ranked 2nd on this lot; the better-ranked A (lot 1) is already awarded earlier lots "
        "up to the cap of 1 lot per bidder"
    )
    assert result.award("3").reason == (
        "every bidder ranked on this lot is awarded other lots up to the cap of 1 lot per bidder"
    )


def test_best_total_awards_the_most_lots_with_the_highest_sum() -> None:
    result = evaluated(definition(cap=1, rule="best_total"), CASE)
    # Every lot can be awarded only as {1: C, 2: A, 3: B}: 86 + 96 + 88 = 270 (the
    # alternatives leave a lot unawarded), so lot 1 goes to C, ranked second.
    assert [(a.lot_id, a.bidder_id) for a in result.allocation.awards] == [
        ("1", "C"),
        ("2", "A"),
        ("3", "B"),
    ]
    assert result.lots_won("A") == ["2"]
    assert result.lots_bid("C") == ["1", "2"]


def test_without_award_rules_each_lot_goes_to_its_first_ranked_bidder() -> None:
    tender = definition().model_copy(update={"award": None})
    assert award_rules(tender).max_lots_per_bidder is None
    result = evaluated(tender, CASE)
    assert [a.bidder_id for a in result.allocation.awards] == ["A", "A", "B"]


def test_a_lot_with_no_ranked_bid_is_left_unawarded_with_the_reason() -> None:
    tender = definition()
    evaluations = [lot_evaluation(tender, lot, CASE[lot]) for lot in LOTS]
    no_bids = lot_evaluation(tender, "3", {"A": (100, 5)}, frozenset({"A"}))  # fails R1
    result = allocate_lots(tender, [*evaluations[:2], no_bids])
    assert standings("3", no_bids) == []
    assert result.award("3").bidder_id is None
    assert result.award("3").reason == "no eligible bid was ranked on this lot"


def test_evaluations_must_be_one_per_lot_in_lot_order() -> None:
    tender = definition()
    evaluations = [lot_evaluation(tender, lot, CASE[lot]) for lot in LOTS]
    with pytest.raises(ValueError, match="one per lot"):
        allocate_lots(tender, evaluations[::-1])
    with pytest.raises(KeyError):
        allocate_lots(tender, evaluations).lot("4")


prices = st.integers(min_value=50, max_value=500)
marks = st.integers(min_value=0, max_value=10)
lot_bids = st.dictionaries(
    st.sampled_from(BIDDERS), st.tuples(prices, marks), min_size=1, max_size=len(BIDDERS)
)
cases = st.fixed_dictionaries({lot: lot_bids for lot in LOTS})


@given(cases, st.sampled_from(LOTS), lot_bids)
def test_changing_one_lots_bids_changes_no_other_lots_scores(
    case: dict[str, dict[str, tuple[int, int]]], changed: str, bids: dict[str, tuple[int, int]]
) -> None:
    tender = definition()
    before = evaluated(tender, case)
    after = evaluated(tender, {**case, changed: bids})
    for lot in LOTS:
        if lot != changed:
            pd.testing.assert_frame_equal(before.lot(lot).table, after.lot(lot).table)


@given(cases, st.integers(min_value=1, max_value=3), st.sampled_from(["lot_order", "best_total"]))
def test_the_allocation_never_exceeds_max_lots_per_bidder(
    case: dict[str, dict[str, tuple[int, int]]], cap: int, rule: str
) -> None:
    result = evaluated(definition(cap=cap, rule=rule), case)
    for bidder in BIDDERS:
        assert len(result.lots_won(bidder)) <= cap
        assert set(result.lots_won(bidder)) <= set(result.lots_bid(bidder))
    for award in result.allocation.awards:
        if award.bidder_id is not None:
            ranked = result.lot(award.lot_id).ranked
            assert award.bidder_id in set(ranked["bidder_id"])


many_bids = st.dictionaries(
    st.sampled_from([f"B{i}" for i in range(8)]),
    st.tuples(st.integers(50, 60), st.integers(0, 2)),
    min_size=1,
    max_size=8,
)


@given(
    st.fixed_dictionaries({lot: many_bids for lot in LOTS}),
    st.integers(min_value=1, max_value=2),
    st.sampled_from(["lot_order", "best_total"]),
)
def test_only_each_lots_best_bids_as_many_as_lots_can_decide_an_award(
    case: dict[str, dict[str, tuple[int, int]]], cap: int, rule: str
) -> None:
    """Narrow prices and marks give many near and exact ties among eight bidders."""
    from tender.allocation import allocate

    tender = definition(cap=cap, rule=rule)
    result = evaluated(tender, case)
    every = [s for lot in LOTS for s in standings(lot, result.lot(lot))]
    assert result.allocation == allocate(list(LOTS), every, cap, rule)  # type: ignore[arg-type]


def test_one_bidder_id_names_one_organisation_in_every_lot() -> None:
    tender = definition()
    renamed = lot_evaluation(tender, "2", CASE["2"])
    renamed.table.loc[renamed.table["bidder_id"] == "B", "bidder"] = "Someone Else Ltd"
    moved = lot_evaluation(tender, "3", CASE["3"])
    moved.table.loc[moved.table["bidder_id"] == "A", "bidder_id"] = "Z"
    with pytest.raises(TenderInputError) as caught:
        allocate_lots(tender, [lot_evaluation(tender, "1", CASE["1"]), renamed, moved])
    assert [(p.file, p.where, p.found) for p in caught.value.problems] == [
        (
            "2.csv",
            "bidder B (lot 2)",
            "the name 'Someone Else Ltd', but 'Bidder B' under that id in lot 1",
        ),
        ("3.csv", "bidder Z (lot 3)", "the name 'Bidder A', bid under id 'A' in lot 1"),
    ]


def test_names_differing_only_in_case_and_spacing_are_one_organisation() -> None:
    tender = definition()
    spaced = lot_evaluation(tender, "2", CASE["2"])
    spaced.table.loc[spaced.table["bidder_id"] == "A", "bidder"] = "  BIDDER   a "
    result = allocate_lots(
        tender,
        [lot_evaluation(tender, "1", CASE["1"]), spaced, lot_evaluation(tender, "3", CASE["3"])],
    )
    assert result.lots_bid("A") == ["1", "2", "3"]
