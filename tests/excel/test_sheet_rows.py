"""Rows written as XML text: escaped as Excel reads them back, cut to a cell, spliced in."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from tender.excel import guard, sheet_rows
from tender.excel.cells import read_sheets
from tender.excel.layout import MODERATION, Row
from tender.excel.moderation_sheet import write_moderation
from tender.inputs import load_tender


def test_text_is_escaped_as_xml_and_excels_own_escapes() -> None:
    assert sheet_rows.inline("plain") == "<is><t>plain</t></is>"
    assert sheet_rows.inline("a<b & c>d") == "<is><t>a&lt;b &amp; c&gt;d</t></is>"
    # a carriage return is kept by an escape (XML would turn it into a newline) ...
    assert sheet_rows.inline("one\r\ntwo") == "<is><t>one_x000D_\ntwo</t></is>"
    # ... and text that looks like an escape stays the text typed
    assert sheet_rows.inline("_x0041_") == "<is><t>_x005F_x0041_</t></is>"
    assert sheet_rows.inline(" padded ") == '<is><t xml:space="preserve"> padded </t></is>'


def test_a_text_longer_than_a_cell_holds_is_cut_to_32767_code_units() -> None:
    assert sheet_rows.fitted("x" * 40_000) == "x" * 32_767
    assert sheet_rows.fitted("x" * 32_767) == "x" * 32_767
    # an emoji is two UTF-16 code units: one cut in half is left out, never half-written
    assert sheet_rows.fitted("\U0001f600" * 20_000) == "\U0001f600" * 16_383


def test_cells_and_rows_are_written_as_excel_writes_them() -> None:
    assert sheet_rows.number_cell("E2", 3, 7.0) == '<c r="E2" s="3"><v>7</v></c>'
    assert sheet_rows.number_cell("E2", 3, 0.1) == '<c r="E2" s="3"><v>0.1</v></c>'
    assert sheet_rows.number_cell("E2", 3, 1 / 3) == '<c r="E2" s="3"><v>0.3333333333333333</v></c>'
    assert sheet_rows.boolean_cell("N2", 5, True) == '<c r="N2" s="5" t="b"><v>1</v></c>'
    assert sheet_rows.blank_cell("N2", 5) == '<c r="N2" s="5"/>'
    assert sheet_rows.row(2, 48, ["<c/>", "<d/>"]) == (
        '<row r="2" ht="48" customHeight="1"><c/><d/></row>'
    )


def test_a_part_without_rows_to_add_to_is_an_error() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")
    with pytest.raises(ValueError, match="no sheet data"):
        sheet_rows.splice(out.getvalue(), "xl/worksheets/sheet1.xml", [], "A1:B2")


def test_what_is_written_reads_back_as_written(reference: Any) -> None:
    """Through the tool's own guard and reader: every awkward text comes back unchanged."""
    tender = load_tender(reference)
    texts = ["a<b & c>d", "one\r\ntwo", "_x0041_ literal", " padded ", "=1+1", "tab\there", "é€😀"]
    rows = [Row(f"B{i}", f"Bidder {i}", "Q1", "Quality", "") for i in range(len(texts))]
    data = write_moderation(
        tender, rows, ["E1"], [[float(i) for i in range(len(texts))]], [texts], threshold=3
    )
    package = guard.vet(data, "moderation.xlsx", guard.Limits(max_columns=200))
    grid = read_sheets(package, [MODERATION], hidden_rows=True)[MODERATION]
    assert [r[5] for r in grid[1:]] == texts
    assert [r[4] for r in grid[1:]] == [float(i) for i in range(len(texts))]
    assert grid[0][:6] == ["Bidder ID", "Bidder", "Criterion ID", "Criterion", "E1 mark",
                           "E1 justification"]  # fmt: skip
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:L8"/>' in sheet
