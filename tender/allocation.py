"""Awarding lots under a cap on lots per bidder, by a rule stated before the bids were opened.

Each lot is evaluated and ranked on its own; this module only decides who is awarded which
lot when one bidder tops more lots than `max_lots_per_bidder` allows. Two rules:

- `lot_order`: each lot in turn, in the order the tender lists them, goes to its
  highest-ranked bidder not yet at the cap.
- `best_total`: the allocation that awards the most lots, and among those the highest sum of
  the winners' total scores; equal sums are settled lot by lot in lot order, preferring the
  lot's better-ranked bidder (then the lower bidder id). Solved exactly: scores are compared
  as whole numbers of 10⁻⁹ points, the ranking's own tie precision, and each candidate is
  tested with SciPy's assignment solver against the optimum.

Awarding as many lots as possible comes first because an unawarded lot means procuring it
again; a council states otherwise by capping nothing. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from .ranking import TIE_DECIMALS

Rule = Literal["lot_order", "best_total"]
RULES: dict[str, str] = {
    "lot_order": "each lot in turn, in lot order, to its highest-ranked bidder not yet at the cap",
    "best_total": (
        "the allocation with the highest sum of the winners' total scores, ties settled in "
        "lot order"
    ),
}
_UNITS = 10**TIE_DECIMALS


@dataclass(frozen=True)
class Standing:
    """One eligible, ranked bid on one lot, as the lot's own evaluation ranked it."""

    lot_id: str
    bidder_id: str
    rank: int
    total: float


@dataclass(frozen=True)
class Award:
    """Who a lot goes to (None: no eligible bidder is left under the cap) and why."""

    lot_id: str
    bidder_id: str | None
    rank: int | None
    total: float | None
    reason: str


@dataclass(frozen=True)
class Allocation:
    """The lots' awards, in lot order, under the stated rule."""

    rule: Rule
    max_lots_per_bidder: int | None
    awards: tuple[Award, ...]

    def lots_of(self, bidder_id: str) -> list[str]:
        return [a.lot_id for a in self.awards if a.bidder_id == bidder_id]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _by_lot(lots: Sequence[str], standings: Sequence[Standing]) -> dict[str, list[Standing]]:
    """Each lot's bids, best first: rank, then higher total, then bidder id."""
    known = set(lots)
    out: dict[str, list[Standing]] = {lot: [] for lot in lots}
    for s in standings:
        if s.lot_id not in known:
            raise ValueError(f"a standing for lot {s.lot_id}, which is not one of {list(lots)}")
        out[s.lot_id].append(s)
    for bids in out.values():
        bids.sort(key=lambda s: (s.rank, -s.total, s.bidder_id))
        seen = [s.bidder_id for s in bids]
        if len(set(seen)) != len(seen):
            raise ValueError(f"a bidder ranked twice on lot {bids[0].lot_id}")
    return out


def allocate(
    lots: Sequence[str],
    standings: Sequence[Standing],
    max_lots_per_bidder: int | None,
    rule: Rule,
) -> Allocation:
    """Award every lot under the cap by `rule` (see the module docstring)."""
    if max_lots_per_bidder is not None and max_lots_per_bidder < 1:
        raise ValueError("max_lots_per_bidder must be at least 1")
    ranked = _by_lot(lots, standings)
    cap = max_lots_per_bidder
    if rule == "lot_order":
        choice = _lot_order(lots, ranked, cap)
    else:
        choice = _best_total(lots, ranked, cap)
    awards = tuple(_award(lot, ranked[lot], choice[lot], choice, cap, rule) for lot in lots)
    return Allocation(rule, cap, awards)


def _lot_order(
    lots: Sequence[str], ranked: dict[str, list[Standing]], cap: int | None
) -> dict[str, Standing | None]:
    held: dict[str, int] = {}
    choice: dict[str, Standing | None] = {}
    for lot in lots:
        pick = next((s for s in ranked[lot] if cap is None or held.get(s.bidder_id, 0) < cap), None)
        choice[lot] = pick
        if pick is not None:
            held[pick.bidder_id] = held.get(pick.bidder_id, 0) + 1
    return choice


def _best_total(
    lots: Sequence[str], ranked: dict[str, list[Standing]], cap: int | None
) -> dict[str, Standing | None]:
    """Exact lexicographic optimum: most lots, highest sum, then lot by lot in lot order."""
    bidders = sorted({s.bidder_id for bids in ranked.values() for s in bids})
    seats = min(cap, len(lots)) if cap is not None else len(lots)
    problem = _Assignment(lots, ranked, bidders, seats)
    best = problem.optimum({})
    fixed: dict[int, int | None] = {}
    for i, lot in enumerate(lots):
        options: list[int | None] = [bidders.index(s.bidder_id) for s in ranked[lot]]
        for option in [*options, None]:
            if problem.optimum({**fixed, i: option}) == best:
                fixed[i] = option
                break
    by_id = {lot: {s.bidder_id: s for s in ranked[lot]} for lot in lots}
    return {
        lot: None if fixed[i] is None else by_id[lot][bidders[fixed[i]]]  # type: ignore[index]
        for i, lot in enumerate(lots)
    }


class _Assignment:
    """Lots × bidder seats (each bidder `seats` times) plus one 'not awarded' seat per lot.

    Weights are whole numbers: an award is worth BIG + its score in 10⁻⁹ points, so awarding
    one more lot always outweighs any difference of scores, and sums are exact.
    """

    FORBIDDEN = -(2**60)

    def __init__(
        self,
        lots: Sequence[str],
        ranked: dict[str, list[Standing]],
        bidders: list[str],
        seats: int,
    ) -> None:
        n, b = len(lots), len(bidders)
        self.n, self.b, self.seats = n, b, seats
        score = np.full((n, b), self.FORBIDDEN, dtype=np.int64)
        column = {bid: j for j, bid in enumerate(bidders)}
        for i, lot in enumerate(lots):
            for s in ranked[lot]:
                score[i, column[s.bidder_id]] = round(s.total * _UNITS)
        top = int(score.max(initial=0))
        self.big = n * max(top, 0) + 1
        if self.big * (n + 1) >= 2**53:  # the solver works in float64: stay exact
            raise ValueError("too many lots or too high scores to compare exactly")
        award = np.where(score == self.FORBIDDEN, self.FORBIDDEN, score + self.big)
        self.award = award

    def optimum(self, fixed: dict[int, int | None]) -> int | None:
        """Best total weight with some lots fixed (a bidder column, or None: not awarded)."""
        from scipy.optimize import linear_sum_assignment

        weights = np.repeat(self.award, self.seats, axis=1)
        unawarded = np.full((self.n, self.n), self.FORBIDDEN, dtype=np.int64)
        np.fill_diagonal(unawarded, 0)
        for lot, option in fixed.items():
            weights[lot, :] = self.FORBIDDEN
            unawarded[lot, :] = self.FORBIDDEN
            if option is None:
                unawarded[lot, lot] = 0
            else:
                seats = slice(option * self.seats, (option + 1) * self.seats)
                weights[lot, seats] = self.award[lot, option]
        matrix: npt.NDArray[np.int64] = np.hstack([weights, unawarded])
        rows, cols = linear_sum_assignment(matrix, maximize=True)
        chosen = matrix[rows, cols]
        if (chosen == self.FORBIDDEN).any():
            return None  # the fixed choices cannot all hold
        return int(chosen.sum())


def _award(
    lot: str,
    bids: list[Standing],
    pick: Standing | None,
    choice: dict[str, Standing | None],
    cap: int | None,
    rule: Rule,
) -> Award:
    """The award of one lot with its reason, in words a bidder's letter can quote."""
    capped = f"the cap of {cap} lot{'s' if cap != 1 else ''} per bidder"
    if pick is None:
        if not bids:
            return Award(lot, None, None, None, "no eligible bid was ranked on this lot")
        return Award(
            lot,
            None,
            None,
            None,
            f"every bidder ranked on this lot is awarded other lots up to {capped}",
        )
    if pick.rank == bids[0].rank and pick.bidder_id == bids[0].bidder_id:
        reason = f"ranked {_ordinal(pick.rank)} on this lot"
    else:
        passed = [
            s
            for s in bids
            if (s.rank, -s.total, s.bidder_id) < (pick.rank, -pick.total, pick.bidder_id)
        ]
        held = sorted({s.bidder_id for s in passed})
        elsewhere = ", ".join(
            f"{b} (lot{'s' if len(_held(choice, b)) > 1 else ''} {', '.join(_held(choice, b))})"
            for b in held
        )
        verb = "is" if len(held) == 1 else "are"
        if rule == "lot_order":
            why = f"{verb} already awarded earlier lots up to {capped}"
        else:
            why = (
                f"{verb} awarded other lots, which under {capped} gives the highest sum of "
                "winning scores"
            )
        reason = f"ranked {_ordinal(pick.rank)} on this lot; the better-ranked {elsewhere} {why}"
    return Award(lot, pick.bidder_id, pick.rank, pick.total, reason)


def _held(choice: dict[str, Standing | None], bidder_id: str) -> list[str]:
    return [lot for lot, s in choice.items() if s is not None and s.bidder_id == bidder_id]
