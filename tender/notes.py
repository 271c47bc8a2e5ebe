"""Flags and plain-English notes per bid, from an evaluation's table.

Flags are short stable codes for machines; notes are sentences for people. Both are
derived here once so that every output carries the same words.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import display
from .moderation import PROVISIONAL_RULE

if TYPE_CHECKING:
    from .scored import Scored

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


def _number(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def bid_records(ev: Scored) -> list[dict[str, Any]]:
    """One dict per bid, in bids-file order: scores at full precision, display strings,
    `flags` (codes from FLAGS) and `notes` (sentences)."""
    tender = ev.tender
    table = ev.table
    ranked = table[table["rank"] > 0]
    leader_total = ranked["total_score"].max() if not ranked.empty else math.nan
    leaf_ids = [leaf.id for leaf in tender.quality.leaves()]
    abnormal_reasons = _abnormal_reasons(ev)
    out = []
    rows: list[Any] = list(table.itertuples(index=False))
    for position, row in enumerate(rows):
        flags: list[str] = []
        notes: list[str] = []
        if row.is_excluded:
            flags.append("excluded")
            notes.append(f"Excluded from ranking: {row.exclusion_reason}.")
        if row.has_unscored_price:
            flags.append("unscored-price")
            notes.append(f"Price scored 0: {tender.price.unscored_reason}.")
        if row.is_above_budget:
            flags.append("above-budget")
            notes.append("Price above the budget: price score 0.")
        if row.is_abnormal_price:
            flags.append("abnormal-price")
            notes.append(_abnormal_note(ev, row, abnormal_reasons.get(row.bidder_id, [])))
        if row.is_near_tie:
            flags.append("near-tie")
            notes.append(_near_tie_note(ev, row, leader_total))
        if row.is_range_overlap:
            flags.append("range-overlap")
            notes.append(_range_note(ev, row))
        if row.is_corridor_candidate:
            flags.append("corridor")
            notes.append(_corridor_note(ev, row))
        if row.is_exact_tie:
            flags.append("exact-tie")
            notes.append(_exact_tie_note(ev, row))
        if ev.provisional:
            flags.append("provisional")
            notes.append(f"PROVISIONAL: quality from the {PROVISIONAL_RULE}; no moderated marks.")
        notes += _excluded_marks_notes(ev, str(row.bidder_id))
        if row.note and row.note != "nan":
            notes.append(f"Officer's note: {row.note}")
        out.append(
            {
                "bidder_id": row.bidder_id,
                "bidder": row.bidder,
                "price": _price(row),
                "price_score": _number(row.price_score),
                "quality_score": _number(row.quality_score),
                "total_score": _number(row.total_score),
                "rank": int(row.rank) if row.rank > 0 else None,
                "flags": flags,
                "notes": notes,
                "display": _display(row, tender.price.unscored_reason),
                "criteria": _criteria(ev, position, leaf_ids),
            }
        )
    return out


def _excluded_marks_notes(ev: Scored, bidder_id: str) -> list[str]:
    """One sentence per evaluator whose marks for this bid were left out, and why."""
    return [
        f"Marks of evaluator {evaluator} excluded: {reason}."
        for (evaluator, bidder), reason in sorted(ev.excluded_marks.items())
        if bidder == bidder_id
    ]


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


def _abnormal_note(ev: Scored, row: Any, reasons: list[str]) -> str:
    from .abnormal import citation
    from .price import FORMULAS

    low = FORMULAS[ev.tender.price.formula.name].better == "lower"
    text = f"Abnormally {'low' if low else 'high'} price: " + "; ".join(reasons) + "."
    if row.price_decision:
        return f"{text} The authority's decision: {row.price_decision.rstrip('.')}."
    cited = citation(ev.tender)
    return f"{text} The bidder's explanation is required before the bid can be accepted" + (
        f" ({cited})." if cited else "."
    )


def _criteria(ev: Scored, position: int, leaf_ids: list[str]) -> dict[str, Any]:
    """Per criterion (every level): the consensus mark (marked criteria only) and score."""
    out: dict[str, Any] = {}
    for criterion_id, scores in ev.criterion_scores.items():
        entry: dict[str, Any] = {"score": _number(scores[position])}
        if criterion_id in leaf_ids:
            entry = {"mark": _number(ev.consensus[position, leaf_ids.index(criterion_id)]), **entry}
        out[criterion_id] = entry
    return out


def _price(row: Any) -> str | None:
    amount = getattr(row, "price_amount", None)
    if amount is not None and str(amount) not in ("", "nan", "None"):
        return str(amount)
    value = _number(row.price)
    return None if value is None else repr(value)


def _display(row: Any, unscored_reason: str) -> dict[str, str]:
    price = display.score(row.price_score)
    if row.has_unscored_price:
        price = f"0 ({unscored_reason})"
    if row.is_excluded:
        total = "–"
    else:
        total = display.plain(display.shown_total([row.price_score, row.quality_score]))
    return {
        "price_score": price,
        "quality_score": display.score(row.quality_score),
        "total_score": total,
        "rank": str(int(row.rank)) if row.rank > 0 else "–",
    }


def _near_tie_note(ev: Scored, row: Any, leader_total: float) -> str:
    margin = ev.tender.near_tie.margin
    others = ev.table[ev.table["is_near_tie"] & (ev.table["bidder_id"] != row.bidder_id)]
    names = ", ".join(others["bidder_id"])
    gap = leader_total - row.total_score
    if gap <= 1e-9:
        closest = (leader_total - others["total_score"]).min()
        lead = f"leads {names} by {display.score(closest, 2)} points"
    else:
        lead = f"{display.score(gap, 2)} points behind the leader"
    return (
        f"Near-tie: {lead} (margin {margin:g}); "
        "a clarification interview is recommended before award."
    )


def _range_note(ev: Scored, row: Any) -> str:
    leader = ev.table.loc[ev.table["rank"] > 0].sort_values("rank").iloc[0]
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


def _corridor_note(ev: Scored, row: Any) -> str:
    corridor = ev.tender.near_tie.corridor
    assert corridor is not None
    rule = corridor.decide_by.replace("_", " ")
    chosen = ", ".join(ev.table.loc[ev.table["is_corridor_choice"], "bidder_id"])
    return (
        f"Within the {corridor.percent:g}% corridor below the leading total; the "
        f"pre-announced criterion ({rule}) picks {chosen}."
    )


def _exact_tie_note(ev: Scored, row: Any) -> str:
    table = ev.table
    same = table[
        (table["rank"] > 0)
        & (table["bidder_id"] != row.bidder_id)
        & ((table["total_score"] - row.total_score).abs() < 1e-9)
    ]
    with_ids = ", ".join(same["bidder_id"])
    rules = ev.tender.ranking.tie_break
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
