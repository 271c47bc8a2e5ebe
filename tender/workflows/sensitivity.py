"""`tender sensitivity`'s twin: every robustness analysis of a tender, read once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, TenderInputError, raise_if
from ..inputs import load_tender
from ..lots import LotsEvaluation, allocate_lots
from ..model import Tender
from ..progress import Progress, tell
from ..robustness import Robustness, analyse
from ..robustness_document import Document, document
from .evaluation import Loaded, load_case


@dataclass(frozen=True)
class Analysed:
    """The case as read, the analyses, and their JSON-ready document."""

    loaded: Loaded
    robustness: Robustness
    document: Document

    @property
    def names(self) -> dict[str, str]:
        """Bidder names by id, for text output."""
        table = self.loaded.evaluation.table
        return dict(zip(table["bidder_id"], table["bidder"], strict=True))


@dataclass(frozen=True)
class LotsAnalysed:
    """Every lot's analyses, in lot order, and the lots' evaluations with the allocation."""

    lots: tuple[Analysed, ...]
    allocation: LotsEvaluation

    @property
    def warnings(self) -> list[str]:
        """Every lot's warnings, each prefixed with its lot."""
        return [
            f"lot {lot_id}: {warning}"
            for lot_id, analysed in zip(self.allocation.lot_ids, self.lots, strict=True)
            for warning in analysed.loaded.warnings
        ]


def sensitivity(
    definition: str | Path | Tender, progress: Progress | None = None
) -> Analysed | LotsAnalysed:
    """Run the price-weight, single-mark, leave-one-out, rank-reversal, near-tie, panel
    agreement and abnormal-price analyses; nothing is written.

    A definition with lots gives `LotsAnalysed`: every lot analysed on its own.
    `progress`, when given, is told each step (`tender.progress`).

    Raises:
        TenderInputError: every problem in the definition or its inputs (every lot's).
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    if not tender.lots:
        return _analysed(tender, progress)
    lots: list[Analysed] = []
    problems: list[Problem] = []
    for lot_id in tender.lot_ids():
        try:
            lots.append(_analysed(tender.lot(lot_id), progress, f"lot {lot_id}: "))
        except TenderInputError as exc:
            problems += exc.problems
    raise_if(problems)
    allocation = allocate_lots(tender, [lot.loaded.evaluation for lot in lots])
    return LotsAnalysed(tuple(lots), allocation)


def _analysed(definition: Tender, progress: Progress | None, lot: str = "") -> Analysed:
    tell(progress, f"{lot}Evaluating")
    loaded = load_case(definition)
    tell(progress, f"{lot}Testing the ranking's robustness")
    result = analyse(loaded.case, loaded.evaluation, loaded.decisions)
    return Analysed(loaded, result, document(result))
