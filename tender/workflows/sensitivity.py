"""`tender sensitivity`'s twin: every robustness analysis of a tender, read once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Tender
from ..robustness import Robustness, analyse
from ..robustness_document import document
from .evaluation import Loaded, load_case


@dataclass(frozen=True)
class Analysed:
    """The case as read, the analyses, and their JSON-ready document."""

    loaded: Loaded
    robustness: Robustness
    document: dict[str, Any]

    @property
    def names(self) -> dict[str, str]:
        """Bidder names by id, for text output."""
        table = self.loaded.evaluation.table
        return dict(zip(table["bidder_id"], table["bidder"], strict=True))


def sensitivity(definition: str | Path | Tender) -> Analysed:
    """Run the price-weight, single-mark, leave-one-out, rank-reversal, near-tie, panel
    agreement and abnormal-price analyses; nothing is written.

    Raises:
        TenderInputError: every problem in the definition or its inputs.
    """
    loaded = load_case(definition)
    result = analyse(loaded.case, loaded.evaluation, loaded.decisions)
    return Analysed(loaded, result, document(result))
