"""Render the award report and the bidder letters into files (in memory, not yet written).

Everything is rendered before anything is written, so a refused letter leaves no
half-made set of outputs behind; the caller writes the result with `outputs.write_all`.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..clarifications import Outcomes
from ..errors import Problem, raise_if
from ..inputs import display_path, project_root
from ..progress import Progress, tell
from ..robustness import Robustness
from ..scoring import Evaluation
from ..settlement import OpenItem
from .content import confidential_content, report_content
from .document import Document, as_draft
from .docx import render_docx
from .html import render_html
from .letters import LetterBasis, check_completeness, letter_basis, letter_content, letter_slugs
from .narrative import Narrative
from .pdf import render_pdf

REPORT_STEM = "award-report"
LETTERS = "letters"
# Above this many letters they are rendered in worker processes: each costs a few tenths
# of a second, far more than handing a worker its share.
POOL_ABOVE = 20


@dataclass(frozen=True)
class ReportFiles:
    """File paths and their bytes, and warnings for the user."""

    files: dict[Path, bytes]
    warnings: list[str]


def render_report(
    ev: Evaluation,
    narrative: Narrative,
    folder: Path,
    *,
    letters: bool = True,
    open_items: Sequence[OpenItem] = (),
    draft: bool = False,
    clarified: tuple[Evaluation, Outcomes] | None = None,
    robustness: Robustness | None = None,
    outcomes: Outcomes | None = None,
    progress: Progress | None = None,
) -> ReportFiles:
    """The award report (PDF, DOCX, HTML) and, with `letters`, one letter per bidder (PDF, DOCX).

    While `open_items` lists a step the evaluation says is open, the report is marked
    DRAFT on every page with the items on its first page, and letters are refused; with
    `draft`, letters are written anyway, marked and listed the same way.

    Raises:
        TenderInputError: when letters are asked for, not as a draft, and an open item or
            the completeness check (a mark without a rationale, no letter date) stops them.
    """
    tell(progress, "Rendering the report")
    shown = tuple(str(item) for item in open_items)
    doc = report_content(ev, narrative, clarified, robustness)
    report = report_files(folder, doc, confidential_content(ev), narrative, shown)
    if not letters:
        return report
    files, warnings = dict(report.files), list(report.warnings)
    check = check_completeness(ev)
    blocking = [*_as_problems(ev, open_items), *check.problems]
    if not draft:
        raise_if(blocking)
    warnings += check.warnings
    listed = (*shown, *(str(p) for p in check.problems))
    target = (folder / LETTERS).resolve()
    slugs = letter_slugs(ev)
    for stem in slugs.values():
        for suffix in (".pdf", ".docx"):
            path = (target / stem).with_suffix(suffix)
            if path.resolve().parent != target:  # slugs are [a-z0-9-]; never leave the folder
                raise ValueError(f"letter path {path} is outside {target}")
    job = _LetterJob(ev, letter_basis(ev), outcomes, listed)
    rendered = _render_letters(job, list(slugs), progress=progress)
    for stem, (pdf, docx) in zip(slugs.values(), rendered, strict=True):
        files[folder / LETTERS / f"{stem}.pdf"] = pdf
        files[folder / LETTERS / f"{stem}.docx"] = docx
    return ReportFiles(files, warnings)


@dataclass(frozen=True)
class _LetterJob:
    """Everything a letter is made from, shared by every letter of the run."""

    ev: Evaluation
    basis: LetterBasis
    outcomes: Outcomes | None
    listed: tuple[str, ...]

    def render(self, bidder_id: str) -> tuple[bytes, bytes]:
        """One bidder's letter as (PDF, DOCX) bytes."""
        letter = letter_content(self.ev, bidder_id, self.outcomes, self.basis)
        if self.listed:
            letter = as_draft(letter, self.listed)
        return render_pdf(letter), render_docx(letter)


def report_files(
    folder: Path,
    doc: Document,
    confidential: Document,
    narrative: Narrative,
    open_items: tuple[str, ...] = (),
) -> ReportFiles:
    """The award report and its confidential appendix as PDF, DOCX and HTML, each marked
    DRAFT on every page while `open_items` names a step still open, and a warning for
    each narrative section the report shows as a placeholder."""
    if open_items:
        doc, confidential = as_draft(doc, open_items), as_draft(confidential, open_items)
    files = {
        folder / f"{REPORT_STEM}.pdf": render_pdf(doc),
        folder / f"{REPORT_STEM}.docx": render_docx(doc),
        folder / f"{REPORT_STEM}-confidential.pdf": render_pdf(confidential),
        folder / f"{REPORT_STEM}-confidential.docx": render_docx(confidential),
        folder / f"{REPORT_STEM}.html": render_html(doc),
        folder / f"{REPORT_STEM}-confidential.html": render_html(confidential, confidential=True),
    }
    source = narrative.source or "no narrative file"
    warnings = [
        f"{source}: section '{key}' is missing; the report shows a placeholder"
        for key in doc.missing
    ]
    return ReportFiles(files, warnings)


def _render_letters(
    job: _LetterJob,
    bidder_ids: list[str],
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[tuple[bytes, bytes]]:
    """Every letter's bytes, in `bidder_ids` order, serially or (many letters, several
    cores) in worker processes: the bytes are the same either way."""
    workers = workers or min(os.cpu_count() or 1, 8)
    serial = len(bidder_ids) <= POOL_ABOVE or workers < 2
    letters = map(job.render, bidder_ids) if serial else _in_pool(job, bidder_ids, workers)
    out = []
    for done, letter in enumerate(letters):
        tell(progress, "Rendering letters", done, len(bidder_ids))
        out.append(letter)
    return out


def _in_pool(job: _LetterJob, bidder_ids: list[str], workers: int) -> Iterator[tuple[bytes, bytes]]:
    """Letters rendered by `workers` processes, each given the job once; results in order.

    Forked where the platform can (the job is inherited, not pickled); spawned elsewhere.
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    chunk = max(1, len(bidder_ids) // (workers * 4))
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_adopt, initargs=(job,)
    ) as pool:
        yield from pool.map(_render_one, bidder_ids, chunksize=chunk)


_JOB: _LetterJob | None = None


def _adopt(job: _LetterJob) -> None:
    """A worker's start: keep the run's job for every letter it is handed."""
    global _JOB
    _JOB = job


def _render_one(bidder_id: str) -> tuple[bytes, bytes]:
    assert _JOB is not None, "a letter worker was started without its job"
    return _JOB.render(bidder_id)


def _as_problems(ev: Evaluation, items: Sequence[OpenItem]) -> list[Problem]:
    tender = ev.tender
    source = (
        display_path(tender.source, project_root(tender))
        if tender.source
        else tender.tender.reference
    )
    return [Problem(source, item.subject, item.found, item.expected) for item in items]
