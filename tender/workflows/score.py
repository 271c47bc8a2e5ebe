"""`tender score`'s twin: evaluate, write reports/<tender>/results.*, record the run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..inputs import project_root
from ..model import Tender
from ..outputs import render_results
from .evaluation import Run, evaluate_file
from .runs import write_and_record


@dataclass(frozen=True)
class Scored:
    """An evaluation and the result files written for it."""

    run: Run
    folder: Path
    written: list[Path]


def score(definition: str | Path | Tender, out: Path | None = None) -> Scored:
    """Score every bid, write results.csv, results.json and results.xlsx, record the run.

    Raises:
        TenderInputError: every problem in the inputs, or an output the gate refuses.
    """
    run = evaluate_file(definition)
    ev = run.evaluation
    folder = out or project_root(ev.tender) / "reports" / ev.tender.slug
    results = render_results(ev, folder)
    written = write_and_record(ev, folder, results, "scored", out=out, doing="write the results")
    return Scored(run, folder, written)
