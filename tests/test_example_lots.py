"""The shipped lots example, end to end, against figures worked out by hand.

criteria/cleaning-lots-2026.yaml: three lots; lots 1 and 2 inherit the tender's schedule
(C1 daily clean 250 visits a year, C2 deep clean 12 visits a year, over 2 years), weights
(price 60, quality 40: Q1 weight 25, Q2 weight 15, marks out of 10); lot 3 states its own
(W1 window clean 24 a year over 2 years; price 70, quality 30: one criterion Q1 weight 30).
Price score = W × lowest compliant basket ÷ basket; quality = Σ weight × mark ÷ 10.

Lot 1 (bids/cleaning-lots-2026/lot-1):
  baskets: A (250×40 + 12×200) × 2 = 12400 × 2 = 24800 (lowest)
           B (250×38 + 12×250) × 2 = 12500 × 2 = 25000
           C (250×45 + 12×150) × 2 = 13050 × 2 = 26100
  price:   A 60; B 60 × 24800/25000 = 59.52; C 60 × 24800/26100 = 57.0114942...
  quality: A 25×0.8 + 15×0.8 = 32; B 25×0.7 + 15×0.6 = 26.5; C 25×0.9 + 15×0.6 = 31.5
  totals:  A 92; C 88.5114942...; B 86.02 → ranks A 1, C 2, B 3
Lot 2:
  baskets: A (250×42 + 12×210) × 2 = 13020 × 2 = 26040
           B (250×41 + 12×200) × 2 = 12650 × 2 = 25300 (lowest compliant)
           C (250×30 + 12×100) × 2 = 17400, but C fails SAFE: not ranked, not the anchor
  price:   A 60 × 25300/26040 = 58.2949308...; B 60
  quality: A 25×0.9 + 15×0.8 = 34.5; B 25×0.8 + 15×0.7 = 30.5
  totals:  A 92.7949308...; B 90.5 → ranks A 1, B 2
Lot 3:
  baskets: A 24×150 × 2 = 7200 (lowest); B 24×160 × 2 = 7680
  price:   A 70; B 70 × 7200/7680 = 65.625
  quality: A 30×0.6 = 18; B 30×0.9 = 27
  totals:  A 88; B 92.625 → ranks B 1, A 2
Allocation, at most 1 lot per bidder, best_total: the awards of every lot are
  {1: C, 2: A, 3: B}: 88.5114942 + 92.7949308 + 92.625 = 273.931425 (all three lots);
  {1: C, 2: B, 3: A}: 88.5114942 + 90.5 + 88 = 267.011494;
  any other leaves a lot unawarded (A and B cannot both win two). So lot 1 goes to C.
Under lot_order instead: lot 1 A; lot 2 A is at the cap → B; lot 3 B is at the cap and A
  too → not awarded.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from tender.cli.group import cli
from tender.inputs import load_tender
from tender.lots import allocate_lots
from tender.workflows.lots import evaluate_lots_file
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[1]
NAME = "cleaning-lots-2026"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(NAME, tmp_path)


def lot_table(example: Path, lot: str) -> dict[str, dict[str, object]]:
    table = evaluate_lots_file(example).evaluation.lot(lot).table.set_index("bidder_id")
    return table.to_dict(orient="index")


def test_lot_1_baskets_scores_and_ranks(example: Path) -> None:
    bids = lot_table(example, "1")
    assert [bids[b]["price_amount"] for b in "ABC"] == [
        Decimal("24800"),
        Decimal("25000"),
        Decimal("26100"),
    ]
    assert [bids[b]["price_score"] for b in "ABC"] == pytest.approx(
        [60.0, 59.52, 60 * 24800 / 26100]
    )
    assert [bids[b]["quality_score"] for b in "ABC"] == pytest.approx([32.0, 26.5, 31.5])
    assert [bids[b]["total_score"] for b in "ABC"] == pytest.approx(
        [92.0, 86.02, 60 * 24800 / 26100 + 31.5]
    )
    assert [bids[b]["rank"] for b in "ACB"] == [1, 2, 3]


def test_lot_2_leaves_the_non_compliant_bid_out_of_the_anchor(example: Path) -> None:
    bids = lot_table(example, "2")
    assert [bids[b]["price_amount"] for b in "AB"] == [Decimal("26040"), Decimal("25300")]
    assert [bids[b]["price_score"] for b in "AB"] == pytest.approx([60 * 25300 / 26040, 60.0])
    assert [bids[b]["quality_score"] for b in "AB"] == pytest.approx([34.5, 30.5])
    assert [bids[b]["total_score"] for b in "AB"] == pytest.approx(
        [60 * 25300 / 26040 + 34.5, 90.5]
    )
    assert [bids[b]["rank"] for b in "ABC"] == [1, 2, 0]
    assert "failed requirement SAFE" in str(bids["C"]["exclusion_reason"])


def test_lot_3_uses_its_own_weights_schedule_and_criterion(example: Path) -> None:
    bids = lot_table(example, "3")
    assert [bids[b]["price_amount"] for b in "AB"] == [Decimal("7200"), Decimal("7680")]
    assert [bids[b]["price_score"] for b in "AB"] == pytest.approx([70.0, 65.625])
    assert [bids[b]["quality_score"] for b in "AB"] == pytest.approx([18.0, 27.0])
    assert [bids[b]["total_score"] for b in "AB"] == pytest.approx([88.0, 92.625])
    assert [bids[b]["rank"] for b in "BA"] == [1, 2]


def test_no_lot_has_a_near_tie(example: Path) -> None:
    lots = evaluate_lots_file(example).evaluation
    assert [bool(ev.table["is_near_tie"].any()) for ev in lots.lots] == [False, False, False]


def test_the_allocation_under_the_cap_is_the_highest_sum(example: Path) -> None:
    allocation = evaluate_lots_file(example).evaluation.allocation
    assert (allocation.rule, allocation.max_lots_per_bidder) == ("best_total", 1)
    assert [(a.lot_id, a.bidder_id, a.rank) for a in allocation.awards] == [
        ("1", "C", 2),
        ("2", "A", 1),
        ("3", "B", 1),
    ]
    assert sum(a.total or 0 for a in allocation.awards) == pytest.approx(
        60 * 24800 / 26100 + 31.5 + 60 * 25300 / 26040 + 34.5 + 92.625
    )
    assert allocation.awards[0].reason == (
        "ranked 2nd on this lot; the better-ranked A (lot 2) is awarded other lots, which "
        "under the cap of 1 lot per bidder gives the highest sum of winning scores"
    )
    assert allocation.awards[1].reason == "ranked 1st on this lot"


def test_by_lot_order_the_third_lot_would_be_left_unawarded(example: Path) -> None:
    tender = load_tender(example)
    lot_order = tender.model_copy(
        update={"award": tender.award.model_copy(update={"allocation": "lot_order"})}
    )
    lots = evaluate_lots_file(example).evaluation
    allocation = allocate_lots(lot_order, list(lots.lots)).allocation
    assert [(a.lot_id, a.bidder_id) for a in allocation.awards] == [
        ("1", "A"),
        ("2", "B"),
        ("3", None),
    ]


def test_check_score_and_sensitivity_run_every_lot_and_show_the_allocation(
    example: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    outputs = {}
    for args in (
        ["check", str(example)],
        ["score", str(example), "--out", str(out)],
        ["sensitivity", str(example)],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output, result.stderr)
        outputs[args[0]] = result.output
    assert "EX-CLEAN-LOTS-2026 lot 3: OK: 2 bids, 1 marked criteria" in outputs["check"]
    for command in ("check", "score", "sensitivity"):
        assert (
            "lot 1 (Offices in the north of the district): Clearview Services (C), total "
            "88.5: ranked 2nd on this lot" in outputs[command]
        )
    assert "lot 3: Window cleaning at every site" in " ".join(outputs["score"].split())
    assert "Lot 2: Depots and offices in the south of the district" in outputs["sensitivity"]
    with (out / "allocation.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["lot_id"], r["bidder_id"], r["rank"], r["total_score_shown"]) for r in rows] == [
        ("1", "C", "2", "88.5"),
        ("2", "A", "1", "92.8"),
        ("3", "B", "1", "92.6"),
    ]
    lot_3 = json.loads((out / "lots" / "3" / "results.json").read_text(encoding="utf-8"))
    assert lot_3["method"]["price_weight"] == 70
    assert [b["bidder_id"] for b in lot_3["bids"]] == ["A", "B"]
    allocation = json.loads((out / "allocation.json").read_text(encoding="utf-8"))
    assert allocation["award"]["max_lots_per_bidder"] == 1
    assert allocation["award"]["allocation"] == "best_total"


def test_score_as_json_gives_every_lot_and_the_allocation(example: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["score", str(example), "--format", "json", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.output)
    assert [lot["lot_id"] for lot in document["lots"]] == ["1", "2", "3"]
    assert [a["bidder_id"] for a in document["allocation"]["lots"]] == ["C", "A", "B"]


def test_report_writes_one_report_for_every_lot(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", str(example), "--no-letters", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert (out / "award-report.pdf").is_file()
    assert (out / "award-report-confidential.html").is_file()


def test_report_writes_a_letter_to_each_bidder(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", str(example), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "Wrote the award report and 3 letters" in result.stderr
