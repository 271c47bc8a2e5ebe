"""Document → PDF with reportlab platypus.

Layout only: every string comes from the `Document`. Long cells wrap between words, a
column is widened to hold its longest word where the page allows and a token still too
long (a file name, a hash, a name in Japanese) is broken after '/', '-' or '.' or between
characters, never letter by letter; tables split across pages with their header row
repeated, and the file is byte-reproducible (`invariant=1`, fixed metadata, bundled fonts).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import XMP, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText

from ..files import document_time, iso_time
from . import charts, document, fonts
from .fonts import BOLD, REGULAR, escape, fit, printable, register

MARGIN = 20 * mm
CELL_PADDING = 4.0  # left and right, each
WIDEST_COLUMN = 0.6  # of the text width: a column never widens past this for one word
NEARLY_EMPTY = 0.2  # of the page: below this, a section that starts a page follows on
HEADER_FILL = colors.HexColor("#dde5ee")
KEY_FILL = colors.HexColor("#f2f2f2")
RULE = colors.HexColor("#9aa5b1")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body",
        fontName=REGULAR,
        bulletFontName=REGULAR,
        fontSize=9.5,
        leading=13,
        spaceAfter=5,
        allowWidows=0,  # a paragraph's last line never starts a page alone
        allowOrphans=0,  # nor its first line ends one
    )
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
        "key": ParagraphStyle("key", base, fontSize=7.5, leading=9.5, spaceAfter=1),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=10.5, spaceAfter=2),
        "cell-small": ParagraphStyle("cell-small", base, fontSize=7.5, leading=9, spaceAfter=1),
        "head": ParagraphStyle(
            "head", base, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0
        ),
        "head-small": ParagraphStyle(
            "head-small", base, fontName=BOLD, fontSize=7.5, leading=9, spaceAfter=0
        ),
    }


def text(value: str, font: str = REGULAR) -> str:
    """Plain text as reportlab paragraph markup, in the bundled fonts that have it."""
    return fonts.markup(value, font)


class _RightToLeft(Paragraph):  # type: ignore[misc]
    """A paragraph holding right-to-left text. It is wrapped here, on its shaped logical
    text, at the width the layout offers; each line is then put in display order and set
    with an explicit break, so reportlab draws lines it has no reason to wrap again."""

    def __init__(
        self,
        text: str | None,
        style: ParagraphStyle,
        bulletText: str | None = None,
        frags: list[Any] | None = None,
    ) -> None:
        super().__init__("" if frags is None else text, style, bulletText, frags)
        self.logical = text if frags is None else None  # the pieces of a split are laid out
        self.laid_at: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        style = self.style
        if self.logical is not None and availWidth != self.laid_at:
            room = availWidth - style.leftIndent - style.firstLineIndent - style.rightIndent
            lines = [
                fonts.visual(line)
                for part in self.logical.split("\n")
                for line in fonts.wrap(part, room - 0.5, style.fontSize, style.fontName)
            ]
            markup = "<br/>".join(text(line, style.fontName) for line in lines)
            self._setup(markup, style, self.bulletText, None, cleanBlockQuotedText)
            self.laid_at = availWidth
        return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return]


def para(value: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """Plain text as a paragraph; right-to-left text is wrapped and reordered line by line."""
    if fonts.right_to_left(value):
        return _RightToLeft(value, style, bulletText=bullet)
    return Paragraph(text(value, style.fontName), style, bulletText=bullet)


def _cell_markup(value: str, style: ParagraphStyle, room: float) -> str:
    """One paragraph of a cell; a word wider than `room` is broken where it sensibly can."""
    lines = []
    for line in value.split("\n"):
        words = []
        for word in line.split(" "):
            if word and fonts.width(word, style.fontName, style.fontSize) > room:
                pieces = fonts.break_token(word, room, style.fontSize, style.fontName)
                words.append("<br/>".join(text(p, style.fontName) for p in pieces))
            else:
                words.append(text(word, style.fontName))
        lines.append(" ".join(words))
    return "<br/>".join(lines)


def _longest_word(value: str, style: ParagraphStyle) -> float:
    indent = 2.5 * (len(value) - len(value.lstrip(" ")))
    words = value.split()
    return indent + max((fonts.width(w, style.fontName, style.fontSize) for w in words), default=0)


def column_widths(proportions: list[float], need: list[float], room: float) -> list[float]:
    """Widths in proportion, except that a column too narrow for its longest word takes
    that word's width (up to WIDEST_COLUMN of the page) and the others share the rest."""
    total = sum(proportions)
    share = [room * w / total for w in proportions]
    need = [min(n, room * WIDEST_COLUMN) for n in need]
    widths, locked = share[:], set()
    while True:
        short = {i for i, w in enumerate(widths) if i not in locked and w < need[i] - 0.01}
        if not short:
            return widths
        locked |= short
        left = room - sum(need[i] for i in locked)
        others = [i for i in range(len(widths)) if i not in locked]
        if not others or left <= 0:
            return _squeezed(need, locked, room)
        widths = _shared(need, share, locked, others, left)


def _squeezed(need: list[float], locked: set[int], room: float) -> list[float]:
    """No room left for the rest: the locked columns scaled to the page, the others nothing."""
    scale = room / sum(need[i] for i in locked) if locked else 1.0
    return [need[i] * scale if i in locked else 0.0 for i in range(len(need))]


def _shared(
    need: list[float], share: list[float], locked: set[int], others: list[int], left: float
) -> list[float]:
    """The locked columns at their need, the others sharing what is left in proportion."""
    weight = sum(share[i] for i in others)
    return [need[i] if i in locked else left * share[i] / weight for i in range(len(need))]


def _table_style(header: bool) -> TableStyle:
    """Rules, padding and fill: the header row shaded, or the key column when there is none."""
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # not Helvetica: every font embedded
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    else:
        commands.append(("BACKGROUND", (0, 0), (0, -1), KEY_FILL))
    return TableStyle(commands)


class _Renderer:
    def __init__(self, width: float, frame_height: float) -> None:
        self.width = width
        self.frame_height = frame_height
        self.styles = _styles()

    def block(self, block: document.Block) -> list[Flowable]:
        if isinstance(block, document.Paragraph):
            return [self.paragraph(block)]
        if isinstance(block, document.Bullets):
            return [para(item, self.styles["bullet"], bullet="•") for item in block.items]
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
        chosen = self.styles[style]
        return para(block.text, chosen, bullet)

    def _cell(self, value: str, style: ParagraphStyle, right: bool, width: float) -> list[Flowable]:
        indent = len(value) - len(value.lstrip(" "))
        if indent:  # leading spaces mark a sub-criterion: indent, as spaces would collapse
            style = ParagraphStyle(f"{style.name}-i{indent}", style, leftIndent=2.5 * indent)
            value = value.lstrip(" ")
        if right:
            style = ParagraphStyle(f"{style.name}-r", style, alignment=TA_RIGHT)
        room = max(width - 2 * CELL_PADDING - style.leftIndent - 0.5, 1.0)
        parts = [p for p in value.split("\n\n")] or [""]
        if fonts.right_to_left(value):
            return [para(p, style) for p in parts]
        return [Paragraph(_cell_markup(p, style, room), style) for p in parts]

    def _plan(self, block: document.Table) -> list[list[tuple[str, ParagraphStyle, bool]]]:
        """Each cell's text, style and right alignment: a header row, or a key column."""
        small = "-small" if block.small else ""
        body, head = self.styles[f"cell{small}"], self.styles[f"head{small}"]
        plan: list[list[tuple[str, ParagraphStyle, bool]]] = []
        if block.header:
            plan.append([(h, head, i in block.numeric) for i, h in enumerate(block.header)])
        for row in block.rows:
            plan.append(
                [
                    (
                        value,
                        head if (not block.header and i == 0) else body,
                        i in block.numeric and bool(block.header),
                    )
                    for i, value in enumerate(row)
                ]
            )
        return plan

    def table(self, block: document.Table) -> list[Flowable]:
        plan = self._plan(block)
        need = [0.0] * len(block.widths)
        for cells in plan:
            for i, (value, style, _right) in enumerate(cells):
                need[i] = max(need[i], _longest_word(value, style) + 2 * CELL_PADDING + 1)
        widths = column_widths(list(block.widths), need, self.width)
        rows: list[list[Any]] = [
            [self._cell(v, style, right, widths[i]) for i, (v, style, right) in enumerate(cells)]
            for cells in plan
        ]
        table = Table(rows, colWidths=widths, repeatRows=1 if block.header else 0, hAlign="LEFT")
        table.setStyle(_table_style(bool(block.header)))
        out: list[Flowable] = []
        if block.caption:
            # keep the caption with at least the table's first rows, not with all of it
            out.append(CondPageBreak(70))
            out.append(para(block.caption, self.styles["caption"]))
        out += [table, Spacer(1, 8)]
        return out

    def chart(self, block: document.Chart) -> list[Flowable]:
        key: list[str] = []
        drawing = charts.draw(block, self.width, key)
        caption = para(block.caption, self.styles["figure"])
        names = [para(f"[{n}] {name}", self.styles["key"]) for n, name in enumerate(key, start=1)]
        after = [Spacer(1, 6)] if names else []
        return [Spacer(1, 4), KeepTogether([drawing, caption, *names[:3]]), *names[3:], *after]

    def section(self, section: document.Section, first: bool) -> list[Flowable]:
        out: list[Flowable] = []
        if section.new_page and not first:
            # a new page, unless this one holds only a line or two (the tail of the section
            # before): a page is never left nearly empty
            out.append(CondPageBreak(self.frame_height * (1 - NEARLY_EMPTY)))
        if section.number:
            label = section.number + ("." if section.number.isdigit() else ":")
            out.append(CondPageBreak(120))  # a heading never ends a page
            heading = f"{label} {section.title}"
            out.append(para(heading, self.styles["heading"]))
        else:
            out.append(para(section.title, self.styles["title"]))
        for block in section.blocks:
            out += self.block(block)
        return out


class _Stamp:
    """The time reportlab writes as the info dictionary's CreationDate and ModDate."""

    def __init__(self, when: datetime) -> None:
        utc = when.astimezone(UTC)
        self.t = utc.timestamp()
        self.YMDhms = utc.timetuple()[:6]
        self.dhh = self.dmm = 0


class _UndatedInfo(PDFInfo):  # type: ignore[misc]  # reportlab ships no types
    """The info dictionary without CreationDate and ModDate: no date is known, and none is
    made up."""

    def format(self, document: Any) -> bytes:
        entries = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Producer": PDFString(self.producer),
            "Creator": PDFString(self.creator),
            "Subject": PDFString(self.subject),
            "Keywords": PDFString(self.keywords),
            "Trapped": PDFName(self.trapped),
        }
        formatted: bytes = PDFDictionary(entries).format(document)
        return formatted


def _dated(canvas: Any, when: datetime | None) -> Any:
    """The canvas's document dated `when` (info dictionary and file identifier), or with no
    date entries when None."""
    pdf = canvas._doc
    if when is None:
        undated = _UndatedInfo()
        undated.__dict__.update(pdf.info.__dict__)
        pdf.info = undated
    else:
        pdf._timeStamp = _Stamp(when)
    return canvas


def xmp(meta: document.Metadata, when: datetime | None = None) -> bytes:
    """The XMP metadata packet: title, author, subject and language where every reader,
    `pdfinfo -meta` included, finds them (the info dictionary has no language entry), and
    the created and modified time `when`, the info dictionary's (none when None)."""
    dates = (
        f"<xmp:CreateDate>{iso_time(when)}</xmp:CreateDate>\n"
        f"<xmp:ModifyDate>{iso_time(when)}</xmp:ModifyDate>\n"
        if when is not None
        else ""
    )

    def alt(value: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:format>application/pdf</dc:format>
<dc:title>{alt(printable(meta.title))}</dc:title>
<dc:creator><rdf:Seq><rdf:li>{escape(printable(meta.author))}</rdf:li></rdf:Seq></dc:creator>
<dc:description>{alt(printable(meta.subject))}</dc:description>
<dc:language><rdf:Bag><rdf:li>{escape(meta.language)}</rdf:li></rdf:Bag></dc:language>
<pdf:Keywords>{escape(printable(meta.keywords))}</pdf:Keywords>
<pdf:Producer>tender (reportlab)</pdf:Producer>
<xmp:CreatorTool>tender</xmp:CreatorTool>
{dates}</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>
"""
    return packet.encode("utf-8")


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
        lang=meta.language,
        initialFontName=REGULAR,  # reportlab's default, Helvetica, would be referenced unembedded
    )
    renderer = _Renderer(template.width, template.height)
    story: list[Flowable] = []
    held: list[Flowable] = []  # a short section kept on one page with the next
    for position, section in enumerate(doc.sections):
        flowables = renderer.section(section, position == 0)
        if section.keep_with_next:
            held += flowables
            continue
        if held:  # kept whole, so a heading's own conditional break has nothing to do
            kept = [f for f in held + flowables if not isinstance(f, CondPageBreak)]
            flowables = [KeepTogether(kept)]
        story += flowables
        held = []
    story += held
    footer = fit(doc.footer, template.width - 50)

    when = document_time(meta.date)
    metadata = xmp(meta, when)

    def on_page(canvas: Any, page: Any) -> None:
        canvas._doc.Catalog.Metadata = XMP(creator=lambda _doc: metadata)
        canvas.saveState()
        if doc.draft:
            canvas.setFillColor(colors.red)
            canvas.setFont(fonts.BOLD, 11)
            canvas.drawCentredString(A4[0] / 2, A4[1] - 10 * mm, document.DRAFT_MARK)
        canvas.setFillColor(colors.grey)
        fonts.draw(canvas, MARGIN, 12 * mm, footer, REGULAR, 7.5)
        canvas.setFont(REGULAR, 7.5)
        canvas.drawRightString(A4[0] - MARGIN, 12 * mm, f"Page {page.page}")
        canvas.restoreState()

    def canvasmaker(*args: Any, **kwargs: Any) -> Any:
        return _dated(Canvas(*args, **kwargs), when)

    template.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=canvasmaker)
    return buffer.getvalue()
