"""Why a bid was disqualified, in words fit to publish.

The evaluation records each exclusion as text for the panel (`exclusion_reason`), which
quotes the bidder's own answer, its mark and any recorded reason. A public release states
only which of the tender's published rules the bid did not meet, in the definition's own
words: a pass/fail requirement (id and description), a quality minimum (the criterion and
the minimum, not the mark), the stated rule for an unpriced line (the line, not the rates),
a rejection as abnormally low (the provision, not the authority's reasoning). Free text
(a decision's reason, a bids-file `excluded_by_decision`, notes) is never repeated.

The statutory regimes require the reasons for rejecting a tender to be recorded (PCR 2015
reg 84; Procurement Act 2023 s.34 for abnormally low tenders) and the platform's bid
statuses carry them; under the authority's own contract procedure rules (`local_rules`)
the reason goes to the bidder in its debrief letter only, so the release states the status
alone. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .abnormal import Decision
from .compliance import passes
from .model import Schedule, SingleColumn, Tender
from .pricing import Pricing
from .scoring import Evaluation

REGIMES_STATING_REASONS = ("pcr2015", "pa2023")
ABNORMALLY_LOW = {
    "pcr2015": "Public Contracts Regulations 2015 reg 69",
    "pa2023": "Procurement Act 2023 s.34",
}


def reasons(
    ev: Evaluation, bids: pd.DataFrame, decisions: Mapping[str, Decision]
) -> dict[str, str]:
    """bidder_id → why its bid was disqualified, for every bid the evaluation excluded,
    where the regime has the reason published (none under `local_rules`).

    `bids` is the bids table the evaluation read (its requirement columns); `decisions`
    the recorded decisions on abnormal prices.
    """
    if ev.tender.tender.regime not in REGIMES_STATING_REASONS:
        return {}
    return rules_not_met(ev, bids, decisions)


def rules_not_met(
    ev: Evaluation, bids: pd.DataFrame, decisions: Mapping[str, Decision]
) -> dict[str, str]:
    """bidder_id → the published rules its bid did not meet, for every bid the evaluation
    excluded, under any regime: what the bidder's own letter says (and, where the regime
    publishes it, the release). Each reason follows "the bid" or "your tender": "did not
    meet the pass/fail requirement SAFE: ...", "was rejected as abnormally low ...".
    """
    tender = ev.tender
    answers = bids.assign(bidder_id=bids["bidder_id"].astype(str)).set_index("bidder_id")
    failed = {
        req.id: set(answers.index[~passes(answers, req).to_numpy()])
        for req in tender.requirements
        if req.column in answers
    }
    out = {}
    table = ev.table
    for row, (bidder, excluded) in enumerate(
        zip(table["bidder_id"].astype(str), table["is_excluded"], strict=True)
    ):
        if not bool(excluded):
            continue
        found = [
            f"did not meet the pass/fail requirement {req.id}: {req.description}"
            for req in tender.requirements
            if bidder in failed.get(req.id, set())
        ]
        found += _unpriced(ev.pricing, tender, bidder)
        decision = decisions.get(bidder)
        if decision is not None and decision.decision == "rejected":
            provision = ABNORMALLY_LOW.get(tender.tender.regime)  # none under local rules
            found.append(
                "was rejected as abnormally low after its explanation was considered"
                + (f" ({provision})" if provision else "")
            )
        found += _below_minimum(ev, row)
        out[bidder] = "; ".join(found) if found else _otherwise(ev, row)
    return out


def _unpriced(pricing: Pricing | None, tender: Tender, bidder: str) -> list[str]:
    """The lines a bid left unpriced, when the tender's rule left it no evaluated price."""
    if pricing is None or bidder not in pricing.bidder_ids:
        return []
    bid = pricing.bidder_ids.index(bidder)
    if pricing.evaluated[bid] is not None:
        return []
    model = tender.price.model
    assert not isinstance(model, SingleColumn)
    titles = {
        item.id: item.description
        for item in (model.lines if isinstance(model, Schedule) else model.parts)
    }
    lines = [pricing.line_ids[i] for i in np.flatnonzero(pricing.basis[bid] < 0)]
    named = ", ".join(f"{line} ({titles.get(line, line)})" for line in lines)
    if model.missing_line.rule == "non_compliant":
        return [f"left {named} unpriced, which the tender states makes a bid non-compliant"]
    return [f"left {named} unpriced, and no other compliant bid priced it"]


def _below_minimum(ev: Evaluation, row: int) -> list[str]:
    """The tender's quality minimums the bid did not reach (the minimum, not the mark)."""
    spec = ev.tender.quality
    out = []
    for i, leaf in enumerate(spec.leaves()):
        mark = float(ev.consensus[row, i])
        if leaf.minimum_mark is not None and mark < leaf.minimum_mark:
            out.append(
                f"did not reach the minimum mark of {leaf.minimum_mark:g} for {leaf.id} "
                f"({leaf.title})"
            )
    quality = float(ev.table["quality_score"].iloc[row])
    if spec.minimum_score is not None and quality < spec.minimum_score - 1e-9:
        out.append(f"did not reach the minimum quality score of {spec.minimum_score:g}")
    return out


def _otherwise(ev: Evaluation, row: int) -> str:
    """An exclusion none of the published rules explains: a decision the authority recorded
    (its text is not published), or a bid that was never marked."""
    if np.isnan(ev.consensus[row]).any():
        return "was not assessed on quality"
    return "was excluded by a recorded decision of the authority"
