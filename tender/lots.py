"""A procurement divided into lots: each lot's evaluation, and who is awarded which lot.

Each lot is evaluated exactly as a tender is (`Tender.lot` makes it one, `scoring.evaluate`
scores, ranks and flags it), independently of the others; this module only gathers the
lots' evaluations and awards them under the definition's `award` rules with
`allocation.allocate`. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .allocation import Allocation, Award, Standing, allocate
from .errors import Problem, raise_if
from .model import AwardRules, Tender
from .scoring import Evaluation


@dataclass(frozen=True)
class LotsEvaluation:
    """Every lot's evaluation, in the definition's lot order, and the allocation.

    `tender` is the whole definition; each evaluation's `tender` is its lot as an ordinary
    definition (`Tender.lot`, with `this_lot` set). `allocation.awards` holds one `Award`
    per lot in the same order: the bidder (None: left unawarded), its rank and total on the
    lot, and the reason in words a letter can quote.
    """

    tender: Tender
    lots: tuple[Evaluation, ...]
    allocation: Allocation

    @property
    def lot_ids(self) -> list[str]:
        """The lots' ids, in lot order."""
        return self.tender.lot_ids()

    @property
    def provisional(self) -> bool:
        """True while any lot's quality scores are provisional (not yet moderated)."""
        return any(ev.provisional for ev in self.lots)

    def lot(self, lot_id: str) -> Evaluation:
        """The evaluation of lot `lot_id`.

        Raises:
            KeyError: no lot has that id.
        """
        return self.lots[self._index(lot_id)]

    def award(self, lot_id: str) -> Award:
        """Who lot `lot_id` is awarded to, and why.

        Raises:
            KeyError: no lot has that id.
        """
        return self.allocation.awards[self._index(lot_id)]

    def lots_won(self, bidder_id: str) -> list[str]:
        """The lots awarded to `bidder_id`, in lot order."""
        return self.allocation.lots_of(bidder_id)

    def lots_bid(self, bidder_id: str) -> list[str]:
        """The lots `bidder_id` bid for (listed in the lot's bids file), in lot order."""
        return [
            lot_id
            for lot_id, ev in zip(self.lot_ids, self.lots, strict=True)
            if bidder_id in set(ev.table["bidder_id"])
        ]

    def _index(self, lot_id: str) -> int:
        ids = self.lot_ids
        if lot_id not in ids:
            raise KeyError(lot_id)
        return ids.index(lot_id)


def bidder_problems(evaluations: Sequence[Evaluation]) -> list[Problem]:
    """Each bidder id must name one organisation in every lot, and each organisation bid
    under one id: the cap on lots per bidder counts lots by id."""
    names: dict[str, tuple[str, str, str]] = {}  # id → (folded name, name, lot)
    ids: dict[str, tuple[str, str]] = {}  # folded name → (id, lot)
    problems: list[Problem] = []
    for ev in evaluations:
        lot = ev.tender.this_lot.id if ev.tender.this_lot else "?"
        for bidder_id, name in zip(ev.table["bidder_id"], ev.table["bidder"], strict=True):
            bidder_id, name = str(bidder_id), str(name)
            folded = " ".join(name.split()).casefold()
            seen = names.setdefault(bidder_id, (folded, name, lot))
            other = ids.setdefault(folded, (bidder_id, lot))
            where = f"bidder {bidder_id} (lot {lot})"
            if seen[0] != folded:
                found = f"the name {name!r}, but {seen[1]!r} under that id in lot {seen[2]}"
            elif other[0] != bidder_id:
                found = f"the name {name!r}, bid under id {other[0]!r} in lot {other[1]}"
            else:
                continue
            problems.append(
                Problem(ev.tender.data.bids, where, found, "one id per organisation in every lot")
            )
    return problems


def award_rules(tender: Tender) -> AwardRules:
    """The definition's award rules; unstated: no cap, lot by lot."""
    return tender.award if tender.award is not None else AwardRules()


def standings(lot_id: str, ev: Evaluation, keep: int | None = None) -> list[Standing]:
    """The lot's ranked bids, best first, as the allocation reads them.

    With `keep`, only the first `keep` ranks' bids (and any sharing the last rank kept):
    with L lots, no more than L − 1 bidders can be at the cap elsewhere, so each lot's
    award, under either rule, is among its best L bids; the rest never change it.
    """
    table = ev.table
    ranks = table["rank"].to_numpy()
    chosen = ranks > 0
    if keep is not None and int(chosen.sum()) > keep:
        last = np.partition(ranks[chosen], keep - 1)[keep - 1]  # no sort of every bid
        chosen &= ranks <= last
    ranked = table[chosen].sort_values(["rank", "bidder_id"])
    return [
        Standing(lot_id, str(bidder), int(rank), float(total))
        for bidder, rank, total in zip(
            ranked["bidder_id"], ranked["rank"], ranked["total_score"], strict=True
        )
    ]


def allocate_lots(tender: Tender, evaluations: Sequence[Evaluation]) -> LotsEvaluation:
    """Award every lot of `tender` from its evaluation, under the definition's award rules.

    `evaluations` are the lots' evaluations in the definition's lot order. A lot with no
    ranked bid, or whose ranked bidders all hold their maximum of lots, is left unawarded
    with the reason.

    Raises:
        ValueError: evaluations that are not one per lot in lot order.
        TenderInputError: a bidder id naming different organisations in different lots, or
            one organisation under different ids (the cap counts lots by id).
    """
    ids = tender.lot_ids()
    given = [ev.tender.this_lot.id if ev.tender.this_lot else None for ev in evaluations]
    if given != ids:
        raise ValueError(f"evaluations of lots {given}; expected one per lot, in order {ids}")
    raise_if(bidder_problems(evaluations))
    rules = award_rules(tender)
    found = [
        s
        for lot_id, ev in zip(ids, evaluations, strict=True)
        for s in standings(lot_id, ev, keep=len(ids))
    ]
    allocation = allocate(ids, found, rules.max_lots_per_bidder, rules.allocation)
    awarded = tuple(
        ev.replaced(award=award) for ev, award in zip(evaluations, allocation.awards, strict=True)
    )
    return LotsEvaluation(tender, awarded, allocation)
