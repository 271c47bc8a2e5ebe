"""Document → one self-contained, accessible HTML file (the report a council publishes).

Layout only, like the PDF and DOCX: every string comes from the `Document`, and every
block type is rendered generically, so a new section or table appears without work here.
Semantic structure for screen readers (landmarks, headings, tables with captions and
header cells, charts as inline SVG images with a text alternative and their table), the
document's language, a print stylesheet, and the DRAFT or CONFIDENTIAL mark on screen
and on every printed page. All text is escaped; nothing is loaded from anywhere else.
"""

from __future__ import annotations

import re
from html import escape

from . import charts, document, svg

TEXT_WIDTH = 481.89  # points: the PDF's text width (A4 less 20 mm margins); charts scale
CONFIDENTIAL_MARK = "CONFIDENTIAL - not for publication"
MARGIN_TEXT = "font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; font-size: 7.5pt;"
GREY = "color: #555;"
NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

STYLE = """
:root { color-scheme: light; }
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; font-size: 1rem;
  line-height: 1.5; color: #1a1a1a; background: #fff; margin: 0; }
main, .doc-footer p { max-width: 52rem; margin: 0 auto; padding: 0 1.25rem; }
header { position: sticky; top: 0; z-index: 1; }
.mark { margin: 0; padding: 0.4rem 1.25rem; text-align: center; font-weight: bold;
  color: #fff; background: #b00020; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 1.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.75rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
p { margin: 0 0 0.6rem; }
p.numbered { padding-left: 3rem; text-indent: -3rem; }
p.numbered .number { display: inline-block; width: 3rem; text-indent: 0; }
.placeholder { font-weight: bold; color: #b00020; background: #fff3b0; }
.banner { font-weight: bold; color: #b00020; border: 2px solid #b00020; padding: 0.5rem;
  margin: 0.75rem 0 1rem; }
.note { font-size: 0.9rem; color: #555; }
ul { margin: 0 0 0.8rem; padding-left: 2.75rem; }
.table { overflow-x: auto; margin: 0 0 1.25rem; }
.table:focus { outline: 2px solid #1f4e79; outline-offset: 2px; }
table { border-collapse: collapse; font-size: 0.9rem; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid #9aa5b1; padding: 0.25rem 0.4rem; vertical-align: top;
  text-align: left; overflow-wrap: anywhere; }
thead th, thead td { background: #dde5ee; font-weight: bold; }
tbody th { font-weight: normal; }
table.key tbody th { background: #f2f2f2; font-weight: bold; width: 42%; }
td.num, th.num { text-align: right; }
td p, th p { margin: 0 0 0.3rem; }
td p:last-child, th p:last-child { margin: 0; }
figure { margin: 1rem 0 1.5rem; }
figure svg { display: block; width: 100%; height: auto; max-width: 50rem; }
figcaption { font-size: 0.9rem; margin-top: 0.25rem; }
.chart-key { font-size: 0.8rem; margin: 0; }
details { margin-top: 0.5rem; }
summary { cursor: pointer; color: #1f4e79; text-decoration: underline; }
.doc-footer { border-top: 1px solid #9aa5b1; margin-top: 2rem; padding: 0.75rem 0;
  font-size: 0.85rem; color: #555; }
@media print {
  @page { size: A4; margin: 20mm 20mm 24mm; }
  body { font-size: 9.5pt; line-height: 1.35; color: #000; }
  main, .doc-footer p { max-width: none; padding: 0; }
  header { position: static; }
  .mark { background: none; color: #b00020; border: 1px solid #b00020; padding: 1mm; }
  .doc-footer { font-size: 7.5pt; }
  h1 { font-size: 17pt; margin-top: 0; }
  h2 { font-size: 11.5pt; }
  h1, h2, h3, caption { break-after: avoid; }
  .new-page { break-before: page; }
  table { font-size: 8.5pt; }
  .table { overflow: visible; }
  tr, figure { break-inside: avoid; }
  thead { display: table-header-group; }
  details { display: none; }
  a { color: inherit; }
}
"""


def css_string(value: str) -> str:
    """`value` as a quoted CSS string that cannot end the string or the style element."""
    out = []
    for ch in NOT_TEXT.sub("\ufffd", value):
        out.append(ch if ch.isalnum() or ch in " .,:;-()[]·" else f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def page_margins(marks: list[str], footer: str) -> str:
    """Print rules for every page's margins: the marks at the top, the footer and page
    number at the bottom, as on the PDF's pages (CSS paged media margin boxes)."""
    boxes = []
    if marks:
        boxes.append(
            f"@top-center {{ content: {css_string(' · '.join(marks))}; {MARGIN_TEXT} "
            "color: #b00020; font-weight: bold; font-size: 11pt; }"
        )
    if footer:
        boxes.append(f"@bottom-left {{ content: {css_string(footer)}; {MARGIN_TEXT} {GREY} }}")
    boxes.append(f'@bottom-right {{ content: "Page " counter(page); {MARGIN_TEXT} {GREY} }}')
    return "@media print { @page { " + " ".join(boxes) + " } }"


def text(value: str) -> str:
    """Plain text as HTML: escaped, and characters HTML cannot carry shown as U+FFFD."""
    return escape(NOT_TEXT.sub("\ufffd", value), quote=True)


def _cell(value: str) -> tuple[str, str]:
    """A cell's markup and any indent style: paragraphs split by blank lines, lines by \\n."""
    indent = len(value) - len(value.lstrip(" "))
    parts = value.lstrip(" ").split("\n\n")
    lines = ["<br>".join(text(line) for line in part.split("\n")) for part in parts]
    markup = lines[0] if len(lines) == 1 else "".join(f"<p>{line}</p>" for line in lines)
    style = f' style="padding-left: {0.4 + 0.25 * indent:g}rem"' if indent else ""
    return markup, style


def _header_cells(block: document.Table) -> str:
    """The header row's cells; an empty heading is a plain cell, not a column header."""
    cells = []
    for i, head in enumerate(block.header):
        num = ' class="num"' if i in block.numeric else ""
        markup, style = _cell(head)
        tag = "th" if head.strip() else "td"
        scope = ' scope="col"' if tag == "th" else ""
        cells.append(f"<{tag}{scope}{num}{style}>{markup}</{tag}>")
    return "".join(cells)


def _row_cells(block: document.Table, row: tuple[str, ...]) -> str:
    """One body row's cells; its first, when not empty, is the row's header."""
    cells = []
    for i, value in enumerate(row):
        markup, style = _cell(value)
        num = ' class="num"' if block.header and i in block.numeric else ""
        if i == 0 and value.strip():
            cells.append(f'<th scope="row"{num}{style}>{markup}</th>')
        else:
            cells.append(f"<td{num}{style}>{markup}</td>")
    return "".join(cells)


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.count = {"table": 0, "figure": 0, "section": 0}
        self.heading = ""  # the section's, naming a table that has no caption
        self.names: set[str] = set()  # each table's region has a name of its own

    def ident(self, kind: str) -> str:
        self.count[kind] += 1
        return f"{kind}-{self.count[kind]}"

    def paragraph(self, block: document.Paragraph) -> None:
        if block.style == "heading":
            self.out.append(f"<h3>{text(block.text)}</h3>")
            return
        classes: list[str] = [] if block.style == "body" else [block.style]
        body = text(block.text)
        if block.style == "placeholder":
            body = f"<strong>{body}</strong>"
        if block.number:
            classes.append("numbered")
            body = f'<span class="number">{text(block.number)}</span>{body}'
        role = ' role="note"' if block.style == "banner" else ""
        attribute = f' class="{" ".join(classes)}"' if classes else ""
        self.out.append(f"<p{attribute}{role}>{body}</p>")

    def table(self, block: document.Table, label: str = "") -> None:
        """A table in a focusable region, so a wide one scrolls by keyboard on a phone."""
        ident = self.ident("table")
        classes = "" if block.header else ' class="key"'
        name = block.caption or label or f"Table in {self.heading}"
        if name in self.names:
            name = f"{name} ({self.count['table']})"
        self.names.add(name)
        self.out.append(
            f'<div class="table" role="region" aria-label="{text(name)}" tabindex="0">'
            f'<table id="{ident}"{classes}>'
        )
        if block.caption:
            self.out.append(f"<caption>{text(block.caption)}</caption>")
        if block.header:
            self.out.append(f"<thead><tr>{_header_cells(block)}</tr></thead>")
        self.out.append("<tbody>")
        for row in block.rows:
            self.out.append(f"<tr>{_row_cells(block, row)}</tr>")
        self.out.append("</tbody></table></div>")

    def chart(self, block: document.Chart) -> None:
        ident = self.ident("figure")
        key: list[str] = []
        drawing = charts.draw(block, TEXT_WIDTH, key)
        self.out.append(f'<figure aria-labelledby="{ident}-caption">')
        self.out.append(svg.to_svg(drawing, ident, block.caption, document.alt_text(block)))
        for n, name in enumerate(key, start=1):
            self.out.append(f'<p class="chart-key">{text(f"[{n}] {name}")}</p>')
        self.out.append(f'<figcaption id="{ident}-caption">{text(block.caption)}</figcaption>')
        if block.alt is not None:
            self.out.append("<details><summary>The figures as a table</summary>")
            self.table(block.alt, block.caption)
            self.out.append("</details>")
        self.out.append("</figure>")

    def section(self, section: document.Section, first: bool) -> None:
        ident = self.ident("section")
        page = ' class="new-page"' if section.new_page and not first else ""
        self.out.append(f'<section{page} aria-labelledby="{ident}">')
        if section.number:
            label = section.number + ("." if section.number.isdigit() else ":")
            self.heading = f"{label} {section.title}"
            self.out.append(f'<h2 id="{ident}">{text(self.heading)}</h2>')
        else:
            self.heading = section.title
            self.out.append(f'<h1 id="{ident}">{text(section.title)}</h1>')
        for block in section.blocks:
            if isinstance(block, document.Paragraph):
                self.paragraph(block)
            elif isinstance(block, document.Bullets):
                items = "".join(f"<li>{text(item)}</li>" for item in block.items)
                self.out.append(f"<ul>{items}</ul>")
            elif isinstance(block, document.Table):
                self.table(block)
            else:
                self.chart(block)
        self.out.append("</section>")


def render_html(doc: document.Document, *, confidential: bool = False) -> bytes:
    """The document as one UTF-8 HTML file; the same document always gives the same bytes.

    `confidential` marks every screen and printed page as not for publication and asks
    search engines not to index the file, should it reach a website by mistake.
    """
    meta = doc.metadata
    marks = [*([document.DRAFT_MARK] if doc.draft else []), *([CONFIDENTIAL_MARK] * confidential)]
    title = ": ".join([*marks, meta.title])
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{text(meta.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(title)}</title>",
        f'<meta name="author" content="{text(meta.author)}">',
        f'<meta name="description" content="{text(meta.subject)}">',
        f'<meta name="keywords" content="{text(meta.keywords)}">',
        '<meta name="generator" content="tender">',
        *(['<meta name="robots" content="noindex, nofollow">'] if confidential else []),
        f"<style>{STYLE}{page_margins(marks, doc.footer)}</style>",
        "</head>",
        "<body>",
    ]
    if marks:
        head.append(f'<header><p class="mark">{text(" · ".join(marks))}</p></header>')
    writer = _Writer()
    for position, section in enumerate(doc.sections):
        writer.section(section, position == 0)
    tail = []
    if doc.footer:
        tail.append(f'<footer class="doc-footer"><p>{text(doc.footer)}</p></footer>')
    page = [*head, "<main>", *writer.out, "</main>", *tail, "</body>", "</html>", ""]
    return "\n".join(page).encode("utf-8")
