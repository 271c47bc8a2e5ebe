"""One lot of the lots example marked and priced through workbooks, with --lot throughout.

Lot 3's prices and marks are removed, then the workbooks are issued, filled with the
same figures (bids/cleaning-lots-2026/lot-3: W1 at 150 and 160 a clean, 24 cleans a year
over 2 years = 48; marks 6 and 9) and collected: the evaluation and the allocation are the
hand-computed ones of tests/test_example_lots.py.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tender.cli.group import cli
from tender.workflows.lots import evaluate_lots_file
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[1]
NAME = "cleaning-lots-2026"
RATES = {"A": 150, "B": 160}
MARKS = {"A": 6, "B": 9}


@pytest.fixture
def example(tmp_path: Path) -> Path:
    copy_example(NAME, tmp_path)
    for name in ("prices.csv", "marks.csv"):
        (tmp_path / "bids" / NAME / "lot-3" / name).unlink()
    return tmp_path / "criteria" / f"{NAME}.yaml"


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, (args, result.output, result.stderr)
    return result.output


def test_lot_3_priced_and_marked_through_workbooks_scores_as_by_hand(
    example: Path, tmp_path: Path
) -> None:
    panel = tmp_path / "bids" / f"{NAME}-3"
    run("price-templates", str(example), "--lot", "3")
    returned = tmp_path / "returned-prices"
    returned.mkdir()
    for bidder, rate in RATES.items():
        book = openpyxl.load_workbook(panel / "price-templates" / f"{NAME}-3-prices-{bidder}.xlsx")
        sheet = book["Pricing"]
        assert sheet.cell(2, 1).value == "W1"
        sheet.cell(2, 5).value = rate
        sheet.cell(2, 6).value = rate * 48
        book.save(returned / f"{bidder}.xlsx")
    run("collect-prices", str(example), str(returned), "--lot", "3")

    run("templates", str(example), "--lot", "3")
    marked = tmp_path / "returned-marks"
    marked.mkdir()
    for evaluator in ("E1", "E2"):
        book = openpyxl.load_workbook(panel / "templates" / f"{NAME}-3-{evaluator}.xlsx")
        cover, sheet = book["Cover"], book["Marking"]
        cover["B9"] = f"Evaluator {evaluator}"
        cover["B10"] = "2026-05-01"
        cover["B11"] = "No"
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, 6).value = MARKS[sheet.cell(row, 1).value]
            sheet.cell(row, 7).value = "Evidence in the method statement."
        book.save(marked / f"{evaluator}.xlsx")
    run("collect", str(example), str(marked), "--lot", "3")
    assert "evaluation       done" in run("status", str(example))

    lots = evaluate_lots_file(example).evaluation
    table = lots.lot("3").table.set_index("bidder_id")
    assert [str(table.loc[b, "price_amount"]) for b in "AB"] == ["7200", "7680"]
    assert [table.loc[b, "total_score"] for b in "AB"] == pytest.approx([88.0, 92.625])
    assert [a.bidder_id for a in lots.allocation.awards] == ["C", "A", "B"]
    log = run("log", str(example), "--lot", "3")
    assert "prices_collected" in log
