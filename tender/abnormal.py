"""Abnormally low tenders (PCR 2015 reg 69; Procurement Act 2023 s.34), and the income mirror.

A compliant bid priced far below the others must be explained by the bidder before it
can be accepted or rejected, and the decision is recorded. Two screens:

- percentage: more than `percent` % below the mean (or median) of the *other* compliant
  bids (default 20 % below the mean);
- Scottish test: more than 15 % below the average of the compliant bids excluding the
  highest, and more than 1 % below the next lowest bid.

For income contracts (the highest offer is best) an offer abnormally far *above* the
others is the risk, and both screens are mirrored; there the screens run only when the
definition switches them on (`screens_on`). Screens and decision checks are pure; the
decisions file is read by the caller. The legal citation follows the tender's regime
(`citation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from .display import money
from .errors import Problem, raise_if, shorten
from .model import AbnormallyLow, Tender
from .price import FORMULAS

if TYPE_CHECKING:
    from .scored import Scored

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
SCOTTISH_AVERAGE = 15.0
SCOTTISH_NEXT = 1.0
DECISION_COLUMNS = ["bidder_id", "explanation", "decision", "reason", "decided_on"]
DECISIONS = ("accepted", "rejected")
CITATIONS: dict[str, str | None] = {
    "pcr2015": "PCR 2015 reg 69",
    "pa2023": "Procurement Act 2023 s.34",
    "local_rules": None,  # the authority's own rules: no statute to cite
}


def screens_on(tender: Tender, config: AbnormallyLow | None = None) -> bool:
    """Whether the abnormal-price screens run: as `enabled` says (in `config`, by default
    the tender's `abnormally_low`), or when unset, for every price formula but
    `highest_offer` (a high offer is the aim there)."""
    enabled = (config or tender.abnormally_low).enabled
    if enabled is not None:
        return enabled
    return tender.price.formula.name != "highest_offer"


def citation(tender: Tender) -> str | None:
    """The provision on abnormally low tenders under the tender's regime (None: local rules)."""
    return CITATIONS[tender.tender.regime]


def others(prices: FloatArray, basis: str) -> FloatArray:
    """Mean or median of every *other* price, per bid (NaN when there is no other).

    O(n log n): with the prices sorted, leaving out the bid at sorted position k shifts
    every later position down by one, so the median of the rest is read off directly.
    """
    n = prices.size
    if n < 2:
        return np.full(n, np.nan)
    if basis == "mean":
        return np.asarray((prices.sum() - prices) / (n - 1), dtype=np.float64)
    order = np.argsort(prices, kind="stable")
    ordered = prices[order]
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    rest = n - 1

    def kth_of_rest(j: int) -> FloatArray:
        return ordered[np.where(j < position, j, j + 1)]

    if rest % 2:
        return kth_of_rest(rest // 2)
    return (kth_of_rest(rest // 2 - 1) + kth_of_rest(rest // 2)) / 2


def percent_screen(
    prices: FloatArray, basis: str, percent: float, better: str
) -> tuple[BoolArray, FloatArray]:
    """Bids more than `percent` % below (cost) or above (income) the others' mean/median."""
    reference = others(prices, basis)
    with np.errstate(invalid="ignore"):
        if better == "lower":
            flags = prices < reference * (1 - percent / 100)
        else:
            flags = prices > reference * (1 + percent / 100)
    return np.asarray(flags & ~np.isnan(reference)), reference


def scottish_screen(prices: FloatArray, better: str) -> tuple[BoolArray, float, FloatArray]:
    """The Scottish test on prices (mirrored for income): (flags, average, next price).

    Cost: average of all bids but the highest; next = the lowest price above the bid's.
    Income: average of all bids but the lowest; next = the highest offer below it.
    """
    n = prices.size
    flags = np.zeros(n, dtype=bool)
    nxt = np.full(n, np.nan)
    if n < 3:
        return flags, float("nan"), nxt
    ordered = np.sort(prices)
    kept = ordered[:-1] if better == "lower" else ordered[1:]
    average = float(kept.mean())
    distinct = np.unique(ordered)
    if better == "lower":
        at = np.searchsorted(distinct, prices, side="right")
        has = at < distinct.size
        nxt[has] = distinct[at[has]]
        with np.errstate(invalid="ignore"):
            flags = (prices < average * (1 - SCOTTISH_AVERAGE / 100)) & (
                prices < nxt * (1 - SCOTTISH_NEXT / 100)
            )
    else:
        at = np.searchsorted(distinct, prices, side="left") - 1
        has = at >= 0
        nxt[has] = distinct[at[has]]
        with np.errstate(invalid="ignore"):
            flags = (prices > average * (1 + SCOTTISH_AVERAGE / 100)) & (
                prices > nxt * (1 + SCOTTISH_NEXT / 100)
            )
    return np.asarray(flags & ~np.isnan(nxt)), average, nxt


def flags(prices: FloatArray, better: str, config: AbnormallyLow) -> BoolArray:
    """True for each of `prices` (the compliant, priced bids) that a screen flags."""
    flagged, _ = percent_screen(prices, config.basis, config.percent, better)
    if config.scottish:
        flagged = flagged | scottish_screen(prices, better)[0]
    return flagged


def screen_prices(
    prices: FloatArray, better: str, currency: str, config: AbnormallyLow
) -> dict[int, list[str]]:
    """Reasons per flagged position of `prices` (the compliant, priced bids)."""
    word = "below" if better == "lower" else "above"
    reasons: dict[int, list[str]] = {}
    flags, reference = percent_screen(prices, config.basis, config.percent, better)
    for i in np.flatnonzero(flags):
        off = abs(prices[i] / reference[i] - 1) * 100
        reasons.setdefault(int(i), []).append(
            f"{money(prices[i], currency)} is {off:.1f}% {word} the {config.basis} of the "
            f"other compliant bids ({money(_pence(reference[i]), currency)}; "
            f"threshold {config.percent:g}%)"
        )
    if config.scottish:
        flags, average, nxt = scottish_screen(prices, better)
        excluding = "highest" if better == "lower" else "lowest"
        neighbour = "next lowest" if better == "lower" else "next highest"
        for i in np.flatnonzero(flags):
            off = abs(prices[i] / average - 1) * 100
            gap = abs(prices[i] / nxt[i] - 1) * 100
            reasons.setdefault(int(i), []).append(
                f"Scottish test: {off:.1f}% {word} the average excluding the {excluding} "
                f"({money(_pence(average), currency)}; more than 15%) and {gap:.1f}% {word} "
                f"the {neighbour} bid ({money(nxt[i], currency)}; more than 1%)"
            )
    return reasons


@dataclass(frozen=True)
class Decision:
    """The authority's recorded decision on a bidder's explanation."""

    bidder_id: str
    explanation: str
    decision: str
    reason: str
    decided_on: date | None


@dataclass(frozen=True)
class Finding:
    """A bid the screens flag, with the figures and where the decision stands."""

    bidder_id: str
    price: float
    direction: str  # "low" or "high"
    reasons: list[str]
    status: str  # "explanation required", "accepted" or "rejected"
    decision: Decision | None

    def sentence(self) -> str:
        """One line for a report."""
        text = f"{self.bidder_id}: abnormally {self.direction}: " + "; ".join(self.reasons)
        if self.decision is None:
            return text + ". The bidder's explanation is required before it can be accepted."
        d = self.decision
        when = f" on {d.decided_on.isoformat()}" if d.decided_on else ""
        text += f". Explanation: {d.explanation}. Decision{when}: {d.decision}"
        return text + (f" ({d.reason})." if d.reason else ".")


def screen(
    ev: Scored, config: AbnormallyLow, decisions: dict[str, Decision] | None = None
) -> list[Finding]:
    """Every compliant, priced bid flagged by a configured screen, in bids-file order
    (none when the screens are off, see `screens_on`)."""
    if not screens_on(ev.tender, config):
        return []
    table = ev.table
    better = FORMULAS[ev.tender.price.formula.name].better
    compliant = (~table["is_excluded"] & table["price"].notna()).to_numpy()
    ids = table["bidder_id"].to_numpy()[compliant]
    prices = table["price"].to_numpy(dtype=np.float64)[compliant]
    flagged = screen_prices(prices, better, ev.tender.tender.currency, config)
    reasons: dict[str, list[str]] = {str(i): [] for i in ids}
    for position, texts in flagged.items():
        reasons[str(ids[position])] = texts
    found = []
    decisions = decisions or {}
    for bidder, price in zip(ids, prices, strict=True):
        if not reasons[str(bidder)]:
            continue
        decision = decisions.get(str(bidder))
        found.append(
            Finding(
                bidder_id=str(bidder),
                price=float(price),
                direction="low" if better == "lower" else "high",
                reasons=reasons[str(bidder)],
                status=decision.decision if decision else "explanation required",
                decision=decision,
            )
        )
    return found


def _pence(value: float) -> float:
    return round(float(value), 2)


def check_decisions(frame: pd.DataFrame, name: str, bidder_ids: list[str]) -> dict[str, Decision]:
    """Validate the decisions file (bidder_id, explanation, decision, reason, decided_on).

    Raises:
        TenderInputError: every problem, naming the line and column.
    """
    problems: list[Problem] = []
    missing = [c for c in DECISION_COLUMNS if c not in frame.columns]
    if missing:
        raise_if(
            [
                Problem(
                    name,
                    "header",
                    f"columns {', '.join(frame.columns) or 'none'}",
                    f"columns {', '.join(DECISION_COLUMNS)} (missing: {', '.join(missing)})",
                )
            ]
        )
    out: dict[str, Decision] = {}
    for position, row in enumerate(frame[DECISION_COLUMNS].itertuples(index=False)):
        bidder, explanation, decision, reason, decided = (str(v).strip() for v in row)
        where = f"line {position + 2} (bidder {bidder})"

        def add(column: str, found: str, expected: str, where: str = where) -> None:
            problems.append(Problem(name, f"{where}, column {column}", found, expected))

        if bidder not in bidder_ids:
            add("bidder_id", f"unknown bidder {shorten(bidder)}", f"one of {', '.join(bidder_ids)}")
        elif bidder in out:
            add("bidder_id", f"a second decision for {bidder}", "one decision per bidder")
        if not explanation:
            add("explanation", "nothing", "a summary of the bidder's explanation")
        if decision not in DECISIONS:
            add("decision", shorten(decision), "accepted or rejected")
        if decision == "rejected" and not reason:
            add("reason", "nothing", "the reason for rejecting the bid")
        when = None
        if decided:
            try:
                when = date.fromisoformat(decided)
            except ValueError:
                add("decided_on", shorten(decided), "a date such as 2016-11-30, or blank")
        out.setdefault(bidder, Decision(bidder, explanation, decision, reason, when))
    raise_if(problems)
    return out
