"""The award report as DOCX, read back with python-docx."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import docx

from tender.report.content import report_content
from tender.report.docx import clean, render_docx
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


def test_docx_core_properties_are_fixed(reference_ev, reference_narrative):
    data = render_docx(report_content(reference_ev, reference_narrative))
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    assert "<cp:lastModifiedBy>tender</cp:lastModifiedBy>" in core
    assert (
        "<dc:creator>Maidstone Borough Council, for Maidstone and Swale Borough "
        "Councils</dc:creator>" in core
    )
    assert "1980-01-01T00:00:00Z</dcterms:modified>" in core
    package = zipfile.ZipFile(io.BytesIO(data))
    assert b"<Application>tender</Application>" in package.read("docProps/app.xml")
    assert not [n for n in package.namelist() if "thumbnail" in n]


def test_docx_bytes_are_reproducible(reference_ev, reference_narrative):
    first = render_docx(report_content(reference_ev, reference_narrative))
    second = render_docx(report_content(reference_ev, reference_narrative))
    assert first == second


def test_letter_docx(reference_ev):
    document = docx.Document(io.BytesIO(render_docx(letter_content(reference_ev, "B"))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Dear Company B," in text
    assert "intends to award the contract to Goodwin Pest Management." in text


def test_control_characters_cannot_break_the_document():
    assert clean("Acme\x07 Ltd\x00") == "Acme\ufffd Ltd\ufffd"
