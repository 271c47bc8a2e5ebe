"""Rounding for display: half-up, once, at the edge; totals shown are the sum of the parts shown.

Scores stay full precision everywhere else. A float is rounded through its shortest
decimal form (``repr``), so 0.35 shows as 0.4 as a person would expect.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal

SCORE_PLACES = 1
PENNY = Decimal("0.01")


def half_up(value: float, places: int = SCORE_PLACES) -> Decimal:
    """`value` rounded half-up to `places` decimal places."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def plain(number: Decimal) -> str:
    """A rounded number as printed in committee tables: '57' not '57.0', '35.7'."""
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return str(number.normalize())


def score(value: float | None, places: int = SCORE_PLACES) -> str:
    """A score for display, or '–' when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return plain(half_up(value, places))


def mark(value: float | None) -> str:
    """A mark as the panel gave it ('7', '6.5'), or '–' when there is none.

    Marks are on the scale's steps, so they are shown as stored, never rounded.
    """
    if value is None or math.isnan(value):
        return "–"
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def change(value: float | None, places: int = SCORE_PLACES) -> str:
    """A signed change of score ('+1.2', '-0.3'), '0' when it rounds to nothing, '–' if none."""
    if value is None or math.isnan(value):
        return "–"
    shown = half_up(value, places)
    if shown == 0:
        return "0"
    return ("+" if shown > 0 else "") + plain(shown)


def shown_total(parts: list[float], places: int = SCORE_PLACES) -> Decimal:
    """The total as displayed: the sum of the parts as displayed, so a table adds up."""
    return sum((half_up(p, places) for p in parts), Decimal(0))


def money(amount: Decimal | float | None, currency: str = "GBP") -> str:
    """An amount of money for display: '£12,000' or '£12,000.50'.

    The one place money is shown: rounded half-up to pence (£0.125 shows as £0.13, never
    the half-even £0.12), a float through its shortest decimal form, and a whole amount
    after rounding without pence. The evaluation keeps amounts exact; only this rounds.
    """
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "–"
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency, currency + " ")
    value = amount if isinstance(amount, Decimal) else Decimal(repr(float(amount)))
    if value != value.to_integral_value():  # enough digits for any amount's pence
        digits = Context(prec=max(28, value.adjusted() + 3))
        value = value.quantize(PENNY, rounding=ROUND_HALF_UP, context=digits)
    if value == value.to_integral_value():
        return f"{symbol}{value:,.0f}"
    return f"{symbol}{value:,.2f}"


SENTENCE_ENDS = (".", "!", "?", "…")


def count(number: int, noun: str) -> str:
    """'1 ranked bid', '9,950 ranked bids': a count with its noun, plural when not one."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def sentence(text: str, stop: str = ".") -> str:
    """`text` closed with `stop`, never doubling a full stop it already ends with.

    A name or a reason may end in its own stop ('Łódź Usługi Sanitarne Sp. z o.o.',
    'Acme Inc.'): the sentence then ends 'Sp. z o.o.', never 'o.o..'. Another stop (';',
    ':') follows the abbreviation's point as written.
    """
    if stop == "." and text.rstrip().endswith(SENTENCE_ENDS):
        return text.rstrip()
    return text + stop


def public_names(
    ids: list[str], names: list[str], winners: set[str], label: str, anonymise: bool
) -> dict[str, str]:
    """Names for public documents: with `anonymise`, only winners are named.

    A winner shows as 'Company A (Goodwin Pest Management)'; another bidder as 'Company B'.
    A name equal to its label is not repeated.
    """
    out = {}
    for bidder_id, name in zip(ids, names, strict=True):
        tag = label.format(bidder_id=bidder_id)
        if not anonymise:
            out[bidder_id] = name
        elif bidder_id in winners and name != tag:
            out[bidder_id] = f"{tag} ({name})"
        else:
            out[bidder_id] = tag
    return out
