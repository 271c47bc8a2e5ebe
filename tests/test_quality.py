"""Quality scores: weight × mark ÷ scale maximum, rolled up."""

import numpy as np
import pytest

from tender.model import Criterion, QualitySpec, Scale
from tender.quality import quality_scores, rolled_up

SPEC = QualitySpec(
    scale=Scale(maximum=5),
    criteria=[
        Criterion(
            id="A",
            title="a",
            weight=30,
            sub_criteria=[
                Criterion(id="A1", title="a1", weight=20),
                Criterion(id="A2", title="a2", weight=10),
            ],
        ),
        Criterion(id="B", title="b", weight=10),
    ],
)


def test_weighted_sum_hand_computed():
    marks = np.array([[5.0, 0.0, 2.5], [1.0, 1.0, 1.0]])
    # 20×5/5 + 10×0/5 + 10×2.5/5 = 25; 4 + 2 + 2 = 8
    assert quality_scores(marks, SPEC).tolist() == pytest.approx([25, 8])


def test_parents_are_the_sum_of_their_children():
    marks = np.array([[5.0, 0.0, 2.5]])
    scores = rolled_up(marks, SPEC)
    assert list(scores) == ["A", "A1", "A2", "B"]
    assert scores["A"][0] == pytest.approx(20)
    assert scores["A"][0] + scores["B"][0] == pytest.approx(quality_scores(marks, SPEC)[0])
