"""`tender report`'s twin: the award report and every bidder's letter, written at once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..audit import sha256_file
from ..errors import Problem, raise_if
from ..files import source_date
from ..inputs import display_path, load_tender, project_root
from ..model import Tender
from ..progress import Progress, tell
from ..report.build import render_report
from ..report.narrative import load_narrative
from ..report.workers import Renderers
from ..robustness import analyse
from ..scoring import Evaluation
from ..settlement import OpenItem
from .evaluation import Run, case_of, evaluate_file
from .lots import LotsRun, evaluate_lots_file
from .runs import write_and_record, write_and_record_for


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


@dataclass(frozen=True)
class LotsReported:
    """`Reported` for a definition with lots: every lot's run, the documents, the warnings."""

    run: LotsRun
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
    renderers: Renderers | None = None,
) -> Reported | LotsReported:
    """Render the award report (PDF, DOCX) and, unless `letters` is False, every letter.

    Everything is rendered before anything is written; a refused letter writes nothing.
    `progress`, when given, is told each step (`tender.progress`). `renderers`, started
    before anything was loaded (`start_renderers`), share the rendering with this process.
    While the evaluation says a step is open (`Run.open_items`), the report is a DRAFT and
    letters are refused, unless `draft` asks for every document marked DRAFT anyway.

    Every document's created and modified date is SOURCE_DATE_EPOCH when set, else the
    date it bears (`files.document_time`), so the same inputs give the same bytes.

    Raises:
        TenderInputError: every problem in the inputs or the letters' completeness check,
            an output the gate refuses, or a SOURCE_DATE_EPOCH that is not a time.
    """
    source_date()  # a SOURCE_DATE_EPOCH that is not a time is refused before any work
    tell(progress, "Evaluating")
    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    if tender.lots:
        return report_lots(
            tender, out, letters=letters, draft=draft, progress=progress, renderers=renderers
        )
    run = evaluate_file(tender)
    run = replace(run, evaluation=_with_narrative(run.evaluation))  # one evaluation throughout
    ev = run.evaluation
    folder = out or project_root(ev.tender) / "reports" / ev.tender.slug
    narrative = load_narrative(ev.tender)
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
        renderers=renderers,
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
    return ev.replaced(fingerprints={**ev.fingerprints, name: sha256_file(path)})


def report_lots(
    tender: Tender,
    out: Path | None = None,
    *,
    letters: bool = True,
    draft: bool = False,
    progress: Progress | None = None,
    renderers: Renderers | None = None,
) -> LotsReported:
    """`report` for a definition with lots: one report for every lot, and the allocation.

    While any lot's evaluation says a step is open, the report is a DRAFT listing each
    lot's open items, and letters (one per bidder, covering every lot it bid for) are
    refused unless `draft` asks for them marked DRAFT too.

    Raises:
        TenderInputError: every problem in every lot's inputs; with letters and not
            `draft`, any lot's open step or failed letters check; an output the gate refuses.
    """
    from ..report.lots_report import render_lots_report

    lots_run = evaluate_lots_file(tender)
    lots = lots_run.evaluation
    folder = out or project_root(tender) / "reports" / tender.slug
    narrative = load_narrative(tender)
    tell(progress, "Testing the ranking's robustness")
    # each lot's run with its evaluation as awarded: the one the report reads, so that
    # what is worked out for the open items is not worked out again for the report
    runs = [replace(run, evaluation=ev) for run, ev in zip(lots_run.runs, lots.lots, strict=True)]
    robustness = [analyse(case_of(run), run.evaluation, run.inputs.decisions) for run in runs]
    still_open = [
        (lot_id, item)
        for lot_id, run in zip(lots.lot_ids, runs, strict=True)
        for item in run.open_items()
    ]
    open_items = [f"lot {lot_id}: {item}" for lot_id, item in still_open]
    tell(progress, "Rendering the report")
    rendered = render_lots_report(
        lots, narrative, folder, open_items=open_items, robustness=robustness, renderers=renderers
    )
    warnings = [*lots_run.warnings, *rendered.warnings]
    files = dict(rendered.files)
    if letters:
        warnings += _lots_letters(lots_run, folder, still_open, files, draft=draft)
    tell(progress, "Writing the documents")
    fingerprints = {k: v for ev in lots.lots for k, v in _with_narrative(ev).fingerprints.items()}
    written = write_and_record_for(
        [tender, *(ev.tender for ev in lots.lots)],
        dict(sorted(fingerprints.items())),
        lots.provisional,
        folder,
        files,
        "reported",
        out=out,
        doing="write the report",
    )
    return LotsReported(lots_run, folder, written, warnings)


def _lots_letters(
    lots_run: LotsRun,
    folder: Path,
    still_open: list[tuple[str, OpenItem]],
    files: dict[Path, bytes],
    *,
    draft: bool,
) -> list[str]:
    """Add every bidder's letter to `files`; refused (unless `draft`) while any lot has an
    open step (`still_open`: each lot's, as the report found them) or fails the letters'
    completeness check. Returns the check's warnings."""
    from ..report.lots_letters import lots_check_completeness, render_lots_letters

    lots = lots_run.evaluation
    check = lots_check_completeness(lots)
    tender = lots.tender
    blocking = [
        Problem(_name(tender), f"lot {lot_id}: {item.subject}", item.found, item.expected)
        for lot_id, item in still_open
    ]
    if not draft:
        raise_if([*blocking, *check.problems])
    listed = (
        *(f"lot {lot_id}: {item}" for lot_id, item in still_open),
        *(str(p) for p in check.problems),
    )
    outcomes = {
        lot_id: run.outcomes for lot_id, run in zip(lots.lot_ids, lots_run.runs, strict=True)
    }
    files.update(render_lots_letters(lots, folder, listed=listed, outcomes=outcomes))
    return check.warnings


def _name(tender: Tender) -> str:
    if tender.source is None:
        return "the definition"
    return display_path(tender.source, project_root(tender))
