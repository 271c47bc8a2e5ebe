"""The robustness analyses as plain, JSON-ready data: what `tender sensitivity --format json`
prints and the terminal text renders.

Full precision, a stable key order, no NaN (a missing figure is None). Formats what
`robustness.analyse` found; never recomputes it. The document's shape is stated once, as
the typed dictionaries below, so the terminal text that reads it cannot ask for a key the
document does not have.
"""

from __future__ import annotations

import math
from typing import TypedDict

import numpy as np

from . import abnormal, sensitivity
from .moderation import PROVISIONAL_RULE
from .price import FORMULAS
from .ranking import comparable
from .robustness import Robustness
from .scoring import Evaluation


class Named(TypedDict):
    """The tender the document is about."""

    reference: str
    title: str


class Crossover(TypedDict):
    """A price weight at which the lead passes from one bid to another."""

    price_weight: float
    before: str
    after: str


class PriceWeight(TypedDict):
    """The price weight as set, and where the leader changes as it runs from 0 to 100."""

    set_at: float
    crossovers: list[Crossover]


# "from" is a Python keyword, so this one is spelt in the functional form.
Change = TypedDict(
    "Change",
    {
        "bidder_id": str,
        "criterion_id": str,
        "from": float,
        "to": float,
        "points": float,
        "outcome": str,
        "leaders_after": list[str],
    },
)
"""One single-mark change and who leads after it."""


class MarkChanges(TypedDict):
    """The smallest changes that tie or change the leader, and every criterion's."""

    smallest_tie: list[Change]
    smallest_lead_change: list[Change]
    by_criterion: list[Change]


class LeaveOneOut(TypedDict):
    """The ranking on the median of the evaluators' marks, without one (None: all)."""

    without: str | None
    rule: str
    order: list[str]
    totals: dict[str, float]
    leaders: list[str]
    leader_changed: bool


class Removal(TypedDict):
    """One bid removed and the rest re-scored; `order` None where nothing moved."""

    removed: str
    order: list[str] | None
    swaps: list[list[str]]


class RankReversal(TypedDict):
    """Whether the price formula can reorder the rest, and each removal."""

    price_formula: str
    independent_of_worse_bid: bool
    removals: list[Removal]


class PointsMargin(TypedDict):
    """The bids within the points margin of the leader."""

    margin: float
    flagged: list[str]


class EvaluatorRange(TypedDict):
    """The bids whose evaluator range overlaps the leader's, and every bid's range."""

    flagged: list[str]
    ranges: dict[str, list[float | None]]


class Corridor(TypedDict):
    """The corridor's candidates and the bid its pre-announced criterion chose."""

    percent: float
    decide_by: str
    candidates: list[str]
    chosen: list[str]


class NearTies(TypedDict):
    """The three near-tie rules; a rule not applied is None."""

    points_margin: PointsMargin
    evaluator_range: EvaluatorRange | None
    corridor: Corridor | None


class Verdict(TypedDict):
    """Whether the leader's lead over one other bid is robust, and the line that says so."""

    leader: str
    other: str
    robust: bool
    line: str


class Leniency(TypedDict):
    """One evaluator's mean offset from the panel's mean."""

    evaluator_id: str
    mean_offset: float | None
    marks: int


class Agreement(TypedDict):
    """One criterion's Krippendorff's alpha (None: no variation)."""

    criterion_id: str
    krippendorff_alpha: float | None
    bids: int


class Panel(TypedDict):
    """The panel's leniency and agreement."""

    leniency: list[Leniency]
    agreement: list[Agreement]


class Finding(TypedDict):
    """One abnormal price, and the decision recorded on it."""

    bidder_id: str
    price: float
    direction: str
    reasons: list[str]
    status: str
    explanation: str | None
    reason: str | None
    decided_on: str | None


class AbnormallyLow(TypedDict):
    """The abnormal-price screens as set, and the bids they flag."""

    enabled: bool
    enabled_in_definition: bool | None
    citation: str | None
    basis: str
    percent: float
    scottish: bool
    flagged: list[Finding]


class Input(TypedDict):
    """One input file and its SHA-256."""

    path: str
    sha256: str


class Document(TypedDict):
    """Every robustness analysis of one evaluation, as `--format json` prints it."""

    tender: Named
    consensus: str
    leaders: list[str]
    standing: str
    totals: dict[str, float]
    price_weight: PriceWeight
    mark_changes: MarkChanges
    leave_one_out: list[LeaveOneOut]
    rank_reversal: RankReversal
    near_ties: NearTies
    verdicts: list[Verdict]
    verdict_rule: str
    panel: Panel
    abnormally_low: AbnormallyLow
    inputs: list[Input]


def _num(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def document(r: Robustness) -> Document:
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


def _without(w: sensitivity.WithoutEvaluator) -> LeaveOneOut:
    return {
        "without": w.evaluator_id,
        "rule": PROVISIONAL_RULE,
        "order": w.order,
        "totals": w.totals,
        "leaders": w.leaders,
        "leader_changed": w.leader_changed,
    }


def _rank_reversal(r: Robustness) -> RankReversal:
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


def _flagged(ids: list[str], flags: sensitivity.BoolArray) -> list[str]:
    return [b for b, f in zip(ids, flags, strict=True) if f]


def _near_ties(r: Robustness) -> NearTies:
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


def _evaluator_range(ids: list[str], rules: sensitivity.NearTies) -> EvaluatorRange | None:
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


def _corridor(r: Robustness, ids: list[str]) -> Corridor | None:
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


def _panel(r: Robustness) -> Panel:
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


def _abnormally_low(r: Robustness) -> AbnormallyLow:
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


def _finding(f: abnormal.Finding) -> Finding:
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


def _change(c: sensitivity.MarkChange) -> Change:
    return {
        "bidder_id": c.bidder_id,
        "criterion_id": c.criterion_id,
        "from": c.from_mark,
        "to": c.to_mark,
        "points": c.points,
        "outcome": c.outcome,
        "leaders_after": c.leaders_after,
    }
