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
