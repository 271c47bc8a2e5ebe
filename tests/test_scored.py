"""The shape of an evaluation the kernels read: scoring's Evaluation has it."""

from __future__ import annotations

from pathlib import Path

from tender.scored import Scored
from tender.workflows.evaluation import evaluate_file


def test_an_evaluation_is_what_the_kernels_read(reference: Path) -> None:
    assert isinstance(evaluate_file(reference).evaluation, Scored)


def test_something_else_is_not() -> None:
    assert not isinstance(object(), Scored)
