"""The award report as DOCX, read back with python-docx."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import docx
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tender.report.content import report_content
from tender.report.docx import _put_text, clean, render_docx
from tender.report.letters import letter_content

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"


def test_reference_docx_table_1_winner_and_near_tie(reference_ev, reference_narrative):
    data = render_docx(report_content(reference_ev, reference_narrative))
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    assert (
        "1.\tTo approve the appointment of Goodwin Pest Management as Pest Control Service "
        "provider from 1 January 2017 for an initial period of three years (with an option to "
        "extend for up to a further two years)." in paragraphs
    )
    assert any(
        p.startswith("2.13\tCompany A (Goodwin Pest Management) and Company B were very close")
        for p in paragraphs
    )
    table = next(
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells]
        == ["Organisation", "Price Score", "Quality Weighted Score", "Total Score"]
    )
    got = [[c.text for c in row.cells] for row in table.rows]
    with (REFERENCE / "expected-table-1.csv").open(encoding="utf-8") as handle:
        expected = [
            [r["organisation"], r["price_score"], r["quality_weighted_score"], r["total_score"]]
            for r in csv.DictReader(handle)
        ]
    assert got == [
        ["Organisation", "Price Score", "Quality Weighted Score", "Total Score"],
        *expected,
    ]
    assert table.rows[0]._tr.trPr.xml.count("tblHeader") == 1


def test_docx_core_properties_are_fixed(reference_ev, reference_narrative, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data = render_docx(report_content(reference_ev, reference_narrative))
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    assert "<cp:lastModifiedBy>tender</cp:lastModifiedBy>" in core
    assert (
        "<dc:creator>Maidstone Borough Council, for Maidstone and Swale Borough "
        "Councils</dc:creator>" in core
    )
    # the report's own date, the committee's meeting (13 December 2016), not a clock's
    assert ">2016-12-13T00:00:00Z</dcterms:created>" in core
    assert ">2016-12-13T00:00:00Z</dcterms:modified>" in core
    assert "lastPrinted" not in core  # it was never printed
    package = zipfile.ZipFile(io.BytesIO(data))
    assert b"<Application>tender</Application>" in package.read("docProps/app.xml")
    assert not [n for n in package.namelist() if "thumbnail" in n]


def test_docx_dates_follow_source_date_epoch_or_are_left_out(
    reference_ev, reference_narrative, monkeypatch
):
    import dataclasses

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1781049600")  # 2026-06-10 00:00:00 UTC
    doc = report_content(reference_ev, reference_narrative)
    package = zipfile.ZipFile(io.BytesIO(render_docx(doc)))
    core = package.read("docProps/core.xml").decode()
    assert ">2026-06-10T00:00:00Z</dcterms:created>" in core
    assert ">2026-06-10T00:00:00Z</dcterms:modified>" in core
    assert {i.date_time for i in package.infolist()} == {(2026, 6, 10, 0, 0, 0)}
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    undated = dataclasses.replace(doc, metadata=dataclasses.replace(doc.metadata, date=None))
    core = zipfile.ZipFile(io.BytesIO(render_docx(undated))).read("docProps/core.xml")
    assert b"dcterms:created" not in core
    assert b"dcterms:modified" not in core
    assert b"<dc:title>Pest Control Arrangements: award recommendation</dc:title>" in core


def test_docx_bytes_are_reproducible(reference_ev, reference_narrative):
    first = render_docx(report_content(reference_ev, reference_narrative))
    second = render_docx(report_content(reference_ev, reference_narrative))
    assert first == second


def test_a_docx_zipped_once_is_the_package_python_docx_saves_with_fixed_times(reference_ev):
    """The members are compressed once, straight from the parts; the bytes are those of
    python-docx's own `save` rewritten by `reproducible_zip`, the way they were made before."""
    from tender.files import document_time, reproducible_zip
    from tender.report import docx as rendering

    letter = letter_content(reference_ev, "B")
    writer = rendering._Writer()
    for position, section in enumerate(letter.sections):
        writer.section(section, position == 0)
    writer.footer(letter.footer)
    writer.properties(letter.metadata)
    saved = io.BytesIO()
    writer.doc.save(saved)
    expected = reproducible_zip(saved.getvalue(), document_time(letter.metadata.date))
    assert render_docx(letter) == expected


def test_a_document_leaves_the_shared_template_as_it_found_it(reference_ev, reference_narrative):
    """Every document starts from a copy of one parsed template: what the report adds to
    its copy (styles, pictures, a language) never reaches the next letter."""
    from tender.report import docx as rendering

    rendering.template.cache_clear()
    alone = render_docx(letter_content(reference_ev, "C"))
    render_docx(report_content(reference_ev, reference_narrative))
    assert render_docx(letter_content(reference_ev, "C")) == alone


def test_letter_docx(reference_ev):
    document = docx.Document(io.BytesIO(render_docx(letter_content(reference_ev, "B"))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Dear Company B," in text
    assert "intends to award the contract to Goodwin Pest Management." in text


def test_control_characters_cannot_break_the_document():
    assert clean("Acme\x07 Ltd\x00") == "Acme\ufffd Ltd\ufffd"


def pictures(data: bytes) -> list[tuple[str, str, bytes]]:
    """(title, alternative text, image bytes) of each picture in the document body, in order."""
    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    found = []
    for inline in body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}inline"
    ):
        properties = inline.find(
            "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
        )
        blip = inline.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip")
        rel = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        image = document.part.related_parts[rel].blob
        found.append((properties.get("title"), properties.get("descr"), image))
    return found


def test_each_chart_is_a_picture_with_alternative_text(reference_ev, reference_narrative):
    shown = pictures(render_docx(report_content(reference_ev, reference_narrative)))
    assert [title for title, _alt, _image in shown] == [
        "Figure 1: Price score and quality weighted score of each bid (Table 1).",
        "Figure 2: Total score against the price weight.",
    ]
    with (REFERENCE / "expected-table-1.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    bars = shown[0][1]
    for row in rows:  # the committee report's Table 1, as the figure's text alternative
        assert (
            f"{row['organisation']}: Price Score {row['price_score']}, Quality Weighted Score "
            f"{row['quality_weighted_score']}"
        ) in bars
    # the README's sensitivity figures: D leads below 18.72, B to 47.37, then A
    assert shown[1][1] == (
        "Figure 2: Total score against the price weight. 0 to 18.7: Leading bid Company D; "
        "18.7 to 47.4: Leading bid Company B; 47.4 to 100: Leading bid Company A (Goodwin "
        "Pest Management)."
    )
    for _title, _alt, image in shown:
        assert image.startswith(b"\x89PNG\r\n\x1a\n")
        width = int.from_bytes(image[16:20], "big")
        assert width > 1000  # 170 mm at 200 dpi: sharp when printed


def test_the_chart_data_table_still_follows_the_picture(reference_ev, reference_narrative):
    document = docx.Document(
        io.BytesIO(render_docx(report_content(reference_ev, reference_narrative)))
    )
    heads = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["Organisation", "Price Score", "Quality Weighted Score"] in heads
    assert ["Price weight", "Leading bid"] in heads


def test_a_hostile_name_is_text_in_the_alternative_text(make_evaluation):
    import dataclasses

    from tender.report.narrative import Narrative

    ev = make_evaluation(3, "pa2023", long_names=False)
    table = ev.table.copy()
    table.loc[0, "bidder"] = '<script>alert("x")</script> & "Sons"\x07'
    ev = dataclasses.replace(ev, table=table)
    data = render_docx(report_content(ev, Narrative()))
    alts = [alt for _title, alt, _image in pictures(data)]
    assert any('<script>alert("x")</script> & "Sons"\ufffd' in alt for alt in alts)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "&lt;script&gt;" in xml
    assert "<script>" not in xml


def test_the_report_appendices_keep_with_the_background_papers(reference_ev, reference_narrative):
    """Word keeps section 8 on one page with section 9, as the PDF does."""
    data = render_docx(report_content(reference_ev, reference_narrative))
    paragraphs = docx.Document(io.BytesIO(data)).paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text.endswith("REPORT APPENDICES"))
    end = next(i for i, p in enumerate(paragraphs) if p.text.endswith("BACKGROUND PAPERS"))
    assert end > start + 2
    assert all(p.paragraph_format.keep_with_next for p in paragraphs[start:end])
    assert not paragraphs[end + 1].paragraph_format.keep_with_next


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", " ", "\t", "\n", "\r", "é", "字"]), max_size=12))
def test_text_is_put_in_a_run_as_python_docx_puts_it(text):
    """The fast path for text without tabs or breaks makes the XML python-docx's setter makes."""
    ours, theirs = docx.Document().add_paragraph(), docx.Document().add_paragraph()
    _put_text(ours.add_run()._r, text)
    theirs.add_run().text = text
    assert etree.tostring(ours._p) == etree.tostring(theirs._p)


def test_the_shared_styles_are_never_changed_by_a_document(reference_ev, reference_narrative):
    """Every copy of the template shares its styles, written with bytes serialised once:
    were a document to change them, it and every later one would be written wrong. After
    the report, its appendix and a letter (every kind of block), they are as they were,
    and each file's styles part is what python-docx itself would write."""
    import zipfile

    from docx.opc.oxml import serialize_part_xml

    from tender.report import docx as rendering
    from tender.report.content import confidential_content

    styles, written = rendering._styles("en-GB")
    files = [
        render_docx(report_content(reference_ev, reference_narrative)),
        render_docx(confidential_content(reference_ev)),
        render_docx(letter_content(reference_ev, "C")),
    ]
    assert serialize_part_xml(styles) == written
    fresh = serialize_part_xml(rendering.template.__wrapped__("en-GB").styles.element)
    assert fresh == written
    for data in files:
        assert zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml") == written


def test_each_document_s_styles_carry_its_own_language(reference_ev):
    import dataclasses
    import zipfile

    letter = letter_content(reference_ev, "C")
    welsh = dataclasses.replace(
        letter, metadata=dataclasses.replace(letter.metadata, language="cy")
    )
    for doc, language in ((welsh, "cy"), (letter, "en-GB"), (welsh, "cy")):
        styles = zipfile.ZipFile(io.BytesIO(render_docx(doc))).read("word/styles.xml")
        normal = styles.split(b'w:styleId="Normal"', 1)[1].split(b"</w:style>", 1)[0]
        assert f'<w:lang w:val="{language}"/>'.encode() in normal
        assert styles.count(b"<w:lang w:val=") == 2  # the template's defaults, and Normal's
