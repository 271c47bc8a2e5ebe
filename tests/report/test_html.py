"""The accessible HTML report, parsed: structure, the same strings as the PDF, escaping.

The browser and axe-core checks are in test_html_browser.py.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import re
from pathlib import Path

import lxml.html

from tender.report.content import confidential_content, report_content
from tender.report.document import (
    DRAFT_MARK,
    Bullets,
    Chart,
    Document,
    Metadata,
    Paragraph,
    Section,
    Table,
    alt_text,
    as_draft,
)
from tender.report.html import CONFIDENTIAL_MARK, render_html
from tender.report.narrative import Narrative

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
HTML_MODULE = Path(__file__).resolve().parents[2] / "tender" / "report" / "html.py"
SVG = "{http://www.w3.org/2000/svg}"


def page(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(data)


def squash(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def test_reference_structure_language_headings_and_metadata(reference_ev, reference_narrative):
    root = page(render_html(report_content(reference_ev, reference_narrative)))
    assert root.get("lang") == "en-GB"
    assert root.findtext(".//title") == "Pest Control Arrangements: award recommendation"
    meta = {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}
    assert meta["author"] == "Maidstone Borough Council, for Maidstone and Swale Borough Councils"
    assert meta["description"] == "MBC-PEST-2016: award recommendation report"
    assert "robots" not in meta
    assert [squash(h.text_content()) for h in root.iter("h1")] == ["Pest Control Arrangements"]
    h2 = [squash(h.text_content()) for h in root.iter("h2")]
    assert h2[0] == "1. PURPOSE OF REPORT AND EXECUTIVE SUMMARY"
    assert "Appendix D: Sensitivity to the price weight" in h2 or any(
        h.startswith("Appendix D:") for h in h2
    )
    assert len(root.findall(".//main")) == 1
    assert root.find(".//footer").text_content() == (
        "MBC-PEST-2016 · Pest Control Arrangements · Public"
    )
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_table_1_has_a_caption_column_and_row_headers_and_the_published_figures(
    reference_ev, reference_narrative
):
    root = page(render_html(report_content(reference_ev, reference_narrative)))
    table = next(
        t
        for t in root.iter("table")
        if t.findtext("caption") == "Table 1: Scores from assessment panel."
    )
    heads = table.findall("thead/tr/th")
    assert [h.text_content() for h in heads] == [
        "Organisation",
        "Price Score",
        "Quality Weighted Score",
        "Total Score",
    ]
    assert {h.get("scope") for h in heads} == {"col"}
    rows = [[c.text_content() for c in tr] for tr in table.findall("tbody/tr")]
    with (REFERENCE / "expected-table-1.csv").open(encoding="utf-8") as handle:
        expected = [
            [r["organisation"], r["price_score"], r["quality_weighted_score"], r["total_score"]]
            for r in csv.DictReader(handle)
        ]
    assert rows == expected
    assert {tr[0].tag for tr in table.findall("tbody/tr")} == {"th"}
    assert {tr[0].get("scope") for tr in table.findall("tbody/tr")} == {"row"}
    region = table.getparent()
    assert (region.get("role"), region.get("tabindex")) == ("region", "0")
    assert region.get("aria-label") == "Table 1: Scores from assessment panel."


def test_charts_are_inline_svg_images_with_the_documents_text_alternative(
    reference_ev, reference_narrative
):
    doc = report_content(reference_ev, reference_narrative)
    charts = [b for s in doc.sections for b in s.blocks if isinstance(b, Chart)]
    root = page(render_html(doc))
    figures = list(root.iter("figure"))
    assert len(figures) == len(charts) == 2
    for figure, chart in zip(figures, charts, strict=True):
        svg = next(figure.iter(f"{SVG}svg", "svg"))
        assert svg.get("role") == "img"
        title = next(svg.iter(f"{SVG}title", "title"))
        desc = next(svg.iter(f"{SVG}desc", "desc"))
        assert title.text == chart.caption
        assert desc.text == alt_text(chart)
        assert svg.get("aria-labelledby") == title.get("id")
        assert svg.get("aria-describedby") == desc.get("id")
        assert figure.findtext("figcaption") == chart.caption
        assert figure.find(".//details/summary").text == "The figures as a table"
        assert figure.find(".//details//table") is not None
    # Figure 1's alternative reads the published Table 1
    assert "Company B: Price Score 57, Quality Weighted Score 22.1" in alt_text(charts[0])


def test_one_self_contained_file_with_a_print_stylesheet(reference_ev, reference_narrative):
    data = render_html(report_content(reference_ev, reference_narrative))
    root = page(data)
    assert root.findall(".//script") == []
    assert root.findall(".//link") == []
    assert root.findall(".//img") == []
    assert not [e for e in root.iter() if e.get("src") or e.get("href")]
    style = root.findtext(".//style")
    assert "@media print" in style
    assert "@page" in style
    assert "url(" not in style
    assert data.startswith(b"<!DOCTYPE html>")


def visible_text(root: lxml.html.HtmlElement) -> list[str]:
    """Every text node a reader sees outside the charts' drawings, the head and summaries."""
    skip = {"style", "title", "head", "summary", f"{SVG}svg", "svg"}
    found = []

    def walk(element: lxml.html.HtmlElement) -> None:
        if element.tag in skip:
            return
        if element.text and element.text.strip():
            found.append(squash(element.text))
        for child in element:
            walk(child)
            if child.tail and child.tail.strip():
                found.append(squash(child.tail))

    walk(root.find("body"))
    return found


def test_the_html_says_only_what_the_document_says(reference_ev, reference_narrative):
    """No figure of its own: every piece of text is a piece of the Document's strings."""
    doc = report_content(reference_ev, reference_narrative)
    source = squash(f"{doc.text()} {doc.footer}".replace("\n", " "))
    for piece in visible_text(page(render_html(doc))):
        label_as_in_the_pdf = re.sub(r"^(\d+|Appendix \w+)[.:] ", r"\1 ", piece)
        assert label_as_in_the_pdf in source, piece


def test_the_renderer_imports_no_evaluation():
    tree = ast.parse(HTML_MODULE.read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    } | {
        f".{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is None
        for alias in node.names
    }
    assert imported <= {"__future__", "html", ".", ".charts", ".document", ".svg"}, imported


def test_hostile_names_print_as_text(make_evaluation):
    ev = make_evaluation(3, "pa2023", long_names=False)
    table = ev.table.copy()
    table.loc[0, "bidder"] = '<script>alert("x")</script> & "Sons" <img src=x onerror=alert(1)>\x07'
    ev = dataclasses.replace(ev, table=table)
    data = render_html(report_content(ev, Narrative()))
    assert b"<script" not in data
    assert b"<img" not in data
    root = page(data)
    assert root.findall(".//script") == []
    assert root.findall(".//img") == []
    shown = '<script>alert("x")</script> & "Sons" <img src=x onerror=alert(1)>\ufffd'
    cells = [c.text_content() for c in root.iter("th")]
    assert shown in cells
    drawn = [t.text for t in root.iter(f"{SVG}text", "text")]
    assert any(t and "<script>" in t for t in drawn)


def test_a_draft_says_so_at_the_top_and_in_its_title(reference_ev, reference_narrative):
    doc = as_draft(
        report_content(reference_ev, reference_narrative), ("quality marks: PROVISIONAL",)
    )
    root = page(render_html(doc))
    mark = root.find(".//header/p")
    assert mark.get("class") == "mark"
    assert mark.text == DRAFT_MARK
    assert root.findtext(".//title").startswith(f"{DRAFT_MARK}: ")
    assert next(squash(h.text_content()) for h in root.iter("h1")) == "DRAFT - NOT FOR ISSUE"
    assert "quality marks: PROVISIONAL" in [li.text for li in root.iter("li")]
    banner = root.find(".//p[@class='banner']")
    assert banner.get("role") == "note"
    undrafted = page(render_html(report_content(reference_ev, reference_narrative)))
    assert undrafted.find(".//header") is None


def test_the_confidential_appendix_is_marked_and_not_for_indexing(reference_ev):
    root = page(render_html(confidential_content(reference_ev), confidential=True))
    meta = {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}
    assert meta["robots"] == "noindex, nofollow"
    assert root.find(".//header/p").text == CONFIDENTIAL_MARK
    assert root.findtext(".//title").startswith(f"{CONFIDENTIAL_MARK}: ")
    assert root.find(".//p[@class='banner']").text.startswith("CONFIDENTIAL: the evaluation")
    assert "Confidential: not for publication" in root.find(".//footer").text_content()


def test_every_block_type_renders_so_new_sections_need_no_work_here():
    doc = Document(
        "A new document",
        (
            Section("Front", (Table((), (("Committee", "Cabinet"),), (1, 1)),)),
            Section(
                "A section added later",
                (
                    Paragraph("Sub-heading", style="heading"),
                    Paragraph("Numbered text", "9.1"),
                    Paragraph("[NARRATIVE MISSING: x]", "9.2", style="placeholder"),
                    Paragraph("Small print", style="note"),
                    Bullets(("one", "two")),
                    Table(
                        ("Criterion", "Mark"),
                        (("Q1", "4"), ("  Q1a", "first\n\nsecond"), ("", "line\nbreak")),
                        (1, 1),
                        numeric=(1,),
                    ),
                ),
                "9",
                new_page=True,
            ),
        ),
        Metadata("t", "s", "a", language="cy"),
    )
    root = page(render_html(doc))
    assert root.get("lang") == "cy"
    assert root.findtext(".//h3") == "Sub-heading"
    assert squash(root.find(".//h2").text_content()) == "9. A section added later"
    assert root.find(".//section[@class='new-page']") is not None
    numbered = root.find(".//p[@class='numbered']")
    assert numbered.findtext("span") == "9.1"
    assert numbered.text_content() == "9.1Numbered text"
    assert root.find(".//p[@class='placeholder numbered']/strong").text == "[NARRATIVE MISSING: x]"
    assert root.find(".//p[@class='note']").text == "Small print"
    assert [li.text for li in root.iter("li")] == ["one", "two"]
    key = root.find(".//table[@class='key']")
    assert key.find(".//th").get("scope") == "row"
    assert key.find(".//td").text == "Cabinet"
    region = key.getparent()
    assert region.get("aria-label") == "Table in Front"
    data = root.findall(".//table")[1]
    sub = data.findall("tbody/tr")[1]
    assert sub[0].get("style") == "padding-left: 0.9rem"
    assert sub[0].text == "Q1a"
    assert [p.text for p in sub[1].findall("p")] == ["first", "second"]
    assert sub[1].get("class") == "num"
    blank = data.findall("tbody/tr")[2]
    assert blank[0].tag == "td"  # an empty first cell is no row header
    assert lxml.html.tostring(blank[1]) == b'<td class="num">line<br>break</td>'


def test_html_bytes_are_reproducible(reference_ev, reference_narrative):
    doc = report_content(reference_ev, reference_narrative)
    assert render_html(doc) == render_html(doc)


def test_the_printed_page_margins_carry_the_marks_and_a_hostile_footer_as_text():
    from tender.report.html import css_string, page_margins

    assert css_string('A "B" </style><script>\\') == (
        '"A \\22 B\\22  \\3c \\2f style\\3e \\3c script\\3e \\5c "'
    )
    rules = page_margins(["DRAFT - not for issue"], "X · </style>")
    assert '@top-center { content: "DRAFT - not for issue";' in rules
    assert '@bottom-left { content: "X · \\3c \\2f style\\3e ";' in rules
    assert 'content: "Page " counter(page);' in rules
    doc = Document(
        "t", (Section("Front", (Paragraph("p"),)),), Metadata("t", "s", "a"), footer="</style>x"
    )
    data = render_html(doc)
    assert data.count(b"</style>") == 1
    assert page(data).find(".//footer").text_content() == "</style>x"
