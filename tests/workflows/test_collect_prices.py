"""Returned pricing workbooks: the same single reading as marking returns, the rate prevails."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tender.audit import read_log
from tender.cli.group import cli
from tender.inputs import load_tender
from tender.panel import panel_files
from tender.workflows.collect_prices import collect_prices
from tender.workflows.evaluation import evaluate_file
from tender.workflows.price_templates import price_templates
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[2]
NAME = "office-cleaning-2026"
RATES = {  # the example's prices.csv, as the bidders would type them
    "A": {"L1": 85, "L2": 420, "L3": 65.5, "L4": 28},
    "B": {"L1": 80, "L2": 450, "L3": 70, "L4": 30},
    "C": {"L1": 90, "L2": 400, "L4": 25},
    "D": {"L1": 75, "L2": 380, "L3": 95, "L4": 22},
}
QUANTITY = {"L1": 750, "L2": 36, "L3": 156, "L4": 120}


@pytest.fixture
def example(tmp_path: Path) -> Path:
    copy_example(NAME, tmp_path)
    (tmp_path / "bids" / NAME / "prices.csv").unlink()  # to be collected
    (tmp_path / "returned").mkdir()
    return tmp_path / "criteria" / f"{NAME}.yaml"


def fill(example: Path, bidder: str, edit: Any = None, name: str | None = None) -> Path:
    issued = example.parent.parent / "bids" / NAME / "price-templates"
    wb = openpyxl.load_workbook(issued / f"{NAME}-prices-{bidder}.xlsx")
    ws = wb["Pricing"]
    for row in range(2, ws.max_row + 1):
        line = ws.cell(row, 1).value
        rate = RATES[bidder].get(line)
        if rate is not None:
            ws.cell(row, 5).value = rate
            ws.cell(row, 6).value = rate * QUANTITY[line]
    if edit is not None:
        edit(wb)
    path = example.parent.parent / "returned" / (name or f"{bidder}.xlsx")
    wb.save(path)
    return path


def test_every_return_collected_gives_the_example_s_evaluated_prices(example: Path) -> None:
    price_templates(example)
    for bidder in RATES:
        fill(example, bidder)
    result = collect_prices(example, example.parent.parent / "returned")
    assert result.rejected == []
    assert result.missing == []
    assert result.corrections == []
    written = (example.parent.parent / "bids" / NAME / "prices.csv").read_text(encoding="utf-8")
    assert written.splitlines()[:3] == ["bidder_id,line_id,rate,note", "A,L1,85,", "A,L2,420,"]
    assert "C,L3" not in written  # left blank: the missing-line rule prices it
    table = evaluate_file(example).evaluation.table
    assert list(table["price_amount"]) == [
        Decimal("92448"),
        Decimal("90720"),
        Decimal("95820"),  # C's L3 at B's 70, the highest compliant rate
        Decimal("87390"),
    ]
    events = [e["event"] for e in read_log(panel_files(load_tender(example)).log)]
    assert events.count("price_return_accepted") == 4
    assert events[-1] == "prices_collected"


def test_the_rate_prevails_and_every_correction_names_its_cell(example: Path) -> None:
    price_templates(example)

    def slip(wb: Any) -> None:
        wb["Pricing"]["F4"] = 1021.8  # 65.5 × 156 = 10218: a slipped decimal point

    for bidder in RATES:
        fill(example, bidder, slip if bidder == "A" else None)
    result = CliRunner().invoke(
        cli, ["collect-prices", str(example), str(example.parent.parent / "returned")]
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "corrected: bidder A: Pricing!F4 (line L3): extended total 1021.8 corrected to 10218, "
        "rate × quantity (the rate prevails)" in result.output
    )
    log = read_log(panel_files(load_tender(example)).log)
    [entry] = [e for e in log if e["event"] == "price_corrected"]
    assert (entry["cell"], entry["found"], entry["corrected"]) == ("Pricing!F4", "1021.8", "10218")
    ev = evaluate_file(example).evaluation
    assert ev.table["price_amount"][0] == Decimal("92448")
    assert ev.pricing is not None
    l3 = ev.pricing.trace(0)[2]
    assert (l3.line_id, l3.extension) == ("L3", Decimal("10218"))
    assert l3.note == (
        "A.xlsx: Pricing!F4 (line L3): extended total 1021.8 corrected to 10218, "
        "rate × quantity (the rate prevails)"
    )
    from tender.report.prices import price_detail

    shown = [row for block in price_detail(ev) for row in getattr(block, "rows", ())]
    assert ("L3", "£65.50", "156", "£10,218", f"offered; {l3.note}") in shown


def test_a_bad_return_is_refused_naming_the_cell_and_the_others_kept(example: Path) -> None:
    price_templates(example)

    def text_rate(wb: Any) -> None:
        wb["Pricing"]["E2"] = "£80"

    def formula(wb: Any) -> None:
        wb["Pricing"]["F2"] = "=E2*D2"

    def renamed(wb: Any) -> None:
        wb["Pricing"]["B3"] = "Windows (ground floor only)"

    fill(example, "A")
    fill(example, "B", text_rate)
    fill(example, "C", formula)
    fill(example, "D", renamed)
    returned = example.parent.parent / "returned"
    (returned / "notes.txt").write_text("not a workbook", encoding="utf-8")
    result = CliRunner().invoke(cli, ["collect-prices", str(example), str(returned)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    assert "B.xlsx: Pricing!E2: found '£80' (text)" in result.stderr
    assert "C.xlsx: Pricing!F2" in result.stderr
    assert "formula" in result.stderr
    assert "D.xlsx: Pricing!B3: found 'Windows (ground floor only)'" in result.stderr
    assert "notes.txt" in result.stderr
    written = (returned.parent / "bids" / NAME / "prices.csv").read_text(encoding="utf-8")
    assert {line.split(",")[0] for line in written.splitlines()[1:]} == {"A"}
    assert "missing: B, C, D" in result.output


def test_an_edited_identity_or_a_later_issue(example: Path) -> None:
    price_templates(example)

    def forged(wb: Any) -> None:
        wb["Identity"]["B4"] = "B"  # A's workbook claiming to be B's

    fill(example, "A", forged, name="forged.xlsx")
    fill(example, "B", name="B-first.xlsx")
    price_templates(example, bidders=["B"])
    RATES["B"]["L1"] = 79
    try:
        fill(example, "B", name="B-second.xlsx")
    finally:
        RATES["B"]["L1"] = 80
    result = collect_prices(example, example.parent.parent / "returned")
    [refused] = result.rejected
    assert refused.file == "forged.xlsx"
    assert "does not match its seal" in refused.problems[0].found
    assert result.accepted["B"].issue == 2
    assert result.accepted["B"].rates["L1"] == Decimal("79")
    assert [o.file for o in result.outcomes if o.status == "superseded"] == ["B-first.xlsx"]


def test_nothing_collected_before_workbooks_are_issued(example: Path) -> None:
    result = CliRunner().invoke(
        cli, ["collect-prices", str(example), str(example.parent.parent / "returned")]
    )
    assert result.exit_code == 1
    assert "no panel key" in result.stderr
