"""Flags and plain-English notes per bid, from an evaluation's table.

Flags are short stable codes for machines; notes are sentences for people. Both are
derived here once so that every output carries the same words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from . import display
from .moderation import PROVISIONAL_RULE

if TYPE_CHECKING:
    from .scored import Scored

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

FLAGS = (
    "excluded",
    "unscored-price",
    "above-budget",
    "abnormal-price",
    "near-tie",
    "range-overlap",
    "corridor",
    "exact-tie",
    "provisional",
)


@dataclass(frozen=True)
class ShownScores:
    """A bid's scores and rank as every document shows them (half-up, or a dash)."""

    price_score: str
    quality_score: str
    total_score: str
    rank: str


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's weighted score for a bid, and its consensus mark if it is marked."""

    score: float | None
    mark: float | None = None
    marked: bool = False  # a leaf criterion: the mark is stated, even when there is none

    def as_json(self) -> dict[str, float | None]:
        return {"mark": self.mark, "score": self.score} if self.marked else {"score": self.score}


@dataclass(frozen=True)
class BidRecord:
    """One bid's results: scores at full precision, what is shown, flags and notes."""

    bidder_id: str
    bidder: str
    price: str | None  # the evaluated price as read (exact), or its float's shortest form
    price_score: float | None
    quality_score: float | None
    total_score: float | None
    rank: int | None  # None: not ranked
    flags: tuple[str, ...]  # codes from FLAGS, in that order
    notes: tuple[str, ...]  # one sentence per flag, and more
    display: ShownScores
    criteria: dict[str, CriterionResult]  # every level, in the definition's order

    def as_json(self) -> dict[str, Any]:
        """The record as results.json writes it, key for key."""
        return {
            "bidder_id": self.bidder_id,
            "bidder": self.bidder,
            "price": self.price,
            "price_score": self.price_score,
            "quality_score": self.quality_score,
            "total_score": self.total_score,
            "rank": self.rank,
            "flags": list(self.flags),
            "notes": list(self.notes),
            "display": {
                "price_score": self.display.price_score,
                "quality_score": self.display.quality_score,
                "total_score": self.display.total_score,
                "rank": self.display.rank,
            },
            "criteria": {k: v.as_json() for k, v in self.criteria.items()},
        }


def _number(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class _Context:
    """What the notes read of the whole table, worked out once per evaluation.

    Every note about one bid that names others (the leader, the near-tied bids, the
    corridor's choice, equal totals) reads these, so the records take one pass over
    the bids instead of one pass per bid.
    """

    ev: Scored

    @cached_property
    def leader_total(self) -> float:
        ranked = self.ev.table["total_score"][self.ev.table["rank"] > 0]
        return float(ranked.max()) if not ranked.empty else math.nan

    @cached_property
    def leaf_position(self) -> dict[str, int]:
        return {leaf.id: k for k, leaf in enumerate(self.ev.tender.quality.leaves())}

    @cached_property
    def abnormal_reasons(self) -> dict[str, list[str]]:
        return _abnormal_reasons(self.ev)

    @cached_property
    def range_leader(self) -> Any:
        """The first-ranked bid as the evaluator-range note names it."""
        table = self.ev.table
        return table.loc[table["rank"] > 0].sort_values("rank").iloc[0]

    @cached_property
    def near_tied(self) -> list[tuple[str, float]]:
        """(bidder_id, total) of every near-tied bid, in bids-file order."""
        table = self.ev.table
        near = table[table["is_near_tie"]]
        return list(zip(near["bidder_id"], near["total_score"].astype(float), strict=True))

    @cached_property
    def corridor_choice(self) -> str:
        table = self.ev.table
        return ", ".join(table.loc[table["is_corridor_choice"], "bidder_id"])

    @cached_property
    def by_total(self) -> tuple[FloatArray, IntArray]:
        """Ranked bids' totals sorted, and their positions in the table."""
        table = self.ev.table
        ranked = np.flatnonzero((table["rank"] > 0).to_numpy())
        total = table["total_score"].to_numpy(dtype=np.float64)[ranked]
        order = np.argsort(total, kind="stable")
        return total[order], ranked[order]

    @cached_property
    def excluded_marks(self) -> dict[str, list[str]]:
        """One sentence per evaluator whose marks for a bid were left out, and why, by bid."""
        out: dict[str, list[str]] = {}
        for (evaluator, bidder), reason in sorted(self.ev.excluded_marks.items()):
            out.setdefault(bidder, []).append(f"Marks of evaluator {evaluator} excluded: {reason}.")
        return out


def bid_records(ev: Scored) -> list[BidRecord]:
    """One record per bid, in bids-file order: scores at full precision, display strings,
    `flags` (codes from FLAGS) and `notes` (sentences)."""
    context = _Context(ev)
    rows: list[Any] = list(ev.table.itertuples(index=False))
    return [_record(context, position, row) for position, row in enumerate(rows)]


def _record(context: _Context, position: int, row: Any) -> BidRecord:
    flags, notes = _flags_and_notes(context, row)
    return BidRecord(
        bidder_id=row.bidder_id,
        bidder=row.bidder,
        price=_price(row),
        price_score=_number(row.price_score),
        quality_score=_number(row.quality_score),
        total_score=_number(row.total_score),
        rank=int(row.rank) if row.rank > 0 else None,
        flags=tuple(flags),
        notes=tuple(notes),
        display=_display(row, context.ev.tender.price.unscored_reason),
        criteria=_criteria(context, position),
    )


def _flags_and_notes(context: _Context, row: Any) -> tuple[list[str], list[str]]:
    """The bid's flags (codes from FLAGS, in that order) and its notes, one per flag and more."""
    flags: list[str] = []
    notes: list[str] = []
    for column, flag, note in _FLAG_RULES:
        if getattr(row, column):
            flags.append(flag)
            notes.append(note(context, row))
    if context.ev.provisional:
        flags.append("provisional")
        notes.append(f"PROVISIONAL: quality from the {PROVISIONAL_RULE}; no moderated marks.")
    notes += context.excluded_marks.get(str(row.bidder_id), [])
    if row.note and row.note != "nan":
        notes.append(f"Officer's note: {row.note}")
    return flags, notes


def _abnormal_reasons(ev: Scored) -> dict[str, list[str]]:
    """The screens' reasons for each flagged bid, worked out once per evaluation."""
    from .abnormal import screen_prices
    from .price import FORMULAS

    table = ev.table
    if not table["is_abnormal_price"].any():
        return {}
    screened = (~table["is_excluded"] & table["price"].notna()).to_numpy()
    ids = table["bidder_id"].to_numpy()[screened]
    found = screen_prices(
        table["price"].to_numpy(dtype=float)[screened],
        FORMULAS[ev.tender.price.formula.name].better,
        ev.tender.tender.currency,
        ev.tender.abnormally_low,
    )
    return {str(ids[position]): reasons for position, reasons in found.items()}


def _abnormal_note(context: _Context, row: Any) -> str:
    from .abnormal import citation
    from .price import FORMULAS

    ev = context.ev
    reasons = context.abnormal_reasons.get(row.bidder_id, [])
    low = FORMULAS[ev.tender.price.formula.name].better == "lower"
    text = f"Abnormally {'low' if low else 'high'} price: " + "; ".join(reasons) + "."
    if row.price_decision:
        return f"{text} The authority's decision: {display.sentence(row.price_decision)}"
    cited = citation(ev.tender)
    return f"{text} The bidder's explanation is required before the bid can be accepted" + (
        f" ({cited})." if cited else "."
    )


def _criteria(context: _Context, position: int) -> dict[str, CriterionResult]:
    """Per criterion (every level): the consensus mark (marked criteria only) and score."""
    ev = context.ev
    leaf_position = context.leaf_position
    out: dict[str, CriterionResult] = {}
    for criterion_id, scores in ev.criterion_scores.items():
        score = _number(scores[position])
        if criterion_id in leaf_position:
            mark = ev.consensus[position, leaf_position[criterion_id]]
            out[criterion_id] = CriterionResult(score, _number(mark), marked=True)
        else:
            out[criterion_id] = CriterionResult(score)
    return out


def _price(row: Any) -> str | None:
    amount = getattr(row, "price_amount", None)
    if amount is not None and str(amount) not in ("", "nan", "None"):
        return str(amount)
    value = _number(row.price)
    return None if value is None else repr(value)


def _display(row: Any, unscored_reason: str) -> ShownScores:
    price = display.score(row.price_score)
    if row.has_unscored_price:
        price = f"0 ({unscored_reason})"
    if row.is_excluded:
        total = "–"
    else:
        total = display.plain(display.shown_total([row.price_score, row.quality_score]))
    return ShownScores(
        price_score=price,
        quality_score=display.score(row.quality_score),
        total_score=total,
        rank=str(int(row.rank)) if row.rank > 0 else "–",
    )


def _near_tie_note(context: _Context, row: Any) -> str:
    margin = context.ev.tender.near_tie.margin
    leader_total = context.leader_total
    gap = leader_total - row.total_score
    if gap <= 1e-9:
        others = [(bid, total) for bid, total in context.near_tied if bid != row.bidder_id]
        names = ", ".join(bid for bid, _ in others)
        closest = min((leader_total - total for _, total in others), default=math.nan)
        lead = f"leads {names} by {display.score(closest, 2)} points"
    else:
        lead = f"{display.score(gap, 2)} points behind the leader"
    return (
        f"Near-tie: {lead} (margin {margin:g}); "
        "a clarification interview is recommended before award."
    )


def _range_note(context: _Context, row: Any) -> str:
    leader = context.range_leader
    own = f"{display.score(row.total_low, 2)}–{display.score(row.total_high, 2)}"
    if leader["bidder_id"] == row.bidder_id:
        return (
            "Evaluator-range near-tie: with each criterion ranging over its evaluators' own "
            f"marks this bid's total spans {own}, overlapping another bid's range."
        )
    theirs = f"{display.score(leader['total_low'], 2)}–{display.score(leader['total_high'], 2)}"
    return (
        "Evaluator-range near-tie: with each criterion ranging over its evaluators' own marks "
        f"this bid's total spans {own}, overlapping the leader's {theirs}."
    )


def _corridor_note(context: _Context, row: Any) -> str:
    corridor = context.ev.tender.near_tie.corridor
    assert corridor is not None
    rule = corridor.decide_by.replace("_", " ")
    chosen = context.corridor_choice
    return (
        f"Within the {corridor.percent:g}% corridor below the leading total; the "
        f"pre-announced criterion ({rule}) picks {chosen}."
    )


def _exact_tie_note(context: _Context, row: Any) -> str:
    with_ids = ", ".join(_equal_totals(context, row))
    rules = context.ev.tender.ranking.tie_break
    if row.shares_rank:
        how = "no stated tie-break separates them, so the rank is shared"
        if not rules:
            how = "no tie-break rule is stated, so the rank is shared and needs a decision"
    else:
        how = (
            "ordered by the stated tie-break ("
            + ", then ".join(r.replace("_", " ") for r in rules)
            + ")"
        )
    return f"Exact tie on total with {with_ids}: {how}."


def _equal_totals(context: _Context, row: Any) -> list[str]:
    """Other ranked bids whose total is within 1e-9 of this bid's, in bids-file order.

    A binary search in the sorted totals finds the few near this one; the test itself is
    the exact one, |total − this total| < 1e-9.
    """
    totals, positions = context.by_total
    own = float(row.total_score)
    low = int(np.searchsorted(totals, own - 2e-9, side="left"))
    high = int(np.searchsorted(totals, own + 2e-9, side="right"))
    ids = context.ev.table["bidder_id"].to_numpy()
    near = sorted(
        int(p)
        for p, t in zip(positions[low:high], totals[low:high], strict=True)
        if abs(t - own) < 1e-9
    )
    return [str(ids[p]) for p in near if ids[p] != row.bidder_id]


_FLAG_RULES: tuple[tuple[str, str, Callable[[_Context, Any], str]], ...] = (
    ("is_excluded", "excluded", lambda c, row: f"Excluded from ranking: {row.exclusion_reason}."),
    (
        "has_unscored_price",
        "unscored-price",
        lambda c, row: f"Price scored 0: {c.ev.tender.price.unscored_reason}.",
    ),
    ("is_above_budget", "above-budget", lambda c, row: "Price above the budget: price score 0."),
    ("is_abnormal_price", "abnormal-price", _abnormal_note),
    ("is_near_tie", "near-tie", _near_tie_note),
    ("is_range_overlap", "range-overlap", _range_note),
    ("is_corridor_candidate", "corridor", _corridor_note),
    ("is_exact_tie", "exact-tie", _exact_tie_note),
)
