"""Load a tender definition and its inputs, then evaluate: the one call most callers need."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import TenderInputError, raise_if
from .inputs import Inputs, load_inputs, load_tender
from .model import Tender
from .scoring import Evaluation, Sources, evaluate


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
