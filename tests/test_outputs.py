"""Result files: atomic writes, reproducible bytes, inert text in CSV and XLSX."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tender import outputs
from tender.inputs import load_inputs, load_tender
from tender.scoring import evaluate

TINY = Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml"


def tiny_with_names(names: dict[str, str]):
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    bids = inputs.bids.copy()
    bids["bidder"] = [
        names.get(i, n) for i, n in zip(bids["bidder_id"], bids["bidder"], strict=False)
    ]
    return evaluate(tender, bids, inputs.marks, inputs.moderated)


def test_write_atomic_replaces_whole_file(tmp_path):
    target = tmp_path / "out" / "a.csv"
    outputs.write_atomic(target, b"one")
    outputs.write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert oct(target.stat().st_mode & 0o777) == "0o640"
    assert [p.name for p in target.parent.iterdir()] == ["a.csv"]


def test_write_atomic_keeps_old_file_when_rename_is_refused(tmp_path, monkeypatch):
    target = tmp_path / "results.xlsx"
    target.write_bytes(b"old")

    def refuse(src, dst):
        raise PermissionError("in use")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(outputs.OutputLockedError, match="is it open in Excel"):
        outputs.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"


def test_render_failure_writes_nothing(tmp_path, monkeypatch):
    ev = tiny_with_names({})

    def broken(_ev):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(outputs, "render_xlsx", broken)
    with pytest.raises(RuntimeError):
        outputs.write_results(ev, tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_csv_neutralises_formula_names():
    ev = tiny_with_names({"X": '=HYPERLINK("http://x","y")', "Y": "+44 20", "W": "@SUM(A1)"})
    rows = list(csv.DictReader(io.StringIO(outputs.render_csv(ev).decode())))
    names = {r["bidder_id"]: r["bidder"] for r in rows}
    assert names["X"] == '\'=HYPERLINK("http://x","y")'
    assert names["Y"] == "'+44 20"
    assert names["W"] == "'@SUM(A1)"
    assert names["Z"] == "Zinnia Landscapes"
    assert rows[0]["total_score"] == "80.0"


def test_xlsx_text_never_becomes_a_formula():
    ev = tiny_with_names({"X": '=HYPERLINK("http://x","y")'})
    package = zipfile.ZipFile(io.BytesIO(outputs.render_xlsx(ev)))
    sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(outputs.render_xlsx(ev)))
    names = [c.value for c in workbook["Results"]["B"]]
    assert '=HYPERLINK("http://x","y")' in names


def test_xlsx_shows_the_table_as_displayed_and_full_precision():
    from openpyxl import load_workbook

    ev = tiny_with_names({})
    sheet = load_workbook(io.BytesIO(outputs.render_xlsx(ev)))["Results"]
    assert [c.value for c in sheet[4]][:6] == [
        "Bidder id",
        "Organisation",
        "Price score",
        "Quality weighted score",
        "Total score",
        "Rank",
    ]
    first = [c.value for c in sheet[5]]
    assert first[:6] == ["X", "Xylo Grounds Ltd", 40.0, 40.0, 80.0, 2]
    assert sheet.freeze_panes == "C5"


def test_renders_are_reproducible():
    ev = tiny_with_names({})
    assert outputs.render_xlsx(ev) == outputs.render_xlsx(ev)
    assert outputs.render_json(ev) == outputs.render_json(ev)


@given(text=st.text(max_size=40))
def test_csv_cells_are_inert_and_reversible(text):
    cell = outputs.csv_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
    restored = cell[1:] if cell != text else cell
    assert restored == text


def test_an_output_that_is_an_input_is_refused_before_writing(tmp_path):
    source = tmp_path / "results.csv"
    source.write_bytes(b"evidence")
    with pytest.raises(outputs.OutputIsInputError, match="is an input of this evaluation"):
        outputs.write_all({tmp_path / "a.json": b"{}", source: b"x"}, [source])
    assert source.read_bytes() == b"evidence"
    assert not (tmp_path / "a.json").exists()
