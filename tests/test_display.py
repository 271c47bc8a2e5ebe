"""Display rounding: half-up, once, and tables that add up."""

from decimal import Decimal

import pytest

from tender import display


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.35, "0.4"),
        (2.25, "2.3"),
        (2.349999, "2.3"),
        (57.0, "57"),
        (35.7, "35.7"),
        (19.95, "20"),
        (-0.05, "-0.1"),
        (float("nan"), "–"),
    ],
)
def test_score_half_up(value, shown):
    assert display.score(value) == shown


def test_shown_total_is_the_sum_of_the_parts_shown():
    # 1.04 + 1.04 = 2.08 would round to 2.1; the parts show 1.0 and 1.0.
    assert display.shown_total([1.04, 1.04]) == Decimal("2.0")


def test_money():
    assert display.money(Decimal("12000")) == "£12,000"
    assert display.money(Decimal("1234.5")) == "£1,234.50"
    assert display.money(None) == "–"
    assert display.money(Decimal("5"), "EUR") == "€5"


@pytest.mark.parametrize(
    ("text", "stop", "closed"),
    [
        (
            "awarded to Łódź Usługi Sanitarne Sp. z o.o.",
            ".",
            "awarded to Łódź Usługi Sanitarne Sp. z o.o.",
        ),
        ("awarded to Acme Ltd", ".", "awarded to Acme Ltd."),
        ("awarded to Yahoo!", ".", "awarded to Yahoo!"),
        ("awarded to Acme Inc. ", ".", "awarded to Acme Inc."),
        ("led by Acme Inc.", ";", "led by Acme Inc.;"),  # an abbreviation's point, then ';'
        ("answered 'no'", ".", "answered 'no'."),
    ],
)
def test_a_sentence_never_doubles_the_stop_a_name_ends_with(text, stop, closed):
    assert display.sentence(text, stop) == closed


def test_money_rounds_half_up_to_pence():
    assert display.money(Decimal("12801.625")) == "£12,801.63"  # half-even would give .62
    assert display.money(0.125) == "£0.13"
    assert display.money(Decimal("99.995")) == "£100"


def test_public_names_name_only_the_winner():
    names = display.public_names(
        ["A", "B"], ["Goodwin Pest Management", "Company B"], {"A"}, "Company {bidder_id}", True
    )
    assert names == {"A": "Company A (Goodwin Pest Management)", "B": "Company B"}
    plain = display.public_names(["A"], ["Goodwin"], {"A"}, "Company {bidder_id}", False)
    assert plain == {"A": "Goodwin"}


@pytest.mark.parametrize(
    ("value", "shown"),
    [(7.0, "7"), (6.5, "6.5"), (0.1, "0.1"), (None, "–"), (float("nan"), "–")],
)
def test_marks_are_shown_as_given(value, shown):
    assert display.mark(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    # half-up on the shortest decimal form: +0.05 shows as +0.1, -0.04 as 0, 2.45 as +2.5
    [(2.4, "+2.4"), (0.05, "+0.1"), (-0.04, "0"), (-0.05, "-0.1"), (2.45, "+2.5"), (None, "–")],
)
def test_changes_are_signed_and_rounded_half_up(value, shown):
    assert display.change(value) == shown
