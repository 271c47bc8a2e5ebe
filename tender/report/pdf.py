"""Document → PDF with reportlab platypus.

Layout only: every string comes from the `Document`. Long cells wrap, tables split across
pages with their header row repeated, and the file is byte-reproducible (`invariant=1`,
fixed metadata, fonts shipped with reportlab).
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import charts, document
from .fonts import BOLD, REGULAR, fit, printable, register

MARGIN = 20 * mm
HEADER_FILL = colors.HexColor("#dde5ee")
KEY_FILL = colors.HexColor("#f2f2f2")
RULE = colors.HexColor("#9aa5b1")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=13, spaceAfter=5)
    return {
        "body": base,
        "numbered": ParagraphStyle("numbered", base, leftIndent=30, bulletIndent=0),
        "bullet": ParagraphStyle("bullet", base, leftIndent=44, bulletIndent=32, spaceAfter=2),
        "placeholder": ParagraphStyle(
            "placeholder",
            base,
            fontName=BOLD,
            textColor=colors.HexColor("#b00020"),
            backColor=colors.HexColor("#fff3b0"),
            leftIndent=30,
            bulletIndent=0,
        ),
        "banner": ParagraphStyle(
            "banner",
            base,
            fontName=BOLD,
            textColor=colors.HexColor("#b00020"),
            borderColor=colors.HexColor("#b00020"),
            borderWidth=1,
            borderPadding=5,
            spaceBefore=6,
            spaceAfter=10,
        ),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11, textColor=colors.grey),
        "title": ParagraphStyle(
            "title", base, fontName=BOLD, fontSize=17, leading=21, spaceAfter=10
        ),
        "heading": ParagraphStyle(
            "heading",
            base,
            fontName=BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=6,
            keepWithNext=1,
        ),
        "caption": ParagraphStyle("caption", base, fontName=BOLD, fontSize=9, spaceBefore=4),
        "figure": ParagraphStyle("figure", base, fontSize=8.5, leading=11, spaceAfter=8),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5, spaceAfter=2),
        "cell-small": ParagraphStyle("cell-small", base, fontSize=7.5, leading=9, spaceAfter=1),
        "head": ParagraphStyle(
            "head", base, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0
        ),
        "head-small": ParagraphStyle(
            "head-small", base, fontName=BOLD, fontSize=7.5, leading=9, spaceAfter=0
        ),
    }


def text(value: str) -> str:
    """Plain text made safe for reportlab's paragraph markup."""
    return escape(printable(value))


class _Renderer:
    def __init__(self, width: float) -> None:
        self.width = width
        self.styles = _styles()

    def block(self, block: document.Block) -> list[Flowable]:
        if isinstance(block, document.Paragraph):
            return [self.paragraph(block)]
        if isinstance(block, document.Bullets):
            return [
                Paragraph(text(item), self.styles["bullet"], bulletText="•") for item in block.items
            ]
        if isinstance(block, document.Table):
            return self.table(block)
        return self.chart(block)

    def paragraph(self, block: document.Paragraph) -> Flowable:
        style = {"placeholder": "placeholder", "banner": "banner", "note": "note"}.get(
            block.style, "numbered" if block.number else "body"
        )
        if block.style == "heading":
            style = "heading"
        bullet = text(block.number) if block.number else None
        return Paragraph(text(block.text), self.styles[style], bulletText=bullet)

    def _cell(self, value: str, style: ParagraphStyle, right: bool) -> list[Flowable]:
        indent = len(value) - len(value.lstrip(" "))
        if indent:  # leading spaces mark a sub-criterion: indent, as spaces would collapse
            style = ParagraphStyle(f"{style.name}-i{indent}", style, leftIndent=2.5 * indent)
            value = value.lstrip(" ")
        if right:
            style = ParagraphStyle(f"{style.name}-r", style, alignment=TA_RIGHT)
        parts = [p for p in value.split("\n\n")] or [""]
        return [Paragraph(text(p).replace("\n", "<br/>"), style) for p in parts]

    def table(self, block: document.Table) -> list[Flowable]:
        small = "-small" if block.small else ""
        body, head = self.styles[f"cell{small}"], self.styles[f"head{small}"]
        rows: list[list[Any]] = []
        if block.header:
            rows.append(
                [self._cell(h, head, i in block.numeric) for i, h in enumerate(block.header)]
            )
        for row in block.rows:
            cells = []
            for i, value in enumerate(row):
                style = head if (not block.header and i == 0) else body
                cells.append(self._cell(value, style, i in block.numeric and bool(block.header)))
            rows.append(cells)
        total = sum(block.widths)
        widths = [self.width * w / total for w in block.widths]
        table = Table(rows, colWidths=widths, repeatRows=1 if block.header else 0, hAlign="LEFT")
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if block.header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
        else:
            commands.append(("BACKGROUND", (0, 0), (0, -1), KEY_FILL))
        table.setStyle(TableStyle(commands))
        out: list[Flowable] = []
        if block.caption:
            # keep the caption with at least the table's first rows, not with all of it
            out.append(CondPageBreak(70))
            out.append(Paragraph(text(block.caption), self.styles["caption"]))
        out += [table, Spacer(1, 8)]
        return out

    def chart(self, block: document.Chart) -> list[Flowable]:
        if isinstance(block.data, document.ScoreBars):
            drawing = charts.score_bars(block.data, self.width)
        else:
            drawing = charts.weight_lines(block.data, self.width)
        caption = Paragraph(text(block.caption), self.styles["figure"])
        return [Spacer(1, 4), KeepTogether([drawing, caption])]

    def section(self, section: document.Section, first: bool) -> list[Flowable]:
        out: list[Flowable] = []
        if section.new_page and not first:
            out.append(PageBreak())
        if section.number:
            label = section.number + ("." if section.number.isdigit() else ":")
            out.append(CondPageBreak(120))  # a heading never ends a page
            out.append(Paragraph(text(f"{label} {section.title}"), self.styles["heading"]))
        else:
            out.append(Paragraph(text(section.title), self.styles["title"]))
        for block in section.blocks:
            out += self.block(block)
        return out


def render_pdf(doc: document.Document) -> bytes:
    """The document as PDF bytes; the same document always gives the same bytes."""
    register()
    buffer = io.BytesIO()
    meta = doc.metadata
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=printable(meta.title),
        author=printable(meta.author),
        subject=printable(meta.subject),
        keywords=printable(meta.keywords),
        creator="tender",
        producer="tender (reportlab)",
        invariant=1,
    )
    renderer = _Renderer(template.width)
    story: list[Flowable] = []
    for position, section in enumerate(doc.sections):
        story += renderer.section(section, position == 0)
    footer = fit(doc.footer, template.width - 50)

    def on_page(canvas: Any, page: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 12 * mm, footer)
        canvas.drawRightString(A4[0] - MARGIN, 12 * mm, f"Page {page.page}")
        canvas.restoreState()

    template.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
