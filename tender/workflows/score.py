"""`tender score`'s twin: evaluate, write reports/<tender>/results.*, record the run.

On a definition with lots every lot is evaluated and its results written to
reports/<tender>/lots/<lot id>/, with allocation.csv and allocation.json beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..inputs import load_tender, project_root
from ..lots_results import lot_folder, render_lots_results
from ..model import Tender
from ..outputs import render_results
from .evaluation import Run, evaluate_file
from .lots import LotsRun, evaluate_lots_file
from .runs import write_and_record, write_and_record_for


@dataclass(frozen=True)
class Scored:
    """An evaluation and the result files written for it."""

    run: Run
    folder: Path
    written: list[Path]


@dataclass(frozen=True)
class LotsScored:
    """Every lot's evaluation and the allocation, and the files written for them."""

    run: LotsRun
    folder: Path
    written: list[Path]

    def lot_folder(self, lot_id: str) -> Path:
        """Where lot `lot_id`'s results were written."""
        return lot_folder(self.folder, lot_id)


def score(definition: str | Path | Tender, out: Path | None = None) -> Scored | LotsScored:
    """Score every bid, write results.csv, results.json and results.xlsx, record the run.

    A definition with lots gives `LotsScored`: each lot's results in lots/<lot id>/ and
    the allocation's files, written together and recorded as one run.

    Raises:
        TenderInputError: every problem in the inputs, or an output the gate refuses.
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    if tender.lots:
        return _score_lots(tender, out)
    run = evaluate_file(tender)
    ev = run.evaluation
    folder = out or project_root(ev.tender) / "reports" / ev.tender.slug
    results = render_results(ev, folder)
    written = write_and_record(ev, folder, results, "scored", out=out, doing="write the results")
    return Scored(run, folder, written)


def _score_lots(tender: Tender, out: Path | None) -> LotsScored:
    run = evaluate_lots_file(tender)
    lots = run.evaluation
    folder = out or project_root(tender) / "reports" / tender.slug
    fingerprints = {k: v for ev in lots.lots for k, v in ev.fingerprints.items()}
    written = write_and_record_for(
        [tender, *(ev.tender for ev in lots.lots)],
        dict(sorted(fingerprints.items())),
        lots.provisional,
        folder,
        render_lots_results(lots, folder),
        "scored",
        out=out,
        doing="write the results",
    )
    return LotsScored(run, folder, written)
