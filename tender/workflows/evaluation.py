"""Load a tender definition and its inputs, then evaluate: the one load-and-evaluate path.

Every workflow starts here, so every command reads the same files the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import abnormal
from ..audit import sha256_file
from ..errors import TenderInputError, raise_if
from ..inputs import Inputs, display_path, load_inputs, load_tender, project_root, read_csv_text
from ..model import Tender
from ..scoring import Evaluation, Sources, evaluate
from ..sensitivity import Case


@dataclass(frozen=True)
class Run:
    """An evaluation together with what was read to make it."""

    evaluation: Evaluation
    warnings: list[str]
    inputs: Inputs


def evaluate_file(definition: str | Path | Tender) -> Run:
    """Evaluate the tender defined in `definition` (a path or a loaded Tender).

    Raises:
        TenderInputError: every problem in the definition or its inputs.
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    inputs = load_inputs(tender, defer_price_problems=True)
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
        )
    except TenderInputError as exc:
        raise TenderInputError([*inputs.problems, *exc.problems]) from None
    raise_if(inputs.problems)
    return Run(evaluation, inputs.warnings, inputs)


@dataclass(frozen=True)
class Loaded:
    """A case read from disk, its evaluation as it stands, and what was read."""

    case: Case
    evaluation: Evaluation
    warnings: list[str]
    names: dict[str, str]
    decisions: dict[str, abnormal.Decision] = field(default_factory=dict)


def load_case(definition: str | Path | Tender) -> Loaded:
    """Read the definition, its inputs and any recorded abnormally-low decisions.

    Raises:
        TenderInputError: every problem found in the definition or its inputs.
    """
    run = evaluate_file(definition)
    inputs = run.inputs
    case = Case(run.evaluation.tender, inputs.bids, inputs.marks, inputs.moderated)
    return Loaded(case, run.evaluation, list(run.warnings), dict(inputs.names), inputs.decisions)


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
