"""Evaluated prices from a schedule of rates or a multi-part offer: pure, no I/O.

The prices table is long (`bidder_id, line_id, rate`, text as read) and is checked a
column at a time, as the marks are. Exactness and speed come from one representation:
every rate is parsed, vectorised, into an integer count of 10^-d units (d the most
decimals in the file, at most 6), and every quantity (volume × years) into an integer
too, so each extension and each bid's basket is an exact integer sum computed by numpy
(int64 when the largest possible basket fits, Python integers otherwise) and becomes a
Decimal only at the end. Only the few per-bid steps of a multi-part expression (a
percentage, a discount factor) are done in Decimal, one bid at a time, at Decimal's
28 significant digits: never rounded to pence. The float the price formulas score is
taken from that Decimal. A later lot carries its own `Schedule` or `Components`, and
this kernel prices it alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import display
from .errors import Problem, shorten
from .marks import Axis, ProblemList, id_codes, require_columns, row_label, scatter
from .model import ADJUSTMENT_ID, Components, Schedule

PRICE_COLUMNS = ["bidder_id", "line_id", "rate"]  # and an optional `note`
MAX_DECIMALS = 6
MAX_WHOLE_DIGITS = 12
RATE_PATTERN = rf"-?\d{{1,{MAX_WHOLE_DIGITS}}}(\.\d{{1,{MAX_DECIMALS}}})?"
PriceModel = Schedule | Components
BoolArray = npt.NDArray[np.bool_]

OFFERED = "offered"
HIGHEST_OTHER = "missing: priced at the highest rate offered for it by the other compliant bids"
STATED = "missing: priced at the rate the tender states for a missing line"


@dataclass(frozen=True)
class TraceLine:
    """One line (or part) of one bid's evaluated price, as the bid and the rules give it.

    `quantity` is volume × years (schedule lines only); `extension` is rate × quantity.
    """

    bidder_id: str
    line_id: str
    rate: Decimal | None
    quantity: Decimal | None
    extension: Decimal | None
    basis: str
    note: str = ""  # from the prices file's optional `note` column (a correction made)


@dataclass(frozen=True)
class Pricing:
    """Every bid's evaluated price and how it was reached, line by line.

    `evaluated[i]` is None when bid i is not evaluated: `reasons[i]` says why (a missing
    line under the non-compliant rule). `rates` holds integer units of 10^-`decimals`,
    bids × lines; `basis` codes each cell: 0 offered, 1 highest other, 2 stated, -1 none.
    """

    model: PriceModel
    bidder_ids: tuple[str, ...]
    line_ids: tuple[str, ...]
    evaluated: tuple[Decimal | None, ...]
    reasons: tuple[str, ...]
    rates: npt.NDArray[Any]
    basis: npt.NDArray[np.int8]
    decimals: int
    quantities: tuple[Decimal | None, ...]
    total_published: Decimal | None = None
    notes: dict[tuple[int, int], str] = field(default_factory=dict)  # (bid, line) → note

    def rate(self, bid: int, line: int) -> Decimal | None:
        """The rate counted for a bid's line (offered or filled by the rule), if any."""
        if self.basis[bid, line] < 0:
            return None
        return tidy(Decimal(int(self.rates[bid, line])).scaleb(-self.decimals))

    def trace(self, bid: int) -> list[TraceLine]:
        """The lines of bid `bid` (position in the bids file), in the definition's order."""
        out = []
        words = (OFFERED, HIGHEST_OTHER, STATED)
        for line, line_id in enumerate(self.line_ids):
            rate = self.rate(bid, line)
            quantity = self.quantities[line]
            code = int(self.basis[bid, line])
            out.append(
                TraceLine(
                    self.bidder_ids[bid],
                    line_id,
                    rate,
                    quantity,
                    None if rate is None or quantity is None else tidy(rate * quantity),
                    "no rate" if code < 0 else words[code],
                    self.notes.get((bid, line), ""),
                )
            )
        return out

    def traces(self) -> Iterator[TraceLine]:
        """Every bid's lines, bids in file order."""
        for bid in range(len(self.bidder_ids)):
            yield from self.trace(bid)

    def working(self, bid: int, currency: str = "GBP") -> str:
        """How bid `bid`'s evaluated price follows from its lines, in one sentence, its
        amounts shown as money in `currency` (`display.money`: half-up to pence)."""
        if self.evaluated[bid] is None:
            return f"not evaluated: {self.reasons[bid]}"
        return _working(self, bid, currency)


def price_bids(
    spec: PriceModel,
    bidder_ids: list[str],
    compliant: BoolArray,
    prices: pd.DataFrame,
    file: str,
    first_line: int = 2,
) -> tuple[Pricing | None, list[Problem]]:
    """Check the prices table and evaluate every bid's price under `spec`.

    `compliant` marks the bids passing every pass/fail requirement: only they supply
    the highest rate offered for a line a bid left unpriced (`highest_other`).
    Returns (None, problems) when the table cannot be used.
    """
    problems = ProblemList(file)
    if not require_columns(prices, PRICE_COLUMNS, problems):
        return None, problems.done()
    prices = prices.reset_index(drop=True)
    line_ids = _line_ids(spec)
    axes = [
        Axis("bidder_id", "bidder", pd.Index(bidder_ids)),
        Axis("line_id", "line", pd.Index(line_ids)),
    ]
    codes = id_codes(prices, axes, first_line, problems)
    units, decimals = _rate_units(spec, prices, axes, first_line, problems)
    positions, counts = scatter(
        codes, np.arange(len(prices), dtype=np.float64), axes, prices, first_line, problems
    )
    if problems.items:
        return None, problems.done()
    given = counts > 0
    rates = np.zeros(given.shape, dtype=units.dtype)
    rates[given] = units[positions[given].astype(np.int64)]
    basis = np.where(given, 0, -1).astype(np.int8)
    missing = spec.missing_line
    reasons = [""] * len(bidder_ids)
    if missing.rule == "stated":
        assert missing.rate is not None
        rates[~given] = int(missing.rate.scaleb(decimals))
        basis[~given] = 2
    elif missing.rule == "highest_other":
        offered = given & compliant[:, None]
        for line in np.flatnonzero((~given).any(axis=0)):
            column = rates[offered[:, line], line]
            if column.size:
                rates[~given[:, line], line] = column.max()
                basis[~given[:, line], line] = 1
    for bid in np.flatnonzero((basis < 0).any(axis=1)):
        lines = ", ".join(line_ids[i] for i in np.flatnonzero(basis[bid] < 0))
        reasons[bid] = (
            f"no rate for line {lines}: the tender states a bid missing a line is non-compliant"
            if missing.rule == "non_compliant"
            else f"no rate for line {lines}, and no other compliant bid priced it"
        )
    pricing = _evaluate(spec, bidder_ids, line_ids, rates, basis, decimals, reasons)
    if "note" in prices.columns:
        pricing = replace(pricing, notes=_notes(prices, given, positions))
    return pricing, problems.done()


def _notes(
    prices: pd.DataFrame, given: BoolArray, positions: npt.NDArray[np.float64]
) -> dict[tuple[int, int], str]:
    """The optional `note` of each row given (a correction collect-prices made), by cell."""
    text = prices["note"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
    out = {}
    for bid, line in zip(*np.nonzero(given), strict=True):
        note = text[int(positions[bid, line])]
        if note:
            out[(int(bid), int(line))] = str(note)
    return out


def _line_ids(spec: PriceModel) -> list[str]:
    if isinstance(spec, Components):
        return [part.id for part in spec.parts]
    if spec.basis == "adjustment":
        return [ADJUSTMENT_ID]
    return [line.id for line in spec.lines]


def _rate_units(
    spec: PriceModel,
    prices: pd.DataFrame,
    axes: list[Axis],
    first_line: int,
    problems: ProblemList,
) -> tuple[npt.NDArray[np.int64], int]:
    """Each row's rate as integer units of 10^-d, d the most decimals used; bad rates named."""
    text = prices["rate"].astype(str).str.strip()
    plain = text.str.fullmatch(RATE_PATTERN).to_numpy(dtype=bool)
    negative = text.str.startswith("-").to_numpy(dtype=bool)
    allow_negative = isinstance(spec, Schedule) and spec.basis == "adjustment"
    dot = text.str.find(".").to_numpy(dtype=np.int64)
    places = np.where(dot < 0, 0, text.str.len().to_numpy(dtype=np.int64) - dot - 1)
    places = np.where(plain, places, 0)
    stated = spec.missing_line.rate
    stated_decimals = _decimals(stated) if stated is not None else 0
    decimals = max(int(places.max(initial=0)), stated_decimals)
    units = np.zeros(len(text), dtype=np.int64)
    if plain.any():
        digits = text[plain].str.replace(".", "", regex=False).astype(np.int64).to_numpy()
        units[plain] = digits * 10 ** (decimals - places[plain])
    low = -100 * 10**decimals if allow_negative else 0
    bad = ~plain | (units < low) | (negative & ~allow_negative)
    bad |= _over_hundred(spec, prices, units, decimals)
    wrong = np.flatnonzero(bad)
    problems.skip(len(wrong) - problems.room)
    for pos in wrong[: problems.room]:
        value = str(text.iat[int(pos)])
        problems.add(
            f"{row_label(prices, int(pos), axes, first_line)}, column rate",
            "no rate" if value == "" else shorten(value),
            _expected_rate(spec, str(prices["line_id"].iat[int(pos)])),
        )
    return units, decimals


def _over_hundred(
    spec: PriceModel, prices: pd.DataFrame, units: npt.NDArray[np.int64], decimals: int
) -> BoolArray:
    """Rows giving an income share above 100 %."""
    if not (isinstance(spec, Components) and spec.expression == "income_share"):
        return np.zeros(len(units), dtype=bool)
    share = (prices["line_id"].astype(str) == "share").to_numpy(dtype=bool)
    return np.asarray(share & (units > 100 * 10**decimals), dtype=bool)


def _expected_rate(spec: PriceModel, line_id: str) -> str:
    plain = (
        f"digits with an optional decimal point (at most {MAX_WHOLE_DIGITS} before it and "
        f"{MAX_DECIMALS} after; no currency sign, no thousands separator)"
    )
    if isinstance(spec, Schedule) and spec.basis == "adjustment":
        return f"a percentage of -100 or more, as {plain}, such as -5.0"
    if isinstance(spec, Components) and spec.expression == "income_share" and line_id == "share":
        return f"a percentage from 0 to 100, as {plain}"
    return f"a rate of 0 or more, as {plain}"


def _evaluate(
    spec: PriceModel,
    bidder_ids: list[str],
    line_ids: list[str],
    rates: npt.NDArray[np.int64],
    basis: npt.NDArray[np.int8],
    decimals: int,
    reasons: list[str],
) -> Pricing:
    scale = Decimal(1).scaleb(-decimals)
    quantities: tuple[Decimal | None, ...] = tuple(None for _ in line_ids)
    total_published = None
    usable = np.flatnonzero(~(basis < 0).any(axis=1))
    evaluated: list[Decimal | None] = [None] * len(bidder_ids)
    if isinstance(spec, Schedule) and spec.basis == "rates":
        quantities = tuple(tidy(line.volume * spec.years) for line in spec.lines)
        _price_baskets(evaluated, usable, rates, quantities, decimals)
    elif isinstance(spec, Schedule):
        total_published = sum(
            ((line.published_rate or Decimal(0)) * line.volume * spec.years for line in spec.lines),
            Decimal(0),
        )
        for bid in usable:
            percent = int(rates[bid, 0]) * scale
            evaluated[bid] = tidy(total_published * (100 + percent) / 100)
    else:
        _price_parts(evaluated, usable, spec, line_ids, rates, scale)
    return Pricing(
        model=spec,
        bidder_ids=tuple(bidder_ids),
        line_ids=tuple(line_ids),
        evaluated=tuple(evaluated),
        reasons=tuple(reasons),
        rates=rates,
        basis=basis,
        decimals=decimals,
        quantities=quantities,
        total_published=None if total_published is None else tidy(total_published),
    )


def _price_baskets(
    evaluated: list[Decimal | None],
    usable: npt.NDArray[np.intp],
    rates: npt.NDArray[np.int64],
    quantities: tuple[Decimal | None, ...],
    decimals: int,
) -> None:
    """Each usable bid's rates times the schedule's quantities, summed exactly."""
    baskets = _baskets(rates, quantities)
    qscale = max((_decimals(q) for q in quantities if q is not None), default=0)
    for bid in usable:
        evaluated[bid] = tidy(Decimal(int(baskets[bid])).scaleb(-decimals - qscale))


def _price_parts(
    evaluated: list[Decimal | None],
    usable: npt.NDArray[np.intp],
    spec: Components,
    line_ids: list[str],
    rates: npt.NDArray[np.int64],
    scale: Decimal,
) -> None:
    """Each usable bid's parts combined as the price model states, at 28 digits."""
    parts = {part_id: i for i, part_id in enumerate(line_ids)}
    with localcontext() as context:
        context.prec = 28
        for bid in usable:
            values = {p: int(rates[bid, i]) * scale for p, i in parts.items()}
            evaluated[bid] = tidy(_combine(spec, values))


def tidy(value: Decimal) -> Decimal:
    """The same amount without trailing zeros (92448.000000 → 92448), never in E notation."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _decimals(value: Decimal) -> int:
    return max(0, -int(value.as_tuple().exponent))


def _baskets(rates: npt.NDArray[np.int64], quantities: tuple[Decimal | None, ...]) -> Any:
    """Σ rate units × quantity units per bid, exactly: int64 when it cannot overflow."""
    qscale = max((_decimals(q) for q in quantities if q is not None), default=0)
    q_units = [int((q or Decimal(0)).scaleb(qscale)) for q in quantities]
    bound = int(np.abs(rates).max(initial=0)) * max(q_units, default=0) * max(1, len(q_units))
    if bound < 2**62:
        return rates @ np.array(q_units, dtype=np.int64)
    return rates.astype(object) @ np.array(q_units, dtype=object)


def _combine(spec: Components, values: dict[str, Decimal]) -> Decimal:
    """A multi-part offer's evaluated price under the stated expression."""
    if spec.expression == "sum":
        return sum(values.values(), Decimal(0))
    if spec.expression == "income_share":
        assert spec.scenario is not None
        over = max(Decimal(0), spec.scenario.turnover - values["threshold"])
        return values["guarantee"] + values["share"] / 100 * over
    assert spec.discount_rate is not None
    assert spec.years is not None
    factor = 1 + spec.discount_rate / 100
    running = sum((values["running"] / factor**t for t in range(1, spec.years + 1)), Decimal(0))
    return values["purchase"] + running


def discount_factors(rate_percent: Decimal, years: int) -> list[Decimal]:
    """1 ÷ (1 + r)^t for t = 1…years: the weights whole-life cost puts on running costs."""
    factor = 1 + rate_percent / 100
    return [1 / factor**t for t in range(1, years + 1)]


def _working(pricing: Pricing, bid: int, currency: str) -> str:
    spec = pricing.model
    price = pricing.evaluated[bid]
    assert price is not None

    def money(value: Decimal | None) -> str:
        return display.money(value, currency)

    if isinstance(spec, Schedule) and spec.basis == "rates":
        return (
            f"Σ rate × volume a year × {spec.years} year{'s' if spec.years != 1 else ''} "
            f"over {len(spec.lines)} line{'s' if len(spec.lines) != 1 else ''} = {money(price)}"
        )
    rate = pricing.rate(bid, 0)
    if isinstance(spec, Schedule):
        return (
            f"published schedule total {money(pricing.total_published)} × "
            f"(1 {_signed(rate)} %) = {money(price)}"
        )
    values = {p: pricing.rate(bid, i) for i, p in enumerate(pricing.line_ids)}
    if spec.expression == "sum":
        return " + ".join(money(values[p]) for p in pricing.line_ids) + f" = {money(price)}"
    if spec.expression == "income_share":
        assert spec.scenario is not None
        return (
            f"guarantee {money(values['guarantee'])} + {values['share']:f} % × max(0, assumed "
            f"turnover {money(spec.scenario.turnover)} − threshold "
            f"{money(values['threshold'])}) = {money(price)}"
        )
    return (
        f"purchase {money(values['purchase'])} + Σ running {money(values['running'])} ÷ "
        f"(1 + {spec.discount_rate:f} %)^t for t = 1…{spec.years} = {money(price)}"
    )


def _signed(value: Decimal | None) -> str:
    value = value or Decimal(0)
    return f"− {-value:f}" if value < 0 else f"+ {value:f}"
