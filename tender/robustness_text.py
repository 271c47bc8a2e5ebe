"""The robustness document as lines for a terminal: renders, never recomputes.

Reads only what `robustness_document.document` wrote, so the text and `--format json`
cannot disagree; lines are wrapped at 100 characters.
"""

from __future__ import annotations

import textwrap
from typing import Any

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
