"""allocation.csv and allocation.json: each lot's award as the letters will quote it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from tender.lots import LotsEvaluation, allocate_lots
from tender.lots_results import (
    ALLOCATION_COLUMNS,
    allocation_document,
    lot_folder,
    render_allocation_csv,
    render_lots_results,
)
from tender.model import Tender
from tender.scoring import evaluate
from tests.test_lots import CASE, LOTS, definition, lot_evaluation


def lots_case(tender: Tender | None = None) -> LotsEvaluation:
    tender = tender or definition(cap=1, rule="lot_order")
    return allocate_lots(tender, [lot_evaluation(tender, lot, CASE[lot]) for lot in LOTS])


def test_the_csv_has_one_row_per_lot_and_an_unawarded_lot_is_blank_with_its_reason() -> None:
    rows = list(csv.DictReader(io.StringIO(render_allocation_csv(lots_case()).decode("utf-8"))))
    assert tuple(rows[0]) == ALLOCATION_COLUMNS
    assert [(r["lot_id"], r["bidder_id"], r["rank"], r["total_score_shown"]) for r in rows] == [
        ("1", "A", "1", "92"),
        ("2", "B", "2", "80"),
        ("3", "", "", ""),
    ]
    assert rows[0]["total_score"] == "92.0"
    assert rows[2]["reason"].startswith("every bidder ranked on this lot is awarded other lots")


def test_a_bidder_name_that_reads_as_a_formula_is_neutralised() -> None:
    tender = definition(cap=None)
    bids = pd.DataFrame(
        {"bidder_id": ["A"], "bidder": ["=HYPERLINK(1)"], "price": [100.0], "insured": ["yes"]}
    )
    moderated = pd.DataFrame(
        {
            "bidder_id": ["A"],
            "criterion_id": ["Q1"],
            "moderated_mark": ["5"],
            "rationale": ["Reasons."],
        }
    )
    lots = allocate_lots(tender, [evaluate(tender.lot(lot), bids, None, moderated) for lot in LOTS])
    text = render_allocation_csv(lots).decode("utf-8")
    assert "'=HYPERLINK(1)" in text
    assert allocation_document(lots)["lots"][0]["bidder"] == "=HYPERLINK(1)"


def test_the_json_states_the_rule_in_advance_and_each_award() -> None:
    document = allocation_document(lots_case())
    assert document["award"] == {
        "max_lots_per_bidder": 1,
        "allocation": "lot_order",
        "rule": "each lot in turn, in lot order, to its highest-ranked bidder not yet at the cap",
    }
    assert [lot["bidder"] for lot in document["lots"]] == ["Bidder A", "Bidder B", None]


def test_each_lots_results_go_in_its_own_folder_beside_the_allocation(tmp_path: Path) -> None:
    files = render_lots_results(lots_case(), tmp_path)
    assert set(files) == {
        *(
            lot_folder(tmp_path, lot) / name
            for lot in LOTS
            for name in ("results.csv", "results.json", "results.xlsx")
        ),
        tmp_path / "allocation.csv",
        tmp_path / "allocation.json",
    }
    lot_2 = json.loads(files[tmp_path / "lots" / "2" / "results.json"])
    assert lot_2["tender"]["title"] == "Lots, lot 2: Lot 2"
    assert files == render_lots_results(lots_case(), tmp_path)  # the same bytes every time
