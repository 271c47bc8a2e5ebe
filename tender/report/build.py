"""Render the award report and the bidder letters into files (in memory, not yet written).

Everything is rendered before anything is written, so a refused letter leaves no
half-made set of outputs behind; the caller writes the result with `outputs.write_all`.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from .document import as_draft
from .docx import render_docx
from .html import render_html
from .letters import check_completeness, letter_content, letter_slugs
from .narrative import Narrative
from .pdf import render_pdf

REPORT_STEM = "award-report"
LETTERS = "letters"


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
    doc = report_content(ev, narrative, clarified, robustness)
    shown = tuple(str(item) for item in open_items)
    if shown:
        doc = as_draft(doc, shown)
    confidential = confidential_content(ev)
    if shown:
        confidential = as_draft(confidential, shown)
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
    if not letters:
        return ReportFiles(files, warnings)
    check = check_completeness(ev)
    blocking = [*_as_problems(ev, open_items), *check.problems]
    if not draft:
        raise_if(blocking)
    warnings += check.warnings
    listed = (*shown, *(str(p) for p in check.problems))
    target = (folder / LETTERS).resolve()
    slugs = letter_slugs(ev)
    for done, (bidder_id, stem) in enumerate(slugs.items()):
        tell(progress, "Rendering letters", done, len(slugs))
        letter = letter_content(ev, bidder_id, outcomes)
        if listed:
            letter = as_draft(letter, listed)
        for suffix, render in ((".pdf", render_pdf), (".docx", render_docx)):
            path = (target / stem).with_suffix(suffix)
            if path.resolve().parent != target:  # slugs are [a-z0-9-]; never leave the folder
                raise ValueError(f"letter path {path} is outside {target}")
            files[folder / LETTERS / path.name] = render(letter)
    return ReportFiles(files, warnings)


def _as_problems(ev: Evaluation, items: Sequence[OpenItem]) -> list[Problem]:
    tender = ev.tender
    source = (
        display_path(tender.source, project_root(tender))
        if tender.source
        else tender.tender.reference
    )
    return [Problem(source, item.subject, item.found, item.expected) for item in items]
