"""Render the award report and the bidder letters into files (in memory, not yet written).

Everything is rendered before anything is written, so a refused letter leaves no
half-made set of outputs behind; the caller writes the result with `outputs.write_all`.
"""

from __future__ import annotations

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
from .docx import render_docx
from .docx import template as docx_template
from .fonts import register
from .html import render_html
from .letters import LetterBasis, check_completeness, letter_basis, letter_content, letter_slugs
from .narrative import Narrative
from .pdf import render_pdf

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

REPORT_STEM = "award-report"
LETTERS = "letters"
REPORT_NAMES = tuple(
    f"{REPORT_STEM}{part}{suffix}"
    for part in ("", "-confidential")
    for suffix in (".pdf", ".docx", ".html")
)
# Above this many tasks (a report file, or a letter's PDF and DOCX) worker processes share
# them with this one. Forked, a worker starts with everything this process has loaded:
# on two cores, the reference report alone (6 tasks) rendered in 0.27 s instead of 0.34 s,
# with its six letters (12) in 0.42 s instead of 0.56 s (medians of ten runs each), fork
# and all. Spawned (where the platform cannot fork), a worker first imports the libraries
# again, about a second and a half: only many letters repay that.
POOL_ABOVE = 2
SPAWNED_ABOVE = 26

Task = tuple[Literal["report", "letter"], str]  # a report file's name, or a bidder's id
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
        return ReportFiles(_files(folder, job, _render(job, _tasks())), warnings)
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
    return ReportFiles(_files(folder, job, rendered, slugs), warnings)


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
    return ReportFiles(
        _files(folder, job, _render(job, _tasks())), _placeholders(job.doc, narrative)
    )


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
    job: _Job,
    rendered: Mapping[Task, tuple[bytes, ...]],
    slugs: Mapping[str, str] | None = None,
) -> dict[Path, bytes]:
    """The rendered bytes under their paths: the report's files, then each letter's."""
    files = {folder / name: rendered["report", name][0] for name in REPORT_NAMES}
    for bidder_id, stem in (slugs or {}).items():
        pdf, docx = rendered["letter", bidder_id]
        files[folder / LETTERS / f"{stem}.pdf"] = pdf
        files[folder / LETTERS / f"{stem}.docx"] = docx
    return files


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


@dataclass(frozen=True)
class _Job:
    """Everything a run's files are rendered from: the report and its appendix as their
    readers get them (DRAFT marks included) and, with letters, what each is made from.
    A worker is handed it once, then only the tasks' names."""

    doc: Document
    confidential: Document
    letters: _LetterJob | None = None

    def render(self, task: Task) -> tuple[bytes, ...]:
        """One task's bytes: a report file's, or a bidder's letter's (PDF, DOCX)."""
        kind, name = task
        if kind == "letter":
            assert self.letters is not None, "a letter asked of a run without letters"
            return self.letters.render(name)
        confidential = name.startswith(f"{REPORT_STEM}-confidential")
        doc = self.confidential if confidential else self.doc
        if name.endswith(".pdf"):
            return (render_pdf(doc),)
        if name.endswith(".docx"):
            return (render_docx(doc),)
        return (render_html(doc, confidential=confidential),)


def _tasks(bidder_ids: Sequence[str] = ()) -> list[Task]:
    """Every task of the run, the costliest first: the report's PDF and DOCX (every table
    and chart), the letters, then the appendix and the HTML. Taken in this order by
    whichever process is free (`_shared`), the last to finish are the quickest."""
    report: list[Task] = [("report", name) for name in REPORT_NAMES]
    return [*report[:2], *(("letter", b) for b in bidder_ids), *report[2:]]


def _render(
    job: _Job,
    tasks: list[Task],
    workers: int | None = None,
    progress: Progress | None = None,
) -> dict[Task, tuple[bytes, ...]]:
    """Every task's bytes, rendered here alone or shared with `workers` processes (by
    default one fewer than the cores, this process being the last): the same bytes either
    way."""
    workers = min(_cores() - 1 if workers is None else workers, len(tasks) - 1, 7)
    above = POOL_ABOVE if _START == "fork" else SPAWNED_ABOVE
    shared = len(tasks) > above and workers >= 1
    done: dict[Task, tuple[bytes, ...]] = {}
    letters, letters_done = sum(1 for kind, _ in tasks if kind == "letter"), 0
    for task, result in _shared(job, tasks, workers) if shared else _serial(job, tasks):
        done[task] = result
        if task[0] == "letter":
            letters_done += 1
            tell(progress, "Rendering letters", letters_done, letters)
    return done


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's under a CPU affinity
    mask, as in many containers)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _serial(job: _Job, tasks: list[Task]) -> Iterator[tuple[Task, tuple[bytes, ...]]]:
    for task in tasks:
        yield task, job.render(task)


def _shared(job: _Job, tasks: list[Task], workers: int) -> Iterator[tuple[Task, tuple[bytes, ...]]]:
    """Tasks rendered by this process and `workers` others: worker k starts on task k (so
    none is forked for nothing while this process starts on the next), then each claims
    the next task not yet claimed (one shared counter) until none is left. The costliest
    come first and whoever is free takes the next, so all finish at about the same time.
    This process's results come as each is done, a worker's when it has no task left.

    Workers are forked where the platform can (inheriting the job, and the fonts and
    DOCX template this process has read), spawned elsewhere (the job pickled once). A task
    that raises raises here, whichever process ran it; after one raises here, no process
    claims another.
    """
    context = multiprocessing.get_context(_START)
    _prepare()
    claimed = context.Value("i", workers)
    work = (job, tasks, claimed)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_adopt, initargs=work
    ) as pool:
        theirs = [pool.submit(_claim_all, k) for k in range(workers)]
        try:
            yield from _claim(job, tasks, claimed)
        except BaseException:
            with claimed.get_lock():
                claimed.value = len(tasks)
            raise
        for future in theirs:
            yield from future.result()


def _claim(
    job: _Job, tasks: list[Task], claimed: Synchronized[int]
) -> Iterator[tuple[Task, tuple[bytes, ...]]]:
    """Render the next unclaimed task, and the next, until every task is claimed."""
    while True:
        with claimed.get_lock():
            index = claimed.value
            claimed.value = index + 1
        if index >= len(tasks):
            return
        yield tasks[index], job.render(tasks[index])


def _prepare() -> None:
    """Read the bundled fonts and python-docx's template here, once, before any worker is
    forked: every worker then has them as this process does (see `fonts`, `docx`)."""
    register()
    docx_template()


_WORK: tuple[_Job, list[Task], Synchronized[int]] | None = None


def _adopt(job: _Job, tasks: list[Task], claimed: Synchronized[int]) -> None:
    """A worker's start: keep the run's job, its tasks and the counter they are claimed by."""
    global _WORK
    _WORK = (job, tasks, claimed)


def _claim_all(first: int) -> list[tuple[Task, tuple[bytes, ...]]]:
    """A worker's share: task `first`, then every task it claims, rendered."""
    assert _WORK is not None, "a rendering worker was started without its job"
    job, tasks, claimed = _WORK
    done = [(tasks[first], job.render(tasks[first]))] if first < len(tasks) else []
    return done + list(_claim(job, tasks, claimed))


def _as_problems(ev: Evaluation, items: Sequence[OpenItem]) -> list[Problem]:
    tender = ev.tender
    source = (
        display_path(tender.source, project_root(tender))
        if tender.source
        else tender.tender.reference
    )
    return [Problem(source, item.subject, item.found, item.expected) for item in items]
