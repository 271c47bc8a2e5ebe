"""Everything a committee needs to judge whether a ranking is robust, gathered in one place.

`analyse` runs the sensitivity analyses, the near-tie rules, the panel-agreement
statistics and the abnormally-low screens on an evaluation; `document` turns the result
into plain JSON-ready data that the CLI prints and reports reuse. Pure: the inputs are
read by `workflows.evaluation.load_case`.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import abnormal, agreement, sensitivity
from .moderation import PROVISIONAL_RULE
from .price import FORMULAS
from .ranking import comparable
from .scoring import Evaluation
from .sensitivity import Case


@dataclass(frozen=True)
class Robustness:
    """The results of every robustness analysis for one evaluation."""

    evaluation: Evaluation
    lines: sensitivity.Lines
    crossovers: list[sensitivity.Crossover]
    changes: list[sensitivity.MarkChange]
    without: list[sensitivity.WithoutEvaluator]
    removals: list[sensitivity.Removal]
    near_ties: sensitivity.NearTies
    verdicts: list[sensitivity.Verdict]
    leniency: list[agreement.Leniency]
    agreement: list[agreement.Agreement]
    abnormal: list[abnormal.Finding]


def analyse(
    case: Case, ev: Evaluation, decisions: dict[str, abnormal.Decision] | None = None
) -> Robustness:
    """Run every analysis on `case`, whose evaluation as it stands is `ev`."""
    lines = sensitivity.price_weight_lines(ev)
    without = sensitivity.leave_one_out(case, ev)
    rules = sensitivity.near_tie_rules(ev)
    cube = ev.individual
    leaf_ids = [leaf.id for leaf in ev.tender.quality.leaves()]
    return Robustness(
        evaluation=ev,
        lines=lines,
        crossovers=sensitivity.crossovers(lines),
        changes=sensitivity.mark_changes(case, ev),
        without=without,
        removals=sensitivity.rank_reversals(case, ev),
        near_ties=rules,
        verdicts=sensitivity.verdicts(case, ev, rules, without, lines),
        leniency=[] if cube is None else agreement.leniency(cube, ev.tender.panel_ids()),
        agreement=[] if cube is None else agreement.alpha_per_criterion(cube, leaf_ids),
        abnormal=abnormal.screen(ev, ev.tender.abnormally_low, decisions),
    )


def _num(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def document(r: Robustness) -> dict[str, Any]:
    """The analyses as plain data (full precision), in a stable order."""
    ev = r.evaluation
    tender = ev.tender
    ids = list(ev.table["bidder_id"])
    rules = r.near_ties
    leader = sensitivity.leaders(ev)
    formula = FORMULAS[tender.price.formula.name]
    return {
        "tender": {"reference": tender.tender.reference, "title": tender.tender.title},
        "consensus": PROVISIONAL_RULE if ev.provisional else "moderated marks",
        "leaders": leader,
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
        "leave_one_out": [
            {
                "without": w.evaluator_id,
                "rule": PROVISIONAL_RULE,
                "order": w.order,
                "totals": w.totals,
                "leaders": w.leaders,
                "leader_changed": w.leader_changed,
            }
            for w in r.without
        ],
        "rank_reversal": {
            "price_formula": formula.name,
            "independent_of_worse_bid": formula.independent_of_worse_bid,
            "removals": [
                {"removed": m.removed, "order": m.order, "swaps": [list(s) for s in m.swaps]}
                for m in r.removals
            ],
        },
        "near_ties": {
            "points_margin": {
                "margin": tender.near_tie.margin,
                "flagged": [b for b, f in zip(ids, rules.points, strict=True) if f],
            },
            "evaluator_range": None
            if rules.ranges is None or rules.low is None or rules.high is None
            else {
                "flagged": [b for b, f in zip(ids, rules.ranges, strict=True) if f],
                "ranges": {
                    b: [_num(lo), _num(hi)]
                    for b, lo, hi in zip(ids, rules.low, rules.high, strict=True)
                    if not math.isnan(lo)
                },
            },
            "corridor": None
            if rules.corridor is None
            or rules.corridor_choice is None
            or tender.near_tie.corridor is None
            else {
                "percent": tender.near_tie.corridor.percent,
                "decide_by": tender.near_tie.corridor.decide_by,
                "candidates": [b for b, f in zip(ids, rules.corridor, strict=True) if f],
                "chosen": [b for b, f in zip(ids, rules.corridor_choice, strict=True) if f],
            },
        },
        "verdicts": [
            {"leader": v.leader, "other": v.other, "robust": v.robust, "line": v.line()}
            for v in r.verdicts
        ],
        "verdict_rule": sensitivity.FRAGILE_RULE,
        "panel": {
            "leniency": [
                {
                    "evaluator_id": x.evaluator_id,
                    "mean_offset": _num(x.mean_offset),
                    "marks": x.marks,
                }
                for x in r.leniency
            ],
            "agreement": [
                {"criterion_id": a.criterion_id, "krippendorff_alpha": a.alpha, "bids": a.bids}
                for a in r.agreement
            ],
        },
        "abnormally_low": {
            "enabled": abnormal.screens_on(tender),
            "enabled_in_definition": tender.abnormally_low.enabled,
            "citation": abnormal.citation(tender),
            "basis": tender.abnormally_low.basis,
            "percent": tender.abnormally_low.percent,
            "scottish": tender.abnormally_low.scottish,
            "flagged": [
                {
                    "bidder_id": f.bidder_id,
                    "price": f.price,
                    "direction": f.direction,
                    "reasons": f.reasons,
                    "status": f.status,
                    "explanation": f.decision.explanation if f.decision else None,
                    "reason": f.decision.reason if f.decision else None,
                    "decided_on": f.decision.decided_on.isoformat()
                    if f.decision and f.decision.decided_on
                    else None,
                }
                for f in r.abnormal
            ],
        },
        "inputs": [{"path": p, "sha256": h} for p, h in sorted(ev.fingerprints.items())],
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


ALPHA_RELIABLE = 0.8
ALPHA_TENTATIVE = 0.667


def _alpha_words(alpha: float | None) -> str:
    """Krippendorff's own guide: ≥ 0.8 reliable; 0.667-0.8 tentative; below, unreliable."""
    if alpha is None:
        return "n/a (no variation)"
    if alpha >= ALPHA_RELIABLE:
        return f"{alpha:.2f} good"
    if alpha >= ALPHA_TENTATIVE:
        return f"{alpha:.2f} fair"
    return f"{alpha:.2f} LOW: discuss first"


def text_lines(doc: dict[str, Any], names: dict[str, str]) -> list[str]:
    """The document as lines for a terminal; renders `document` output, never recomputes."""
    out = [
        f"{doc['tender']['reference']}: {doc['tender']['title']}: decision robustness",
        f"Quality from {doc['consensus']}."
        if doc["consensus"] == "moderated marks"
        else f"PROVISIONAL: quality from the {doc['consensus']} (no moderated marks yet).",
        "Leader: "
        + (" and ".join(_named(b, names) for b in doc["leaders"]) or "none")
        + f". {doc['standing']}",
    ]
    for section in (
        _weight_lines,
        _change_lines,
        _leave_one_out_lines,
        _reversal_lines,
        _near_tie_lines,
        _panel_lines,
        _abnormal_lines,
    ):
        out.append("")
        out += section(doc)
    return [wrapped for line in out for wrapped in _wrap(line)]


WIDTH = 100


def _named(bidder: str, names: dict[str, str]) -> str:
    name = names.get(bidder, bidder)
    return bidder if name == bidder else f"{bidder} ({name})"


def _wrap(line: str) -> list[str]:
    if len(line) <= WIDTH:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    return textwrap.wrap(line, WIDTH, subsequent_indent=indent, break_on_hyphens=False)


def _weight_lines(doc: dict[str, Any]) -> list[str]:
    weight = doc["price_weight"]
    points = weight["crossovers"]
    out = [
        f"Price weight (set at {weight['set_at']:g}; quality weight = 100 - price weight), "
        "as it rises from 0 to 100"
    ]
    if not points:
        return [*out, "  The leader is the same at every price weight from 0 to 100."]
    out += [
        f"  at {c['price_weight']:.2f} the lead passes from {c['before']} to {c['after']}"
        for c in points
    ]
    edges = [0.0] + [c["price_weight"] for c in points] + [100.0]
    holders = [points[0]["before"]] + [c["after"] for c in points]
    for low, high, holder in zip(edges, edges[1:], holders, strict=False):
        if low <= weight["set_at"] <= high:
            out.append(
                f"  at the set weight {holder} leads, for every price weight "
                f"from {low:.2f} to {high:.2f}"
            )
    return out


def _change_lines(doc: dict[str, Any]) -> list[str]:
    marks = "moderated mark" if doc["consensus"] == "moderated marks" else "consensus mark"
    out = [f"Smallest change to a single {marks} that ties or changes the leader"]
    if len(doc["leaders"]) > 1:
        return [*out, f"  first place is already shared by {' and '.join(doc['leaders'])}"]
    changes = doc["mark_changes"]
    for key, label in (
        ("smallest_tie", "ties first place"),
        ("smallest_lead_change", "changes the leader"),
    ):
        found = changes[key]
        if not found:
            out.append(f"  {label}: no single-mark change does")
            continue
        moved = abs(found[0]["to"] - found[0]["from"])
        out.append(f"  {label} ({moved:g} mark{'s' if moved != 1 else ''}):")
        for c in sorted(found, key=lambda c: abs(c["points"]))[:SHOWN]:
            out.append(
                f"    {c['bidder_id']} {c['criterion_id']} {c['from']:g} → {c['to']:g} "
                f"({c['points']:+.2f} points): first place "
                + (" and ".join(c["leaders_after"]) or "none (no bid ranked)")
            )
        if len(found) > SHOWN:
            out.append(f"    ... and {len(found) - SHOWN} more of the same size (--format json)")
    return out


SHOWN = 4


def _leave_one_out_lines(doc: dict[str, Any]) -> list[str]:
    if not doc["leave_one_out"]:
        return ["Evaluator leave-one-out: not available (no individual marks)."]
    moderated = doc["consensus"] == "moderated marks"
    if not moderated:
        out = ["Evaluator leave-one-out (median of the remaining evaluators' marks)"]
        same, changed = "same leader", "LEADER CHANGES"
    else:
        out = [
            "Evaluator leave-one-out (MEDIAN of the evaluators' own marks, not the moderated marks)"
        ]
        out.append(f"  {'moderated marks':<22} {_ranking(doc['totals'], list(doc['totals']))}")
        same, changed = "same leader as moderated", "LEADER DIFFERS from moderated"
    for w in doc["leave_one_out"]:
        who = "all evaluators" if w["without"] is None else f"without {w['without']}"
        if moderated:
            who = f"median, {who}"
        change = changed if w["leader_changed"] else same
        out.append(
            f"  {who:<{22 if moderated else 14}} {_ranking(w['totals'], w['order'])}  ({change})"
        )
    return out


def _ranking(totals: dict[str, float], order: list[str]) -> str:
    shown = ", ".join(f"{b} {totals[b]:.2f}" for b in order[:SHOWN])
    return shown + (" ..." if len(order) > SHOWN else "")


def _reversal_lines(doc: dict[str, Any]) -> list[str]:
    out = ["Rank reversal (each non-winning bid removed in turn, the rest re-scored)"]
    reversal = doc["rank_reversal"]
    removals = reversal["removals"]
    swaps = [m for m in removals if m["swaps"]]
    if reversal["independent_of_worse_bid"]:
        out.append(
            f"  price formula {reversal['price_formula']}: a bid worse than all others "
            "cannot reorder the rest"
        )
    else:
        out.append(
            f"  price formula {reversal['price_formula']}: a bid worse than all others "
            "CAN reorder the rest (rank reversal)"
        )
    if not removals:
        out.append("  nothing to remove")
    elif not swaps:
        out.append("  no swap among the remaining bids, whichever bid is removed")
    for m in swaps:
        pairs = ", ".join(f"{a} falls level with or below {b}" for a, b in m["swaps"])
        out.append(f"  without {m['removed']}: {pairs}")
    return out


def _near_tie_lines(doc: dict[str, Any]) -> list[str]:
    ties = doc["near_ties"]
    points = ties["points_margin"]
    out = [
        "Near-ties",
        f"  points margin ({points['margin']:g}): {', '.join(points['flagged']) or 'none'}",
    ]
    ranges = ties["evaluator_range"]
    if ranges is None:
        out.append("  evaluator ranges: not applied (off, or no individual marks)")
    else:
        shown = ", ".join(
            f"{b} {ranges['ranges'][b][0]:.1f}-{ranges['ranges'][b][1]:.1f}"
            for b in ranges["flagged"]
        )
        out.append(f"  evaluator ranges overlap: {shown or 'none'}")
    corridor = ties["corridor"]
    if corridor is None:
        out.append("  corridor: not configured")
    else:
        out.append(
            f"  corridor ({corridor['percent']:g}% below the leader): "
            f"{', '.join(corridor['candidates'])}; decided by "
            f"{corridor['decide_by'].replace('_', ' ')}: {', '.join(corridor['chosen'])}"
        )
    if doc["verdicts"]:
        out += ["", f"Verdicts ({doc['verdict_rule']})"]
        out += [f"  {v['line']}" for v in doc["verdicts"]]
    return out


def _panel_lines(doc: dict[str, Any]) -> list[str]:
    panel = doc["panel"]
    if not panel["leniency"]:
        return ["Panel agreement: not available (no individual marks)."]
    return [
        "Panel agreement, for the moderation meeting",
        "  leniency (mean marks above + or below - the panel's mean): "
        + ", ".join(f"{x['evaluator_id']} {x['mean_offset']:+.2f}" for x in panel["leniency"]),
        "  Krippendorff's alpha (interval): "
        + "; ".join(
            f"{a['criterion_id']} {_alpha_words(a['krippendorff_alpha'])}"
            for a in panel["agreement"]
        ),
    ]


def _abnormal_lines(doc: dict[str, Any]) -> list[str]:
    low = doc["abnormally_low"]
    if not low["enabled"]:
        if low["enabled_in_definition"] is False:
            return ["Abnormal prices: not screened (switched off: abnormally_low.enabled false)."]
        return [
            f"Abnormal prices: not screened under {doc['rank_reversal']['price_formula']}, "
            "where a high offer is the aim (switch on with abnormally_low.enabled true)."
        ]
    cited = f" ({low['citation']})" if low["citation"] else ""
    out = [
        f"Abnormal prices: more than {low['percent']:g}% from the {low['basis']} of the other "
        f"compliant bids{'; Scottish test' if low['scottish'] else ''}. A flagged bid needs "
        f"the bidder's explanation before it is accepted or rejected{cited}."
    ]
    if not low["flagged"]:
        out.append("  none flagged")
    for f in low["flagged"]:
        out.append(f"  {f['bidder_id']}: abnormally {f['direction']}: {f['status'].upper()}")
        out += [f"    {reason}" for reason in f["reasons"]]
        if f["explanation"]:
            out.append(f"    explanation: {f['explanation']}")
        if f["reason"]:
            out.append(f"    reason for the decision: {f['reason']}")
    return out
