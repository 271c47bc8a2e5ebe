"""Sensitivity of the result to the weights: closed form, no sampling. Pure; no I/O.

With compliance held fixed, each bid's total is a straight line in the price weight w
(quality weight 100 − w): total(w) = 100·q + w·(p − q), where p is the bid's price score
as a fraction of the price weight and q its quality score as a fraction of the quality
weight. The leader over w is the upper envelope of these lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .price import score_prices
from .ranking import comparable
from .scoring import Evaluation

FloatArray = npt.NDArray[np.float64]
TOTAL_WEIGHT = 100.0


@dataclass(frozen=True)
class Lines:
    """total(w) = intercept + slope × w for each ranked bid (w = price weight, 0-100)."""

    bidder_ids: list[str]
    intercept: FloatArray
    slope: FloatArray

    def at(self, price_weight: float) -> FloatArray:
        """Every bid's total at `price_weight`."""
        return self.intercept + self.slope * price_weight


@dataclass(frozen=True)
class Crossover:
    """At `price_weight` the lead passes from `before` (just below) to `after` (just above)."""

    price_weight: float
    before: str
    after: str


def price_weight_lines(ev: Evaluation) -> Lines:
    """The line of each ranked bid's total against the price weight."""
    table = ev.table
    ranked = (table["rank"] > 0).to_numpy()
    tender = ev.tender
    price = table["price"].to_numpy(dtype=np.float64)
    fraction = np.zeros(len(table))
    scoreable = ranked & ~np.isnan(price)
    fraction[scoreable] = score_prices(price[scoreable], 1.0, tender.price.formula)
    quality = table["quality_score"].to_numpy(dtype=np.float64) / tender.weights.quality
    q = quality[ranked]
    return Lines(
        list(table.loc[ranked, "bidder_id"]),
        TOTAL_WEIGHT * q,
        fraction[ranked] - q,
    )


def leader_at(lines: Lines, price_weight: float) -> int:
    """Index of the leading line at `price_weight` (ties: the one rising fastest)."""
    totals = comparable(lines.at(price_weight))
    best = np.flatnonzero(totals == totals.max())
    return int(best[np.argmax(lines.slope[best])])


def crossovers(lines: Lines, low: float = 0.0, high: float = TOTAL_WEIGHT) -> list[Crossover]:
    """Every price weight in [low, high] where the leader changes, in increasing order.

    Walks the upper envelope: from the current leader, the next leader is the line with
    a steeper slope that overtakes it soonest.
    """
    if not lines.bidder_ids:
        return []
    out: list[Crossover] = []
    at = low
    current = leader_at(lines, low)
    while True:
        steeper = lines.slope > lines.slope[current]
        if not steeper.any():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            meet = (lines.intercept[current] - lines.intercept) / (
                lines.slope - lines.slope[current]
            )
        meet = np.where(steeper & (meet >= at - 1e-12), meet, np.inf)
        when = float(meet.min())
        if when > high:
            break
        candidates = np.flatnonzero(comparable(meet) == comparable(np.float64(when)))
        successor = int(candidates[np.argmax(lines.slope[candidates])])
        out.append(Crossover(when, lines.bidder_ids[current], lines.bidder_ids[successor]))
        current, at = successor, when
    return out
