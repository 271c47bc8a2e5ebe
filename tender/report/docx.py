"""Document → DOCX with python-docx, for officers who edit the final wording.

Same content as the PDF. Each figure is the PDF's own drawing as a picture, with its
alternative text, followed by its data table (`Chart.alt`) for those who edit or listen.
Core properties are set explicitly (no login names) and the package is rewritten with
fixed times, so output is byte-reproducible.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.run import CT_R
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun

from ..files import document_time, reproducible_package
from . import charts, document, picture

NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
BREAKS = re.compile(r"[\t\n\r]")  # python-docx makes these <w:tab/> and <w:br/>
RED = RGBColor(0xB0, 0x00, 0x20)
APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>tender</Application></Properties>'
)
THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
HANGING = Mm(11)
TEXT_WIDTH_MM = 170  # A4 less 20 mm margins, as in the PDF, so a figure is drawn the same
# Style name → id in python-docx's default template, which every document starts from.
# python-docx finds an id by walking every style of the template on each use, which took
# a third of a letter's time; the same template always gives the same id.
_STYLE_IDS: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}


def clean(value: str) -> str:
    """Text Word can store: control characters (which XML forbids) become U+FFFD."""
    return NOT_XML.sub("\ufffd", value)


def _put_text(r: CT_R, text: str) -> None:
    """Put `text` in the empty run `r` as python-docx's `run.text = text` does: one <w:t>,
    its spaces kept. That setter walks the text a character at a time looking for tabs
    and breaks (a tenth of a letter's DOCX, timed); only text that has one is given to it."""
    if BREAKS.search(text):
        r.text = text
    elif text:
        r.add_t(text)


def _run(paragraph: DocxParagraph, text: str = "") -> DocxRun:
    """`paragraph.add_run(text)`, its text put by `_put_text`."""
    run = paragraph.add_run()
    _put_text(run._r, text)
    return run


def _repeat_header(table: DocxTable) -> None:
    row = table.rows[0]._tr
    properties = row.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _fill(cell: object, value: str, *, bold: bool = False, right: bool = False) -> None:
    indent = len(value) - len(value.lstrip(" "))
    parts = value.lstrip(" ").split("\n\n") or [""]
    tc = cell._tc  # type: ignore[attr-defined]
    first, prototype = tc.p_lst[0], _cell_paragraph(bold, right, indent)
    for n, part in enumerate(parts):
        paragraph = copy.deepcopy(prototype)
        if part:
            _put_text(paragraph.r_lst[0], clean(part))
        if n == 0:
            tc.replace(first, paragraph)
        else:
            tc.append(paragraph)


@cache
def _cell_paragraph(bold: bool, right: bool, indent: int) -> Any:
    """A table cell's paragraph with its formatting and one empty run, made by python-docx
    once per kind and then copied: its calls find where each property goes by walking the
    schema's order of elements, which took a third of a letter's time when made per cell."""
    paragraph = DocxParagraph(OxmlElement("w:p"), None)  # type: ignore[arg-type]
    run = paragraph.add_run()
    run.bold = bold
    run.font.size = Pt(9)
    paragraph.paragraph_format.space_before = Pt(1.5)
    paragraph.paragraph_format.space_after = Pt(1.5)
    if indent:  # leading spaces mark a sub-criterion
        paragraph.paragraph_format.left_indent = Pt(2.5 * indent)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return paragraph._p


@cache
def template(language: str = "en-GB") -> DocxDocument:
    """python-docx's default template with the body font, the language (what Word's
    spelling and a screen reader use) and the A4 page every document has: read and
    parsed once per process and language, then copied for each document (a copy takes
    half the time of parsing the template's parts again)."""
    doc = new_docx()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    tag = OxmlElement("w:lang")
    tag.set(qn("w:val"), language)
    normal.element.get_or_add_rPr().append(tag)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    return doc


@cache
def _styles(language: str) -> tuple[Any, bytes]:
    """The template's styles (349 kB of XML) and their bytes, serialised once: no
    document changes its styles, so every copy shares the one tree (`_Writer`) and is
    written with these bytes (`_members`), instead of copying it and serialising it
    again (3 ms of a letter's 15, timed)."""
    styles = template(language).styles.element
    return styles, serialize_part_xml(styles)


def prepare(language: str = "en-GB") -> None:
    """Read the template and serialise its styles now, not in the first document (a
    rendering worker's warm-up)."""
    _styles(language)


class _Writer:
    def __init__(self, language: str = "en-GB") -> None:
        styles, _ = _styles(language)
        self.language = language
        self.doc = copy.deepcopy(template(language), {id(styles): styles})

    def _style_id(self, name: str, kind: WD_STYLE_TYPE) -> str | None:
        if (name, kind) not in _STYLE_IDS:
            _STYLE_IDS[name, kind] = self.doc.part.get_style_id(name, kind)  # type: ignore[no-untyped-call]
        return _STYLE_IDS[name, kind]

    def styled(self, text: str, style: str) -> DocxParagraph:
        """A paragraph of `text` in the template's paragraph style `style` (as python-docx's
        add_paragraph(text, style) makes it, with the style's id looked up once)."""
        paragraph = self.doc.add_paragraph()
        if text:
            _run(paragraph, text)
        paragraph._p.style = self._style_id(style, WD_STYLE_TYPE.PARAGRAPH)
        return paragraph

    def paragraph(self, block: document.Paragraph) -> None:
        if block.style == "heading":
            self.styled(clean(block.text), "Heading 2")
            return
        paragraph = self.doc.add_paragraph()
        if block.number:
            paragraph.paragraph_format.left_indent = HANGING
            paragraph.paragraph_format.first_line_indent = -HANGING
            paragraph.paragraph_format.tab_stops.add_tab_stop(HANGING)
            _run(paragraph, clean(block.number) + "\t")
        run = _run(paragraph, clean(block.text))
        if block.style in ("placeholder", "banner"):
            run.bold = True
            run.font.color.rgb = RED
        if block.style == "note":
            run.font.size = Pt(9)

    def table(self, block: document.Table) -> None:
        if block.caption:
            caption = self.doc.add_paragraph()
            _run(caption, clean(block.caption)).bold = True
            caption.paragraph_format.keep_with_next = True
        columns = len(block.header) if block.header else len(block.widths)
        rows = len(block.rows) + (1 if block.header else 0)
        table = self.doc.add_table(rows=rows, cols=columns)
        table._tbl.tblStyle_val = self._style_id("Table Grid", WD_STYLE_TYPE.TABLE)
        total = sum(block.widths)
        widths = [Mm(170 * w / total) for w in block.widths]
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        values = [block.header, *block.rows] if block.header else list(block.rows)
        # row by row: python-docx's table.cell(r, c) walks the whole table on every call
        for r, (row, cells) in enumerate(zip(table.rows, values, strict=True)):
            is_header = bool(block.header) and r == 0
            for i, (cell, value) in enumerate(zip(row.cells, cells, strict=True)):
                cell.width = widths[i]
                _fill(
                    cell,
                    value,
                    bold=is_header or (not block.header and i == 0),
                    right=bool(block.header) and i in block.numeric,
                )
        if block.header:
            _repeat_header(table)
        self.doc.add_paragraph()

    def chart(self, block: document.Chart) -> None:
        key: list[str] = []
        drawing = charts.draw(block, TEXT_WIDTH_MM * 72 / 25.4, key)
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.keep_with_next = True
        shape = paragraph.add_run().add_picture(
            io.BytesIO(picture.png(drawing)), width=Mm(TEXT_WIDTH_MM)
        )
        properties = shape._inline.docPr
        properties.set("title", clean(block.caption))
        properties.set("descr", clean(document.alt_text(block)))
        for n, name in enumerate(key, start=1):
            entry = self.doc.add_paragraph()
            _run(entry, clean(f"[{n}] {name}")).font.size = Pt(8)
            entry.paragraph_format.space_after = Pt(0)
        note = self.doc.add_paragraph()
        _run(note, clean(block.caption)).italic = True
        if block.alt is not None:
            _run(note, " The table gives the figures the chart shows.")
            note.paragraph_format.keep_with_next = True
            self.table(block.alt)

    def section(self, section: document.Section, first: bool) -> None:
        start = len(self.doc.paragraphs)
        if section.new_page and not first:
            self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if section.number:
            label = section.number + ("." if section.number.isdigit() else ":")
            self.styled(clean(f"{label} {section.title}"), "Heading 1")
        else:
            self.styled(clean(section.title), "Title")
        for block in section.blocks:
            if isinstance(block, document.Paragraph):
                self.paragraph(block)
            elif isinstance(block, document.Bullets):
                for item in block.items:
                    self.styled(clean(item), "List Bullet")
            elif isinstance(block, document.Table):
                self.table(block)
            else:
                self.chart(block)
        if section.keep_with_next:  # Word keeps it on one page with the next section
            for paragraph in self.doc.paragraphs[start:]:
                paragraph.paragraph_format.keep_with_next = True

    def footer(self, value: str) -> None:
        paragraph = self.doc.sections[0].footer.paragraphs[0]
        run = _run(paragraph, clean(value) + "    Page ")
        run.font.size = Pt(8)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        paragraph._p.append(field)

    def header(self, value: str) -> None:
        """A line at the top of every page (the DRAFT mark)."""
        paragraph = self.doc.sections[0].header.paragraphs[0]
        run = _run(paragraph, clean(value))
        run.font.size = Pt(11)
        run.bold = True

    def properties(self, meta: document.Metadata) -> None:
        core = self.doc.core_properties
        core.title = clean(meta.title)
        core.subject = clean(meta.subject)
        core.author = clean(meta.author)
        core.keywords = clean(meta.keywords)
        core.language = clean(meta.language)  # the styles have it too (`template`)
        core.last_modified_by = "tender"
        core.comments = "Generated by tender"
        core.category = ""
        core.revision = 1  # created and modified: set by `reproducible_package`; never printed
        # python-docx's template carries another application's name and a thumbnail image
        package = self.doc.part.package
        for part in package.iter_parts():
            if part.partname == "/docProps/app.xml":
                part._blob = APP_XML
        for rel_id, rel in list(package.rels.items()):
            if rel.reltype == THUMBNAIL:
                del package.rels[rel_id]


def render_docx(doc: document.Document) -> bytes:
    """The document as DOCX bytes; the same document always gives the same bytes."""
    writer = _Writer(clean(doc.metadata.language))
    for position, section in enumerate(doc.sections):
        writer.section(section, position == 0)
    if doc.footer:
        writer.footer(doc.footer)
    if doc.draft:
        writer.header(document.DRAFT_MARK)
    writer.properties(doc.metadata)
    return reproducible_package(
        _members(writer.doc, writer.language), document_time(doc.metadata.date)
    )


def _members(docx: DocxDocument, language: str = "en-GB") -> Iterator[tuple[str, bytes]]:
    """The package's members, named and in order, as python-docx's `save` writes them
    (content types, package relationships, then each part and its relationships), for
    `reproducible_package` to compress once: `save` would deflate each, only for
    `reproducible_zip` to inflate and deflate them again with fixed times. The shared
    styles are written with their bytes serialised once (`_styles`)."""
    styles, written = _styles(language)
    package = docx.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    yield CONTENT_TYPES_URI.membername, _ContentTypesItem.from_parts(parts).blob  # type: ignore[no-untyped-call]
    yield PACKAGE_URI.rels_uri.membername, package.rels.xml
    for part in parts:
        shared = getattr(part, "_element", None) is styles
        yield part.partname.membername, written if shared else part.blob
        if len(part.rels):
            yield part.partname.rels_uri.membername, part.rels.xml
