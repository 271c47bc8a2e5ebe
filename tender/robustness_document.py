"""The robustness analyses as plain, JSON-ready data: what `tender sensitivity --format json`
prints and the terminal text renders.

Full precision, a stable key order, no NaN (a missing figure is None). Formats what
`robustness.analyse` found; never recomputes it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import abnormal, sensitivity
from .moderation import PROVISIONAL_RULE
from .price import FORMULAS
from .ranking import comparable
from .robustness import Robustness
from .scoring import Evaluation


def _num(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def document(r: Robustness) -> dict[str, Any]:
    """The analyses as plain data (full precision), in a stable order."""
    ev = r.evaluation
    tender = ev.tender
    return {
        "tender": {"reference": tender.tender.reference, "title": tender.tender.title},
        "consensus": PROVISIONAL_RULE if ev.provisional else "moderated marks",
        "leaders": sensitivity.leaders(ev),
        "standing": _standing(ev),
        "totals": dict(
            zip(ev.ranked["bidder_id"], ev.ranked["total_score"].astype(float), strict=True)
        ),
        "price_weight": {
            "set_at": tender.weights.price,
            "crossovers": [
                {"price_weight": c.price_weight, "before": c.before, "after": c.after}
                for c in r.crossovers
            ],
        },
        "mark_changes": {
            "smallest_tie": [_change(c) for c in sensitivity.smallest(r.changes, "tie")],
            "smallest_lead_change": [_change(c) for c in sensitivity.smallest(r.changes, "lead")],
            "by_criterion": [_change(c) for c in r.changes],
        },
        "leave_one_out": [_without(w) for w in r.without],
        "rank_reversal": _rank_reversal(r),
        "near_ties": _near_ties(r),
        "verdicts": [
            {"leader": v.leader, "other": v.other, "robust": v.robust, "line": v.line()}
            for v in r.verdicts
        ],
        "verdict_rule": sensitivity.FRAGILE_RULE,
        "panel": _panel(r),
        "abnormally_low": _abnormally_low(r),
        "inputs": [{"path": p, "sha256": h} for p, h in sorted(ev.fingerprints.items())],
    }


def _without(w: sensitivity.WithoutEvaluator) -> dict[str, Any]:
    return {
        "without": w.evaluator_id,
        "rule": PROVISIONAL_RULE,
        "order": w.order,
        "totals": w.totals,
        "leaders": w.leaders,
        "leader_changed": w.leader_changed,
    }


def _rank_reversal(r: Robustness) -> dict[str, Any]:
    """Each removal; `order` is null where the removed bid anchored nothing (nothing moved)."""
    formula = FORMULAS[r.evaluation.tender.price.formula.name]
    return {
        "price_formula": formula.name,
        "independent_of_worse_bid": formula.independent_of_worse_bid,
        "removals": [
            {"removed": m.removed, "order": m.order, "swaps": [list(s) for s in m.swaps]}
            for m in r.removals
        ],
    }


def _flagged(ids: list[str], flags: Any) -> list[str]:
    return [b for b, f in zip(ids, flags, strict=True) if f]


def _near_ties(r: Robustness) -> dict[str, Any]:
    ids = list(r.evaluation.table["bidder_id"])
    rules = r.near_ties
    return {
        "points_margin": {
            "margin": r.evaluation.tender.near_tie.margin,
            "flagged": _flagged(ids, rules.points),
        },
        "evaluator_range": _evaluator_range(ids, rules),
        "corridor": _corridor(r, ids),
    }


def _evaluator_range(ids: list[str], rules: sensitivity.NearTies) -> dict[str, Any] | None:
    if rules.ranges is None or rules.low is None or rules.high is None:
        return None
    return {
        "flagged": _flagged(ids, rules.ranges),
        "ranges": {
            b: [_num(lo), _num(hi)]
            for b, lo, hi in zip(ids, rules.low, rules.high, strict=True)
            if not math.isnan(lo)
        },
    }


def _corridor(r: Robustness, ids: list[str]) -> dict[str, Any] | None:
    rules = r.near_ties
    corridor = r.evaluation.tender.near_tie.corridor
    if rules.corridor is None or rules.corridor_choice is None or corridor is None:
        return None
    return {
        "percent": corridor.percent,
        "decide_by": corridor.decide_by,
        "candidates": _flagged(ids, rules.corridor),
        "chosen": _flagged(ids, rules.corridor_choice),
    }


def _panel(r: Robustness) -> dict[str, Any]:
    return {
        "leniency": [
            {"evaluator_id": x.evaluator_id, "mean_offset": _num(x.mean_offset), "marks": x.marks}
            for x in r.leniency
        ],
        "agreement": [
            {"criterion_id": a.criterion_id, "krippendorff_alpha": a.alpha, "bids": a.bids}
            for a in r.agreement
        ],
    }


def _abnormally_low(r: Robustness) -> dict[str, Any]:
    tender = r.evaluation.tender
    return {
        "enabled": abnormal.screens_on(tender),
        "enabled_in_definition": tender.abnormally_low.enabled,
        "citation": abnormal.citation(tender),
        "basis": tender.abnormally_low.basis,
        "percent": tender.abnormally_low.percent,
        "scottish": tender.abnormally_low.scottish,
        "flagged": [_finding(f) for f in r.abnormal],
    }


def _finding(f: abnormal.Finding) -> dict[str, Any]:
    decision = f.decision
    return {
        "bidder_id": f.bidder_id,
        "price": f.price,
        "direction": f.direction,
        "reasons": f.reasons,
        "status": f.status,
        "explanation": decision.explanation if decision else None,
        "reason": decision.reason if decision else None,
        "decided_on": decision.decided_on.isoformat() if decision and decision.decided_on else None,
    }


def _standing(ev: Evaluation) -> str:
    """'80.30 points, 1.20 ahead of B (79.10).' for the leader."""
    ranked = ev.ranked
    if ranked.empty:
        return "No bid is ranked."
    top = ranked.iloc[0]
    if len(ranked) == 1:
        return f"{top['total_score']:.2f} points; the only ranked bid."
    second = ranked.iloc[1]
    gap = top["total_score"] - second["total_score"]
    if comparable(np.float64(gap)) == 0:
        return f"Level on {top['total_score']:.2f} points."
    return (
        f"{top['total_score']:.2f} points, {gap:.2f} ahead of {second['bidder_id']} "
        f"({second['total_score']:.2f})."
    )


def _change(c: sensitivity.MarkChange) -> dict[str, Any]:
    return {
        "bidder_id": c.bidder_id,
        "criterion_id": c.criterion_id,
        "from": c.from_mark,
        "to": c.to_mark,
        "points": c.points,
        "outcome": c.outcome,
        "leaders_after": c.leaders_after,
    }
