"""`tender report`'s twin: the award report and every bidder's letter, written at once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..audit import sha256_file
from ..inputs import display_path, project_root
from ..model import Tender
from ..progress import Progress, tell
from ..scoring import Evaluation
from .evaluation import Run, case_of, evaluate_file
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
    definition: str | Path | Tender,
    out: Path | None = None,
    *,
    letters: bool = True,
    draft: bool = False,
    progress: Progress | None = None,
) -> Reported:
    """Render the award report (PDF, DOCX) and, unless `letters` is False, every letter.

    Everything is rendered before anything is written; a refused letter writes nothing.
    `progress`, when given, is told each step (`tender.progress`).
    While the evaluation says a step is open (`Run.open_items`), the report is a DRAFT and
    letters are refused, unless `draft` asks for every document marked DRAFT anyway.

    Raises:
        TenderInputError: every problem in the inputs or the letters' completeness check,
            or an output the gate refuses.
    """
    from ..report.build import render_report
    from ..report.narrative import load_narrative
    from ..robustness import analyse

    tell(progress, "Evaluating")
    run = evaluate_file(definition)
    ev = run.evaluation
    folder = out or project_root(ev.tender) / "reports" / ev.tender.slug
    narrative = load_narrative(ev.tender)
    ev = _with_narrative(ev)
    clarified = (run.before, run.outcomes) if run.before and run.outcomes else None
    tell(progress, "Testing the ranking's robustness")
    robustness = analyse(case_of(run), run.evaluation, run.inputs.decisions)
    rendered = render_report(
        ev,
        narrative,
        folder,
        letters=letters,
        open_items=run.open_items(),
        draft=draft,
        clarified=clarified,
        robustness=robustness,
        outcomes=run.outcomes,
        progress=progress,
    )
    tell(progress, "Writing the documents")
    written = write_and_record(
        ev, folder, rendered.files, "reported", out=out, doing="write the report"
    )
    return Reported(run, folder, written, [*run.warnings, *rendered.warnings])


def _with_narrative(ev: Evaluation) -> Evaluation:
    """The evaluation with the narrative file's fingerprint, which the report also read."""
    from ..report.narrative import narrative_path

    path = narrative_path(ev.tender)
    if path is None or not path.is_file():
        return ev
    name = display_path(path, project_root(ev.tender))
    return replace(ev, fingerprints={**ev.fingerprints, name: sha256_file(path)})
