"""Render the award report and the bidder letters into files (in memory, not yet written).

Everything is rendered before anything is written, so a refused letter leaves no
half-made set of outputs behind; the caller writes the result with `outputs.write_all`.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..clarifications import Outcomes
from ..errors import Problem, raise_if
from ..inputs import display_path, project_root
from ..progress import Progress, tell
from ..robustness import Robustness
from ..scoring import Evaluation
from ..settlement import OpenItem
from .content import confidential_content, report_content
from .document import Document, as_draft
from .letters import LetterBasis, check_completeness, letter_basis, letter_content, letter_slugs
from .narrative import Narrative

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import SynchronizedArray

Format = Literal["pdf", "docx", "html"]
LETTER_FORMATS: tuple[Format, ...] = ("pdf", "docx")

REPORT_STEM = "award-report"
CONFIDENTIAL_STEM = f"{REPORT_STEM}-confidential"
LETTERS = "letters"
REPORT_FORMATS: tuple[Format, ...] = ("pdf", "docx", "html")
# Above this many tasks (one file each: a report's PDF, say, or a letter's DOCX) worker
# processes share them with this one. Forked, a worker starts with everything this process
# has loaded; spawned (where the platform cannot fork), it first imports the libraries
# again, about a second and a half: only many letters repay that.
POOL_ABOVE = 4
SPAWNED_ABOVE = 52

Kind = Literal["report", "letter"]
# a report file (its stem: REPORT_STEM or CONFIDENTIAL_STEM) or a bidder's letter (the
# bidder's id), in one format
Task = tuple[Kind, str, Format]
_START = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


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
    job = _report_job(
        report_content(ev, narrative, clarified, robustness), confidential_content(ev), shown
    )
    warnings = _placeholders(job.doc, narrative)
    if not letters:
        return ReportFiles(_files(folder, _render(job, _tasks())), warnings)
    check = check_completeness(ev)
    blocking = [*_as_problems(ev, open_items), *check.problems]
    if not draft:
        raise_if(blocking)
    warnings += check.warnings
    listed = (*shown, *(str(p) for p in check.problems))
    slugs = letter_slugs(ev)
    _inside(folder / LETTERS, slugs.values())
    job = replace(job, letters=_LetterJob(ev, letter_basis(ev), outcomes, listed))
    rendered = _render(job, _tasks(list(slugs)), progress=progress)
    return ReportFiles(_files(folder, rendered, slugs), warnings)


def _inside(letters: Path, stems: Iterable[str]) -> None:
    target = letters.resolve()
    for stem in stems:
        for suffix in (".pdf", ".docx"):
            path = (target / stem).with_suffix(suffix)
            if path.resolve().parent != target:  # slugs are [a-z0-9-]; never leave the folder
                raise ValueError(f"letter path {path} is outside {target}")


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
    job = _report_job(doc, confidential, open_items)
    return ReportFiles(_files(folder, _render(job, _tasks())), _placeholders(job.doc, narrative))


def _report_job(doc: Document, confidential: Document, open_items: tuple[str, ...]) -> _Job:
    if open_items:
        doc, confidential = as_draft(doc, open_items), as_draft(confidential, open_items)
    return _Job(doc, confidential)


def _placeholders(doc: Document, narrative: Narrative) -> list[str]:
    source = narrative.source or "no narrative file"
    return [
        f"{source}: section '{key}' is missing; the report shows a placeholder"
        for key in doc.missing
    ]


def _files(
    folder: Path,
    rendered: Mapping[Task, bytes],
    slugs: Mapping[str, str] | None = None,
) -> dict[Path, bytes]:
    """The rendered bytes under their paths: the report's files, then each letter's."""
    files = {
        folder / f"{stem}.{form}": rendered["report", stem, form]
        for stem in (REPORT_STEM, CONFIDENTIAL_STEM)
        for form in REPORT_FORMATS
    }
    for bidder_id, stem in (slugs or {}).items():
        for form in LETTER_FORMATS:
            files[folder / LETTERS / f"{stem}.{form}"] = rendered["letter", bidder_id, form]
    return files


@dataclass(frozen=True)
class _LetterJob:
    """Everything a letter is made from, shared by every letter of the run."""

    ev: Evaluation
    basis: LetterBasis
    outcomes: Outcomes | None
    listed: tuple[str, ...]

    def content(self, bidder_id: str) -> Document:
        """One bidder's letter as its reader gets it (the DRAFT marks included)."""
        letter = letter_content(self.ev, bidder_id, self.outcomes, self.basis)
        return as_draft(letter, self.listed) if self.listed else letter


@dataclass(frozen=True)
class _Job:
    """Everything a run's files are rendered from: the report and its appendix as their
    readers get them (DRAFT marks included) and, with letters, what each is made from.
    A worker is handed it once, then only the tasks' names."""

    doc: Document
    confidential: Document
    letters: _LetterJob | None = None

    def render(self, task: Task) -> bytes:
        """One task's bytes: a report file's, or one format of a bidder's letter."""
        kind, name, form = task
        if kind == "letter":
            assert self.letters is not None, "a letter asked of a run without letters"
            return _rendered(self.letters.content(name), form)
        confidential = name == CONFIDENTIAL_STEM
        return _rendered(self.confidential if confidential else self.doc, form, confidential)


def _rendered(doc: Document, form: Format, confidential: bool = False) -> bytes:
    """`doc` in `form`. Each renderer is imported on its first use, so a worker that only
    ever makes DOCX files never loads reportlab's page layout, nor one making PDFs
    python-docx: forked before either is loaded, two processes load them side by side."""
    if form == "pdf":
        from .pdf import render_pdf

        return render_pdf(doc)
    if form == "docx":
        from .docx import render_docx

        return render_docx(doc)
    from .html import render_html

    return render_html(doc, confidential=confidential)


def _tasks(bidder_ids: Sequence[str] = ()) -> list[Task]:
    """Every task of the run, the costliest first: the report's PDF and DOCX (every table
    and chart), the letters, then the appendix and the HTML. Taken in this order by
    whichever process is free (`_shared`), the last to finish are the quickest."""
    return [
        ("report", REPORT_STEM, "pdf"),
        ("report", REPORT_STEM, "docx"),
        *(("letter", b, form) for b in bidder_ids for form in LETTER_FORMATS),
        *(("report", CONFIDENTIAL_STEM, form) for form in ("pdf", "docx")),
        ("report", REPORT_STEM, "html"),
        ("report", CONFIDENTIAL_STEM, "html"),
    ]


def _render(
    job: _Job,
    tasks: list[Task],
    workers: int | None = None,
    progress: Progress | None = None,
) -> dict[Task, bytes]:
    """Every task's bytes, rendered here alone or shared with `workers` processes (by
    default one fewer than the cores, this process being the last): the same bytes either
    way."""
    workers = min(_cores() - 1 if workers is None else workers, len(tasks) - 1, 7)
    above = POOL_ABOVE if _START == "fork" else SPAWNED_ABOVE
    shared = len(tasks) > above and workers >= 1
    done: dict[Task, bytes] = {}
    letters = {name for kind, name, _ in tasks if kind == "letter"}
    parts = {name: 0 for name in letters}
    letters_done = 0
    for task, result in _shared(job, tasks, workers) if shared else _serial(job, tasks):
        done[task] = result
        kind, name, _ = task
        if kind == "letter":
            parts[name] += 1
            if parts[name] == len(LETTER_FORMATS):
                letters_done += 1
                tell(progress, "Rendering letters", letters_done, len(letters))
    return done


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's under a CPU affinity
    mask, as in many containers)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _serial(job: _Job, tasks: list[Task]) -> Iterator[tuple[Task, bytes]]:
    for task in tasks:
        yield task, job.render(task)


def _lanes(tasks: list[Task]) -> tuple[list[Task], list[Task]]:
    """The tasks in two lanes, each in the run's order: those reportlab renders (PDF, and
    HTML, whose charts are its drawings) and those python-docx does."""
    docx = [task for task in tasks if task[2] == "docx"]
    return [task for task in tasks if task[2] != "docx"], docx


def _shared(job: _Job, tasks: list[Task], workers: int) -> Iterator[tuple[Task, bytes]]:
    """Tasks rendered by this process and `workers` others, in two lanes (`_lanes`): this
    process and every second worker take the PDF lane first, the others the DOCX lane;
    one who finds its lane empty takes from the other. Process k (this one is 0) starts
    on task k // 2 of its lane (so none is forked for nothing), then each claims the next
    task not yet claimed in a lane (a shared counter each) until none is left. The
    costliest come first in each lane and whoever is free takes the next, so all finish
    at about the same time. This process's results come as each is done, a worker's
    when it has no task left.

    Two lanes because the two libraries take a tenth of a second to load: the workers
    are forked before either is loaded (this process has loaded neither), and on two
    cores each process loads one while the other does, instead of this process loading
    both before anyone starts.

    Workers are forked where the platform can (inheriting the job), spawned elsewhere
    (the job pickled once). A task that raises raises here, whichever process ran it;
    after one raises here, no process claims another.
    """
    context = multiprocessing.get_context(_START)
    lanes = _lanes(tasks)
    processes = workers + 1
    claimed = context.Array("i", [(processes + 1) // 2, processes // 2])
    work = (job, lanes, claimed)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_adopt, initargs=work
    ) as pool:
        theirs = [pool.submit(_claim_all, k) for k in range(1, processes)]
        try:
            yield from _claim_all_here(job, lanes, claimed)
        except BaseException:
            with claimed.get_lock():
                claimed[0], claimed[1] = len(lanes[0]), len(lanes[1])
            raise
        for future in theirs:
            yield from future.result()


def _claim_all_here(
    job: _Job, lanes: tuple[list[Task], list[Task]], claimed: SynchronizedArray[int]
) -> Iterator[tuple[Task, bytes]]:
    """This process's share (it is process 0): the PDF lane's first task, then its claims."""
    if lanes[0]:
        yield lanes[0][0], job.render(lanes[0][0])
    yield from _claim(job, lanes, claimed, first=0)


def _claim(
    job: _Job, lanes: tuple[list[Task], list[Task]], claimed: SynchronizedArray[int], first: int
) -> Iterator[tuple[Task, bytes]]:
    """Render the next unclaimed task of lane `first`, or else of the other, and the next,
    until every task of both is claimed."""
    while True:
        task = None
        with claimed.get_lock():
            for lane in (first, 1 - first):
                index = claimed[lane]
                if index < len(lanes[lane]):
                    claimed[lane] = index + 1
                    task = lanes[lane][index]
                    break
        if task is None:
            return
        yield task, job.render(task)


_WORK: tuple[_Job, tuple[list[Task], list[Task]], SynchronizedArray[int]] | None = None


def _adopt(
    job: _Job, lanes: tuple[list[Task], list[Task]], claimed: SynchronizedArray[int]
) -> None:
    """A worker's start: keep the run's job, its lanes and the counters they are claimed by.

    Everything a forked worker inherits is frozen out of its garbage collections first
    (as `gc.freeze` advises for a fork): a collection that walked it would write to every
    page of it, and so copy them all (a third of a worker's first task's time, measured)."""
    global _WORK
    gc.freeze()
    _WORK = (job, lanes, claimed)


def _claim_all(k: int) -> list[tuple[Task, bytes]]:
    """Worker k's share: task k // 2 of its lane (the DOCX lane for odd k), then every
    task it claims, rendered."""
    assert _WORK is not None, "a rendering worker was started without its job"
    job, lanes, claimed = _WORK
    lane, index = k % 2, k // 2
    done = (
        [(lanes[lane][index], job.render(lanes[lane][index]))] if index < len(lanes[lane]) else []
    )
    return done + list(_claim(job, lanes, claimed, first=lane))


def _as_problems(ev: Evaluation, items: Sequence[OpenItem]) -> list[Problem]:
    tender = ev.tender
    source = (
        display_path(tender.source, project_root(tender))
        if tender.source
        else tender.tender.reference
    )
    return [Problem(source, item.subject, item.found, item.expected) for item in items]
