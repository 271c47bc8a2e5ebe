"""`tender check`'s twin: what exists is checked, and what comes next is said.

Before marking, a sound definition and bids file are all a tender has: they are checked
(every bid's id, name, price and pass/fail columns) and the tender is OK for templates.
Once marks or moderated marks exist, everything the definition names is checked too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..audit import sha256_file
from ..errors import Problem, TenderInputError, raise_if
from ..inputs import display_path, load_tender, parse_bids, project_root
from ..lots import LotsEvaluation, allocate_lots
from ..model import Tender
from ..panel import bidder_list
from .evaluation import Run, check_named_files, evaluate_file


@dataclass(frozen=True)
class Checked:
    """A sound tender: how far it has got, its evaluation once marked, every file read."""

    tender: Tender
    run: Run | None  # None before marking: nothing to evaluate yet
    fingerprints: dict[str, str]
    bids: int
    # A definition with lots: each lot checked as a tender, in lot order, and once every
    # lot is marked, the lots' evaluations with the allocation.
    lots: tuple[Checked, ...] = ()
    allocation: LotsEvaluation | None = None

    @property
    def ready_for(self) -> str:
        """'templates' before marking (before every lot is marked), else 'scoring'."""
        if self.lots:
            return "scoring" if all(lot.run is not None for lot in self.lots) else "templates"
        return "templates" if self.run is None else "scoring"


def check(definition: str | Path | Tender) -> Checked:
    """Check the definition and every file that exists; report all problems at once.

    A marks or moderated-marks file named in the definition that does not exist yet is
    "not yet provided", not an error.

    Raises:
        TenderInputError: every problem found, in every file.
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    if tender.lots:
        return _check_lots(tender)
    if _marked(tender):
        run = evaluate_file(tender)
        more = check_named_files(run.evaluation)
        prints = dict(sorted({**run.evaluation.fingerprints, **more}.items()))
        return Checked(tender, run, prints, len(run.evaluation.table))
    frame, problems = parse_bids(tender)
    bidders = bidder_list(tender)  # ids and names: what the templates will carry
    name = display_path(tender.resolve(tender.data.bids), project_root(tender))
    missing = [r.column for r in tender.requirements if r.column not in frame.columns]
    problems += [
        Problem(name, "header", f"no column {column}", f"the pass/fail column {column!r}")
        for column in missing
    ]
    raise_if(problems)
    root = project_root(tender)
    prints = {name: sha256_file(tender.resolve(tender.data.bids))}
    if tender.source is not None:
        prints[display_path(tender.source, root)] = sha256_file(tender.source)
    return Checked(tender, None, dict(sorted(prints.items())), len(bidders))


def _check_lots(tender: Tender) -> Checked:
    """Every lot checked as a tender; every problem of every lot reported at once."""
    lots: list[Checked] = []
    problems: list[Problem] = []
    for lot_id in tender.lot_ids():
        try:
            lots.append(check(tender.lot(lot_id)))
        except TenderInputError as exc:
            problems += exc.problems
    raise_if(problems)
    prints = {k: v for lot in lots for k, v in lot.fingerprints.items()}
    runs = [lot.run for lot in lots if lot.run is not None]
    allocation = None
    if len(runs) == len(lots):
        allocation = allocate_lots(tender, [run.evaluation for run in runs])
    return Checked(
        tender,
        None,
        dict(sorted(prints.items())),
        sum(lot.bids for lot in lots),
        tuple(lots),
        allocation,
    )


def _marked(tender: Tender) -> bool:
    """Whether any marks exist yet (returned, or moderated) for this tender."""
    named = [p for p in (tender.data.marks, tender.data.moderated) if p is not None]
    return any(tender.resolve(p).exists() for p in named)
