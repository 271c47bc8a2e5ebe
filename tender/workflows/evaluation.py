"""Load a tender definition and its inputs, then evaluate: the one load-and-evaluate path.

Every workflow starts here, so every command reads the same files the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import abnormal
from ..audit import sha256_file
from ..bidders import supplier_map
from ..clarifications import Outcomes, check_outcomes, revised_moderated
from ..errors import Problem, TenderInputError, raise_if
from ..inputs import (
    Inputs,
    display_path,
    load_inputs,
    load_tender,
    lots_refused,
    project_root,
    read_csv_text,
)
from ..model import Tender
from ..scoring import Evaluation, Sources, evaluate
from ..settlement import (
    ConflictDecision,
    NearTieDecision,
    OpenItem,
    check_conflict_decisions,
    check_near_tie_decisions,
    open_items,
)

if TYPE_CHECKING:
    from ..sensitivity import Case  # the analyses load only for the commands that run them


@dataclass(frozen=True)
class Run:
    """The settled evaluation, what was read to make it, and what the interviews changed.

    `evaluation` is the one result every document uses: the moderated marks with any
    clarification revisions recorded in `data.clarifications` applied. `before` is the
    evaluation as moderated, when revisions changed it; `outcomes` the interviews and
    revisions recorded (None when the definition names no outcomes file).
    """

    evaluation: Evaluation
    warnings: list[str]
    inputs: Inputs
    before: Evaluation | None = None
    outcomes: Outcomes | None = None
    revised: pd.DataFrame | None = None  # the moderated marks with the revisions applied
    near_ties: dict[str, NearTieDecision] = field(default_factory=dict)
    conflicts: dict[tuple[str, str], ConflictDecision] = field(default_factory=dict)

    def open_items(self) -> list[OpenItem]:
        """Every step the settled evaluation says is still open (`settlement.open_items`)."""
        return open_items(self.evaluation, self.outcomes, self.near_ties, self.inputs.decisions)

    @property
    def moderated(self) -> pd.DataFrame | None:
        """The moderated marks the settled evaluation used."""
        return self.revised if self.revised is not None else self.inputs.moderated


def evaluate_file(definition: str | Path | Tender, *, settled: bool = True) -> Run:
    """Evaluate the tender defined in `definition` (a path or a loaded Tender).

    With `settled` (the default) the clarification outcomes named in the definition are
    read and their revisions applied, so score, sensitivity, the report and the letters
    all state one result; `clarify` asks for the result as moderated instead.

    Raises:
        TenderInputError: every problem in the definition or its inputs.
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    refuse_lots(tender)
    inputs = load_inputs(tender, defer_price_problems=True)
    bidder_ids = list(inputs.bids["bidder_id"].astype(str)) if "bidder_id" in inputs.bids else []
    try:
        recorded = conflict_decisions(tender, bidder_ids)
    except TenderInputError as exc:
        raise TenderInputError([*inputs.problems, *exc.problems]) from None
    conflicts: dict[tuple[str, str], ConflictDecision] = {}
    fingerprints = dict(inputs.fingerprints)
    if recorded is not None:
        conflicts, name, sha = recorded
        fingerprints[name] = sha
    excluded = excluded_marks(conflicts)
    inputs = replace(inputs, fingerprints=fingerprints)
    sources = Sources(
        bids=inputs.names.get("bids", "bids"),
        marks=inputs.names.get("marks", "marks"),
        moderated=inputs.names.get("moderated", "moderated"),
    )
    try:
        evaluation = evaluate(
            tender,
            inputs.bids,
            inputs.marks,
            inputs.moderated,
            sources=sources,
            fingerprints=inputs.fingerprints,
            excluded_marks=excluded,
        )
    except TenderInputError as exc:
        raise TenderInputError([*inputs.problems, *exc.problems]) from None
    raise_if(inputs.problems)
    evaluation = evaluation.replaced(suppliers=supplier_map(inputs.bids))
    run = Run(evaluation, inputs.warnings, inputs, conflicts=conflicts)
    if settled and tender.data.clarifications is not None:
        run = _settle(run, sources)
    if settled:
        run = _with_near_tie_decisions(run)
    return _with_exclusions(_with_pricing(run))


def refuse_lots(tender: Tender) -> None:
    """A definition with lots is evaluated lot by lot (`workflows.lots`), never as one tender.

    Raises:
        TenderInputError: naming the lots and what to do instead.
    """
    if not tender.lots:
        return
    raise lots_refused(
        tender,
        "check, score, sensitivity, report or publish, which evaluate every lot, or a "
        "command's --lot",
    )


def _with_pricing(run: Run) -> Run:
    """Each evaluation carries how its evaluated prices were reached, line by line."""
    pricing = run.inputs.pricing
    if pricing is None:
        return run
    before = run.before and run.before.replaced(pricing=pricing)
    return replace(run, evaluation=run.evaluation.replaced(pricing=pricing), before=before)


def _with_exclusions(run: Run) -> Run:
    """Each evaluation carries why each excluded bid was not ranked, in the words of the
    tender's published rules, for the letters (never the panel's own text)."""
    from ..disqualified import rules_not_met

    bids, decisions = run.inputs.bids, run.inputs.decisions
    before = run.before and run.before.replaced(
        exclusions=rules_not_met(run.before, bids, decisions)
    )
    after = run.evaluation.replaced(exclusions=rules_not_met(run.evaluation, bids, decisions))
    return replace(run, evaluation=after, before=before)


def conflict_decisions(
    tender: Tender, bidder_ids: list[str]
) -> tuple[dict[tuple[str, str], ConflictDecision], str, str] | None:
    """The chair's recorded conflict decisions, the file's name and its SHA-256; None when
    the definition names no file or it is not yet provided.

    Raises:
        TenderInputError: every problem in the file, with its line and column.
    """
    if tender.data.conflict_decisions is None:
        return None
    path = tender.resolve(tender.data.conflict_decisions)
    if not path.exists():
        return None  # not yet provided: a declared conflict stays refused
    name = display_path(path, project_root(tender))
    decisions = check_conflict_decisions(
        read_csv_text(path, name), name, tender.panel_ids(), bidder_ids
    )
    return decisions, name, sha256_file(path)


def excluded_marks(
    decisions: dict[tuple[str, str], ConflictDecision],
) -> dict[tuple[str, str], str]:
    """(evaluator, bidder) → why: the marks the chair's decisions exclude from the evaluation."""
    return {key: d.note() for key, d in decisions.items() if d.excludes}


def _with_near_tie_decisions(run: Run) -> Run:
    """The recorded decisions not to interview, when the definition names a file that exists."""
    tender = run.evaluation.tender
    if tender.data.near_tie_decisions is None:
        return run
    path = tender.resolve(tender.data.near_tie_decisions)
    if not path.exists():
        return run  # not yet provided: every near-tie stays an open item
    name = display_path(path, project_root(tender))
    decisions = check_near_tie_decisions(
        read_csv_text(path, name), name, list(run.evaluation.table["bidder_id"])
    )
    settled = run.evaluation.replaced(
        fingerprints={**run.evaluation.fingerprints, name: sha256_file(path)}
    )
    return replace(run, evaluation=settled, near_ties=decisions)


def _settle(run: Run, sources: Sources) -> Run:
    """Apply the recorded clarification revisions: the result every document states."""
    before = run.evaluation
    tender = before.tender
    assert tender.data.clarifications is not None
    path = tender.resolve(tender.data.clarifications)
    if not path.exists():
        return run  # not yet provided: no interview is recorded
    name = display_path(path, project_root(tender))
    outcomes = check_outcomes(
        read_csv_text(path, name), name, tender, list(before.table["bidder_id"])
    )
    fingerprints = {**before.fingerprints, name: sha256_file(path)}
    moderated = run.inputs.moderated
    if not outcomes.revisions:
        settled = before.replaced(fingerprints=fingerprints)
        return Run(settled, run.warnings, run.inputs, None, outcomes, conflicts=run.conflicts)
    if moderated is None:
        raise TenderInputError(
            [
                Problem(
                    name,
                    f"line {outcomes.revisions[0].line}, column revised_mark",
                    "a revised mark, but the tender has no moderated marks yet",
                    "revisions only after moderation (data.moderated names the file)",
                )
            ]
        )
    revised = revised_moderated(moderated, outcomes, name)
    after = evaluate(
        tender,
        run.inputs.bids,
        run.inputs.marks,
        revised,
        sources=replace(sources, moderated=f"{sources.moderated} revised by {name}"),
        fingerprints=fingerprints,
        excluded_marks=before.excluded_marks,
    )
    after = after.replaced(suppliers=before.suppliers)
    return Run(after, run.warnings, run.inputs, before, outcomes, revised, conflicts=run.conflicts)


@dataclass(frozen=True)
class Loaded:
    """A case read from disk, its evaluation as it stands, and what was read."""

    case: Case
    evaluation: Evaluation
    warnings: list[str]
    names: dict[str, str]
    decisions: dict[str, abnormal.Decision] = field(default_factory=dict)


def load_case(definition: str | Path | Tender, *, settled: bool = True) -> Loaded:
    """Read the definition, its inputs and any recorded abnormally-low decisions.

    The case is the settled one (clarification revisions applied) unless `settled` is
    False, as `clarify` asks, to apply an outcomes file to the marks as moderated.

    Raises:
        TenderInputError: every problem found in the definition or its inputs.
    """
    run = evaluate_file(definition, settled=settled)
    inputs = run.inputs
    return Loaded(
        case_of(run), run.evaluation, list(run.warnings), dict(inputs.names), inputs.decisions
    )


def case_of(run: Run) -> Case:
    """The case the robustness analyses re-score: the run's bids and the marks it used."""
    from ..sensitivity import Case

    return Case(
        run.evaluation.tender,
        run.inputs.bids,
        run.inputs.marks,
        run.moderated,
        excluded_marks=dict(run.evaluation.excluded_marks),
    )


def check_named_files(ev: Evaluation) -> dict[str, str]:
    """Validate the clarification outcomes and abnormal-price decisions the definition names.

    Returns their fingerprints ({path: sha256}); files not named are skipped.

    Raises:
        TenderInputError: every problem in either file.
    """
    from ..clarifications import check_outcomes

    tender = ev.tender
    bidder_ids = list(ev.table["bidder_id"])
    problems = []
    out = {}
    for relative, check in (
        (tender.data.clarifications, lambda f, n: check_outcomes(f, n, tender, bidder_ids)),
        (
            tender.data.abnormally_low_decisions,
            lambda f, n: abnormal.check_decisions(f, n, bidder_ids),
        ),
    ):
        if relative is None:
            continue
        path = tender.resolve(relative)
        name = display_path(path, project_root(tender))
        try:
            check(read_csv_text(path, name), name)
        except TenderInputError as exc:
            problems += exc.problems
            continue
        out[name] = sha256_file(path)
    raise_if(problems)
    return out
