"""`tender check`'s twin: what exists is checked, and what comes next is said.

Before marking, a sound definition and bids file are all a tender has: they are checked
(every bid's id, name, price and pass/fail columns) and the tender is OK for templates.
Once marks or moderated marks exist, everything the definition names is checked too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..audit import sha256_file
from ..errors import Problem, raise_if
from ..inputs import display_path, load_tender, parse_bids, project_root
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

    @property
    def ready_for(self) -> str:
        """'templates' before marking, else 'scoring'."""
        return "templates" if self.run is None else "scoring"


def check(definition: str | Path | Tender) -> Checked:
    """Check the definition and every file that exists; report all problems at once.

    A marks or moderated-marks file named in the definition that does not exist yet is
    "not yet provided", not an error.

    Raises:
        TenderInputError: every problem found, in every file.
    """
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
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


def _marked(tender: Tender) -> bool:
    """Whether any marks exist yet (returned, or moderated) for this tender."""
    named = [p for p in (tender.data.marks, tender.data.moderated) if p is not None]
    return any(tender.resolve(p).exists() for p in named)
