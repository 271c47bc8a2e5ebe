"""`tender report`'s twin: the award report and every bidder's letter, written at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..inputs import project_root
from ..model import Tender
from .evaluation import Run, evaluate_file
from .runs import write_and_record


@dataclass(frozen=True)
class Reported:
    """The documents written, and every warning raised on the way."""

    run: Run
    folder: Path
    written: list[Path]
    warnings: list[str]

    @property
    def letters(self) -> int:
        """How many bidder letters were written (one PDF each)."""
        return sum(1 for p in self.written if p.parent.name == "letters" and p.suffix == ".pdf")


def report(
    definition: str | Path | Tender, out: Path | None = None, *, letters: bool = True
) -> Reported:
    """Render the award report (PDF, DOCX) and, unless `letters` is False, every letter.

    Everything is rendered before anything is written; a refused letter writes nothing.

    Raises:
        TenderInputError: every problem in the inputs or the letters' completeness check,
            or an output the gate refuses.
    """
    from ..report.build import render_report
    from ..report.narrative import load_narrative

    run = evaluate_file(definition)
    ev = run.evaluation
    folder = out or project_root(ev.tender) / "reports" / ev.tender.slug
    rendered = render_report(ev, load_narrative(ev.tender), folder, letters=letters)
    written = write_and_record(
        ev, folder, rendered.files, "reported", out=out, doing="write the report"
    )
    return Reported(run, folder, written, [*run.warnings, *rendered.warnings])
