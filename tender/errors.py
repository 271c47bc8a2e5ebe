"""Input problems and the single exception that carries them.

Every reader gathers all the problems it finds before raising, so a user fixes a file
in one pass instead of one error per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located precisely enough to fix it.

    `where` is a field path (``quality.criteria[1].weight``), a row
    (``row 12 (bidder C, criterion Q2, evaluator E3)``) or a cell (``Marking!D14``).
    """

    file: str
    where: str
    found: str
    expected: str

    def __str__(self) -> str:
        location = f"{self.file}: {self.where}" if self.where else self.file
        return f"{location}: found {self.found}; expected {self.expected}"


class TenderError(Exception):
    """Base of every error the library raises on purpose."""


class TenderInputError(TenderError):
    """One or more inputs are unusable; `problems` lists every one found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[TenderInputError], tuple[list[Problem]]]:
        """Rebuilt from its problems, so one raised in a worker process arrives whole."""
        return (type(self), (self.problems,))


def raise_if(problems: list[Problem]) -> None:
    """Raise a TenderInputError carrying `problems`, if there are any."""
    if problems:
        raise TenderInputError(problems)


def shorten(value: object, limit: int = 60) -> str:
    """Quote a found value for a message, cut to `limit` characters."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def exact(value: float) -> str:
    """A number as stored, every digit kept (4, 4.5, 4.0000000001): messages never round."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
