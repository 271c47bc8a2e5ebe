"""Pricing workbooks issued per bidder: sealed, logged, no quality content, apart from marking."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tender.audit import read_log
from tender.errors import TenderError
from tender.inputs import load_tender
from tender.panel import panel_files
from tender.workflows.price_templates import price_templates
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[2]
NAME = "office-cleaning-2026"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(NAME, tmp_path)


def test_one_workbook_per_bidder_with_the_schedule_and_nothing_else(example: Path) -> None:
    issued = price_templates(example)
    assert [i.bidder_id for i in issued] == ["A", "B", "C", "D"]
    assert all(i.path.parent.name == "price-templates" for i in issued)
    wb = openpyxl.load_workbook(issued[0].path)
    assert wb.sheetnames == ["Cover", "Pricing", "Identity"]
    assert wb["Identity"].sheet_state == "veryHidden"
    rows = [[c.value for c in row] for row in wb["Pricing"].iter_rows()]
    assert rows[0] == ["Line ID", "Description", "Unit", "Quantity", "Rate", "Extended total"]
    # quantities: volume a year × 3 years
    assert [r[:4] for r in rows[1:]] == [
        ["L1", "Daily office clean", "visit", "750"],
        ["L2", "Window cleaning (all floors)", "clean", "36"],
        ["L3", "Washroom deep clean", "visit", "156"],
        ["L4", "Reactive cleaning call-out", "hour", "120"],
    ]
    assert all(r[4] is None and r[5] is None for r in rows[1:])
    text = " ".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    assert "Method statement" not in text
    assert "Q1" not in text
    assert "Brightway" in text
    assert "Citywide" not in text
    assert wb["Pricing"].protection.sheet
    assert not wb["Pricing"]["E2"].protection.locked
    assert wb["Pricing"]["A2"].protection.locked


def test_issues_are_logged_and_numbered(example: Path) -> None:
    price_templates(example)
    again = price_templates(example, bidders=["C"])
    assert [(i.bidder_id, i.issue) for i in again] == [("C", 2)]
    log = read_log(panel_files(load_tender(example)).log)
    assert [e["bidder_id"] for e in log if e["event"] == "price_template_issued"] == [
        "A",
        "B",
        "C",
        "D",
        "C",
    ]


def test_an_unknown_bidder_or_no_schedule_is_refused(example: Path) -> None:
    with pytest.raises(TenderError, match="bidder Z is not in the bids file"):
        price_templates(example, bidders=["Z"])
    with pytest.raises(TenderError, match="expected a schedule priced by rates"):
        price_templates(ROOT / "criteria" / "pest-control-2016.yaml")


def test_the_quality_templates_carry_no_price(example: Path) -> None:
    from tender.workflows.templates import templates

    price_templates(example)
    for issued in templates(example):
        assert issued.path.parent.name == "templates"
        wb = openpyxl.load_workbook(issued.path)
        cells = {
            str(c.value)
            for ws in wb.worksheets
            if ws.title != "Identity"
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        }
        text = " ".join(cells)
        assert "Daily office clean" not in text
        assert "Extended total" not in text
        assert not {"85", "65.5", "92448", "90720", "95820"} & cells
