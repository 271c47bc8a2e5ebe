"""Render the award report and the bidder letters into files (in memory, not yet written).

Everything is rendered before anything is written, so a refused letter leaves no
half-made set of outputs behind; the caller writes the result with `outputs.write_all`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
from .letters import check_completeness, letter_basis, letter_content, letter_slugs
from .narrative import Narrative
from .workers import (
    CONFIDENTIAL_STEM,
    LETTER_FORMATS,
    Format,
    Job,
    Renderers,
    Task,
    render_all,
)

REPORT_STEM = "award-report"
LETTERS = "letters"
REPORT_FORMATS: tuple[Format, ...] = ("pdf", "docx", "html")


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
    renderers: Renderers | None = None,
) -> ReportFiles:
    """The award report (PDF, DOCX, HTML) and, with `letters`, one letter per bidder (PDF, DOCX).

    While `open_items` lists a step the evaluation says is open, the report is marked
    DRAFT on every page with the items on its first page, and letters are refused; with
    `draft`, letters are written anyway, marked and listed the same way. `renderers`,
    started before the evaluation was loaded (`workers.start_renderers`), share the
    rendering; without them, workers are started here when there is enough to share.

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
        return ReportFiles(_files(folder, render_all(job, _tasks(), renderers)), warnings)
    check = check_completeness(ev)
    blocking = [*_as_problems(ev, open_items), *check.problems]
    if not draft:
        raise_if(blocking)
    warnings += check.warnings
    listed = (*shown, *(str(p) for p in check.problems))
    slugs = letter_slugs(ev)
    _inside(folder / LETTERS, slugs.values())
    basis = letter_basis(ev)
    contents = {}
    for bidder_id in slugs:  # every letter's content here, so a refused one stops all
        letter = letter_content(ev, bidder_id, outcomes, basis)
        contents[bidder_id] = as_draft(letter, listed) if listed else letter
    job = Job(job.doc, job.confidential, contents)
    rendered = render_all(job, _tasks(list(slugs)), renderers, progress)
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
    renderers: Renderers | None = None,
) -> ReportFiles:
    """The award report and its confidential appendix as PDF, DOCX and HTML, each marked
    DRAFT on every page while `open_items` names a step still open, and a warning for
    each narrative section the report shows as a placeholder."""
    job = _report_job(doc, confidential, open_items)
    return ReportFiles(
        _files(folder, render_all(job, _tasks(), renderers)), _placeholders(job.doc, narrative)
    )


def _report_job(doc: Document, confidential: Document, open_items: tuple[str, ...]) -> Job:
    if open_items:
        doc, confidential = as_draft(doc, open_items), as_draft(confidential, open_items)
    return Job(doc, confidential)


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


def _tasks(bidder_ids: Sequence[str] = ()) -> list[Task]:
    """Every task of the run, the costliest first: the report's PDF and DOCX (every table
    and chart), the letters, then the appendix and the HTML. Taken in this order by
    whichever process is free (`workers`), the last to finish are the quickest."""
    return [
        ("report", REPORT_STEM, "pdf"),
        ("report", REPORT_STEM, "docx"),
        *(("letter", b, form) for b in bidder_ids for form in LETTER_FORMATS),
        *(("report", CONFIDENTIAL_STEM, form) for form in ("pdf", "docx")),
        ("report", REPORT_STEM, "html"),
        ("report", CONFIDENTIAL_STEM, "html"),
    ]


def _as_problems(ev: Evaluation, items: Sequence[OpenItem]) -> list[Problem]:
    tender = ev.tender
    source = (
        display_path(tender.source, project_root(tender))
        if tender.source
        else tender.tender.reference
    )
    return [Problem(source, item.subject, item.found, item.expected) for item in items]
