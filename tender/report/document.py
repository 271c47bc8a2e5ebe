"""Plain document data shared by the report, the letters and both renderers.

A `Document` is sections of blocks (paragraphs, bullet lists, tables, charts) holding
strings that are final: renderers lay them out and escape them, and never compute.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from .. import display

Style = Literal["body", "placeholder", "banner", "note", "heading"]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; `number` is its label ('2.11', '1.'), shown in a hanging indent."""

    text: str
    number: str = ""
    style: Style = "body"


@dataclass(frozen=True)
class Bullets:
    """A bullet list."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table. No `header`: a key-value block. Cells may hold paragraphs split by blank lines.

    `widths` are relative column widths; `numeric` lists right-aligned columns.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    caption: str = ""
    numeric: tuple[int, ...] = ()
    small: bool = False


@dataclass(frozen=True)
class ScoreBars:
    """Stacked bars: price score then quality score per bid, best first."""

    labels: tuple[str, ...]
    price: tuple[float, ...]
    quality: tuple[float, ...]
    maximum: float


@dataclass(frozen=True)
class WeightLines:
    """Each bid's total as a line in the price weight w: intercept + slope × w, w in 0-100.

    `highlight` are the labels drawn in colour (bids that lead somewhere, and the runner-up);
    `crossovers` are (price weight, label before, label after) where the leader changes.
    """

    labels: tuple[str, ...]
    intercept: tuple[float, ...]
    slope: tuple[float, ...]
    current: float
    crossovers: tuple[tuple[float, str, str], ...]
    highlight: tuple[str, ...]


@dataclass(frozen=True)
class Chart:
    """A figure with its caption and `alt`, the same facts as a table (for DOCX and readers)."""

    caption: str
    data: ScoreBars | WeightLines
    alt: Table | None = None


Block = Paragraph | Bullets | Table | Chart


@dataclass(frozen=True)
class Section:
    """A numbered section ('3', 'Appendix A') or unnumbered front matter ('')."""

    title: str
    blocks: tuple[Block, ...]
    number: str = ""
    new_page: bool = False  # starts a page, unless the page so far holds only a line or two
    keep_with_next: bool = False  # on the same page as the next section (both short)


@dataclass(frozen=True)
class Metadata:
    """Document properties, set explicitly so no login name or clock leaks into them."""

    title: str
    subject: str
    author: str
    keywords: str = ""
    language: str = "en-GB"  # BCP 47: the PDF's /Lang, the HTML's lang, the DOCX's language
    # the date the document bears (a report's meeting, a letter's sending): its created and
    # modified date unless SOURCE_DATE_EPOCH fixes another (`files.document_time`)
    date: date | None = None


@dataclass(frozen=True)
class Document:
    """A whole report or letter."""

    title: str
    sections: tuple[Section, ...]
    metadata: Metadata
    footer: str = ""
    missing: tuple[str, ...] = field(default_factory=tuple)
    draft: bool = False  # every page marked "DRAFT - not for issue"

    def text(self) -> str:
        """Every string in reading order (for tests and search), tables row by row."""
        out = [self.title]
        for section in self.sections:
            out.append(f"{section.number} {section.title}".strip())
            for block in section.blocks:
                out.extend(_block_text(block))
        return "\n".join(out)


DRAFT_MARK = "DRAFT - not for issue"


def as_draft(doc: Document, open_items: tuple[str, ...]) -> Document:
    """The document marked DRAFT on every page, its open items listed on the first.

    While the evaluation says a step is open, nothing in the document may read as settled:
    the recommendation is conditional on the items listed.
    """
    notice = Section(
        DRAFT_MARK.upper(),
        (
            Paragraph(
                "This document is a draft and must not be issued. The evaluation it reports "
                "says these steps are still open; its recommendation and figures are "
                "conditional on their outcome:",
                style="banner",
            ),
            Bullets(open_items or ("(none recorded)",)),
        ),
    )
    return replace(doc, sections=(notice, *doc.sections), draft=True)


def _block_text(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [f"{block.number} {block.text}".strip()]
    if isinstance(block, Bullets):
        return list(block.items)
    if isinstance(block, Table):
        lines = [block.caption] if block.caption else []
        if block.header:
            lines.append(" | ".join(block.header))
        lines += [" | ".join(row) for row in block.rows]
        return lines
    return [block.caption, *(_block_text(block.alt) if block.alt else [])]


def alt_text(chart: Chart) -> str:
    """What a chart shows, in words, for a picture's alternative text.

    Read from the chart's caption and its table (`Chart.alt`), never from its data, so the
    figures are the ones the table prints, rounded as it rounds them.
    """
    table = chart.alt
    if table is None or not table.rows:
        return chart.caption
    rows = []
    for row in table.rows:
        pairs = ", ".join(
            f"{name} {value}" for name, value in zip(table.header[1:], row[1:], strict=False)
        )
        rows.append(f"{row[0]}: {pairs}" if pairs else row[0])
    return display.sentence(f"{chart.caption} " + "; ".join(rows))
