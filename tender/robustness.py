"""Every analysis a committee needs to judge whether a ranking is robust, run once.

`analyse` runs the sensitivity analyses, the near-tie rules, the panel-agreement
statistics and the abnormally-low screens on an evaluation, and returns them as one
typed record. Pure: the inputs are read by `workflows.evaluation.load_case`; the record
becomes plain data in `robustness_document` and terminal text in `terminal`.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import abnormal, agreement, sensitivity
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
