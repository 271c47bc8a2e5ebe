"""The tender definition models: scale arithmetic, hierarchy, and their refusals."""

import pytest
from pydantic import ValidationError

from tender.model import Criterion, Scale, Weights


def test_scale_allows_marks_on_its_steps():
    scale = Scale(maximum=10)
    assert scale.allows(7)
    assert not scale.allows(7.5)
    assert not scale.allows(11)
    assert scale.allowed_marks() == list(range(11))
    half = Scale(maximum=5, step=0.5)
    assert half.allows(2.5)
    assert half.describe() == "a mark from 0 to 5 in steps of 0.5"
    assert Scale(maximum=4, step=None).allowed_marks() is None


def test_scale_refuses_a_step_that_does_not_fit():
    with pytest.raises(ValidationError, match="found step 3; expected a step that divides 0-10"):
        Scale(maximum=10, step=3)


def test_weights_must_total_100():
    with pytest.raises(ValidationError, match="found price 60 \\+ quality 30 = 90"):
        Weights(price=60, quality=30)
    assert Weights(price=33.3, quality=66.7).price == 33.3


def test_leaves_walk_the_tree_in_order():
    tree = Criterion(
        id="M",
        title="Method",
        weight=10,
        sub_criteria=[
            Criterion(id="M1", title="a", weight=4),
            Criterion(
                id="M2",
                title="b",
                weight=6,
                sub_criteria=[Criterion(id="M2a", title="c", weight=6)],
            ),
        ],
    )
    assert [c.id for c in tree.leaves()] == ["M1", "M2a"]


def test_minimum_mark_only_on_marked_criteria():
    with pytest.raises(ValidationError, match="minimum_mark on M, which has sub-criteria"):
        Criterion(
            id="M",
            title="x",
            weight=1,
            minimum_mark=2,
            sub_criteria=[Criterion(id="M1", title="y", weight=1)],
        )


def lots_definition(**lot: object) -> dict[str, object]:
    """A small definition with two lots; `lot` overrides the second lot's keys."""
    return {
        "schema_version": 1,
        "tender": {"reference": "L-1", "title": "Lots", "authority": "Council"},
        "weights": {"price": 60.0, "quality": 40.0},
        "price": {"formula": {"name": "lowest_price"}},
        "quality": {
            "scale": {"maximum": 10.0},
            "criteria": [{"id": "Q1", "title": "Quality", "weight": 40.0}],
        },
        "lots": [
            {"id": "1", "title": "North", "data": {"bids": "north.csv"}},
            {"id": "2", "title": "South", "data": {"bids": "south.csv"}, **lot},
        ],
    }


def test_a_lot_inherits_what_it_does_not_state_and_names_its_own_data():
    from tender.model import Tender

    tender = Tender.model_validate(
        lots_definition(
            weights={"price": 70.0, "quality": 30.0},
            quality={
                "scale": {"maximum": 5.0},
                "criteria": [{"id": "S1", "title": "Safety", "weight": 30.0}],
            },
        )
    )
    assert tender.lot_ids() == ["1", "2"]
    north, south = tender.lot("1"), tender.lot("2")
    assert (north.weights.price, north.quality.criteria[0].id) == (60.0, "Q1")
    assert (south.weights.price, south.quality.criteria[0].id) == (70.0, "S1")
    assert (north.data.bids, south.data.bids) == ("north.csv", "south.csv")
    assert north.lots == []
    assert north.award is None
    assert south.this_lot is not None
    assert south.this_lot.title == "South"
    assert south.tender.title == "Lots, lot 2: South"
    assert south.tender.reference == "L-1"
    assert tender.this_lot is None
    with pytest.raises(KeyError):
        tender.lot("3")


def test_a_lot_has_its_own_estimated_value_never_the_whole_procurements():
    from decimal import Decimal

    from tender.model import Tender

    data = lots_definition(estimated_value=40000)
    data["contract"] = {"estimated_value": 90000}
    tender = Tender.model_validate(data)
    assert tender.contract.estimated_value == Decimal(90000)
    assert tender.lot("2").contract.estimated_value == Decimal(40000)
    assert tender.lot("1").contract.estimated_value is None, "lot 1 states none"
    with pytest.raises(ValidationError) as caught:
        Tender.model_validate(lots_definition(estimated_value=-1))
    (error,) = caught.value.errors()
    assert error["loc"] == ("lots", 1, "estimated_value")


def test_a_lot_is_validated_as_a_whole_tender():
    from tender.model import Tender

    with pytest.raises(ValidationError) as caught:
        Tender.model_validate(lots_definition(weights={"price": 70.0, "quality": 30.0}))
    (error,) = caught.value.errors()
    assert error["ctx"]["loc"] == ("lots", 1)
    assert error["ctx"]["found"] == "lot 2: quality criteria weights totalling 40"
    assert error["ctx"]["expected"] == "the quality weight, 30"


def test_lot_ids_are_unique_and_award_rules_need_lots():
    from tender.model import Tender

    with pytest.raises(ValidationError, match="lot id \\(in any case\\) '1' used twice"):
        Tender.model_validate(lots_definition(id="1", title="Again"))
    mixed = lots_definition(id="north")
    mixed["lots"][0]["id"] = "North"  # type: ignore[index]
    with pytest.raises(ValidationError, match="'north' used twice"):  # one folder on Windows
        Tender.model_validate(mixed)
    with pytest.raises(ValidationError, match=r"lot id 'COM1\.x'; expected an id Windows"):
        Tender.model_validate(lots_definition(id="COM1.x"))
    data = lots_definition()
    data["award"] = {"max_lots_per_bidder": 0}
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        Tender.model_validate(data)
    data["award"] = {"allocation": "by_lottery"}
    with pytest.raises(ValidationError, match="lot_order"):
        Tender.model_validate(data)
    del data["lots"]
    data["data"] = {"bids": "bids.csv"}
    data["award"] = {"max_lots_per_bidder": 1}
    with pytest.raises(ValidationError, match="award only in a definition with lots"):
        Tender.model_validate(data)
