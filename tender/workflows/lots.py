"""Load and evaluate a definition with lots, and pick one lot for a per-lot command.

`evaluate_lots_file` runs the one load-and-evaluate path (`evaluation.evaluate_file`) on
every lot, so each lot reads its own files exactly as a tender does, then awards the lots
(`lots.allocate_lots`). `lot_definition` is how `--lot L` turns a definition into the
tender a per-lot command works on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, TenderInputError, raise_if
from ..inputs import display_path, load_tender, project_root
from ..lots import LotsEvaluation, allocate_lots
from ..model import Tender
from .evaluation import Run, evaluate_file


@dataclass(frozen=True)
class LotsRun:
    """Each lot's run (its settled evaluation and what was read), in lot order, and the
    lots' evaluations with the allocation."""

    runs: tuple[Run, ...]
    evaluation: LotsEvaluation

    @property
    def warnings(self) -> list[str]:
        """Every lot's warnings, each prefixed with its lot."""
        return [
            f"lot {lot_id}: {warning}"
            for lot_id, run in zip(self.evaluation.lot_ids, self.runs, strict=True)
            for warning in run.warnings
        ]


def evaluate_lots_file(definition: str | Path | Tender, *, settled: bool = True) -> LotsRun:
    """Evaluate every lot of the definition, each on its own, and award the lots.

    Raises:
        TenderInputError: every problem in every lot's inputs (each lot's files are named
            in its problems), or a definition without lots.
    """
    tender = _loaded(definition)
    if not tender.lots:
        raise TenderInputError(
            [Problem(_name(tender), "lots", "a definition without lots", "a definition with lots")]
        )
    runs: list[Run] = []
    problems: list[Problem] = []
    for lot_id in tender.lot_ids():
        try:
            runs.append(evaluate_file(tender.lot(lot_id), settled=settled))
        except TenderInputError as exc:
            problems += exc.problems
    raise_if(problems)
    return LotsRun(tuple(runs), allocate_lots(tender, [run.evaluation for run in runs]))


def lot_definition(definition: str | Path | Tender, lot: str | None) -> Tender:
    """The tender a per-lot command works on: lot `lot` of a definition with lots, or the
    definition itself when it has none.

    Raises:
        TenderInputError: `--lot` missing on a definition with lots, given on one without,
            or naming no lot of the definition.
    """
    tender = _loaded(definition)
    ids = tender.lot_ids()
    if lot is None and not ids:
        return tender
    if lot is None:
        found, expected = "no --lot", f"--lot naming one of its lots: {', '.join(ids)}"
    elif not ids:
        found, expected = f"--lot {lot}", "no --lot: this definition has no lots"
    elif lot not in ids:
        found, expected = f"--lot {lot}", f"one of its lots: {', '.join(ids)}"
    else:
        return tender.lot(lot)
    raise TenderInputError([Problem(_name(tender), "--lot", found, expected)])


def _loaded(definition: str | Path | Tender) -> Tender:
    return definition if isinstance(definition, Tender) else load_tender(definition)


def _name(tender: Tender) -> str:
    if tender.source is None:
        return "the definition"
    return display_path(tender.source, project_root(tender))
