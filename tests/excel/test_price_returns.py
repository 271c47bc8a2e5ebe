"""Money cells of a pricing return read exactly as shown, or refused naming the cell."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tender.excel.price_returns import Correction, _amount
from tender.marks import ProblemList


def read(value: object) -> tuple[Decimal | None, list[str]]:
    problems = ProblemList("r.xlsx")
    amount = _amount(["L1", "x", "u", "1", value], 4, "Pricing!E2", problems)
    return amount, [str(p) for p in problems.done()]


@pytest.mark.parametrize(
    ("value", "amount"),
    [(85.0, "85"), (65.5, "65.5"), (0.1, "0.1"), (1234.567891, "1234.567891"), ("", None)],
)
def test_a_number_is_the_decimal_it_shows(value: object, amount: str | None) -> None:
    got, problems = read(value)
    assert problems == []
    assert got == (None if amount is None else Decimal(amount))


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("£80", "found '£80' (text)"),
        (True, "found 'True'"),
        (-5.0, "found -5"),
        (0.1234567, "found 0.1234567"),
        (float("inf"), "found 'inf'"),
    ],
)
def test_anything_else_is_refused_naming_the_cell(value: object, found: str) -> None:
    got, problems = read(value)
    assert got is None
    assert problems[0].startswith(f"r.xlsx: Pricing!E2: {found}; expected an amount of 0 or more")


def test_a_correction_says_what_prevailed() -> None:
    text = str(Correction("Pricing!F4", "L3", "1021.8", Decimal("10218")))
    assert text == (
        "Pricing!F4 (line L3): extended total 1021.8 corrected to 10218, rate × quantity "
        "(the rate prevails)"
    )
