"""Render the award report and the bidder letters into files (in memory, not yet written).

Everything is rendered before anything is written, so a refused letter leaves no
half-made set of outputs behind; the caller writes the result with `outputs.write_all`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import raise_if
from ..scoring import Evaluation
from .content import report_content
from .docx import render_docx
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
    ev: Evaluation, narrative: Narrative, folder: Path, *, letters: bool = True
) -> ReportFiles:
    """The award report (PDF, DOCX) and, with `letters`, one letter per bidder (PDF, DOCX).

    Raises:
        TenderInputError: when letters are asked for and the completeness check refuses
            them (a mark without a rationale, no moderated marks, no letter date).
    """
    doc = report_content(ev, narrative)
    files = {
        folder / f"{REPORT_STEM}.pdf": render_pdf(doc),
        folder / f"{REPORT_STEM}.docx": render_docx(doc),
    }
    source = narrative.source or "no narrative file"
    warnings = [
        f"{source}: section '{key}' is missing; the report shows a placeholder"
        for key in doc.missing
    ]
    if not letters:
        return ReportFiles(files, warnings)
    check = check_completeness(ev)
    raise_if(check.problems)
    warnings += check.warnings
    target = (folder / LETTERS).resolve()
    for bidder_id, stem in letter_slugs(ev).items():
        letter = letter_content(ev, bidder_id)
        for suffix, render in ((".pdf", render_pdf), (".docx", render_docx)):
            path = (target / stem).with_suffix(suffix)
            if path.resolve().parent != target:  # slugs are [a-z0-9-]; never leave the folder
                raise ValueError(f"letter path {path} is outside {target}")
            files[folder / LETTERS / path.name] = render(letter)
    return ReportFiles(files, warnings)
