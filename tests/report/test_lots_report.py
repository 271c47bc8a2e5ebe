"""The award report of a procurement divided into lots, on the shipped lots example.

Figures are the ones worked out by hand in tests/test_example_lots.py, shown as the
report shows them (rounded half-up to one decimal place, trailing ".0" dropped):
  Lot 1: A price 60, quality 32, total 92; C 60 × 24800/26100 = 57.011 → 57, 31.5,
         88.511 → 88.5; B 59.52 → 59.5, 26.5, 86.02 → 86. Ranks A 1, C 2, B 3.
  Lot 2: A 60 × 25300/26040 = 58.295 → 58.3, 34.5, 92.795 → 92.8; B 60, 30.5, 90.5;
         C fails SAFE: not ranked, shown "–".
  Lot 3: B 70 × 7200/7680 = 65.625 → 65.6, 27, 92.625 → 92.6; A 70, 18, 88.
  Allocation (at most 1 lot per bidder, best_total): lot 1 C (2nd), lot 2 A, lot 3 B.
Bidders: A Brightway Cleaning, B Citywide Facilities, C Clearview Services.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tender.lots import LotsEvaluation
from tender.report.document import Document, Paragraph, Table
from tender.report.lots_report import (
    allocation_table,
    lots_confidential_content,
    lots_report_content,
)
from tender.report.narrative import Narrative
from tender.scoring import Evaluation
from tender.workflows.lots import evaluate_lots_file
from tender.workflows.report import LotsReported, report

ROOT = Path(__file__).resolve().parents[2]
NAME = "cleaning-lots-2026"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    (tmp_path / "criteria").mkdir()
    shutil.copy(ROOT / "criteria" / f"{NAME}.yaml", tmp_path / "criteria")
    shutil.copytree(ROOT / "bids" / NAME, tmp_path / "bids" / NAME)
    return tmp_path / "criteria" / f"{NAME}.yaml"


@pytest.fixture
def lots(example: Path) -> LotsEvaluation:
    return evaluate_lots_file(example).evaluation


def tables(doc: Document) -> dict[str, Table]:
    return {
        block.caption: block
        for section in doc.sections
        for block in section.blocks
        if isinstance(block, Table) and block.caption
    }


def test_each_lot_has_its_table_1_with_the_hand_computed_figures(lots: LotsEvaluation) -> None:
    found = tables(lots_report_content(lots, Narrative()))
    lot_1 = found[
        "Table 1, Lot 1 (Offices in the north of the district): Scores from assessment panel."
    ]
    assert lot_1.header == ("Organisation", "Price Score", "Quality Weighted Score", "Total Score")
    assert lot_1.rows == (
        ("Brightway Cleaning", "60", "32", "92"),
        ("Clearview Services", "57", "31.5", "88.5"),
        ("Citywide Facilities", "59.5", "26.5", "86"),
    )
    lot_2 = found[
        "Table 1, Lot 2 (Depots and offices in the south of the district): Scores from "
        "assessment panel."
    ]
    assert lot_2.rows == (
        ("Brightway Cleaning", "58.3", "34.5", "92.8"),
        ("Citywide Facilities", "60", "30.5", "90.5"),
        ("Clearview Services", "–", "–", "–"),
    )
    lot_3 = found["Table 1, Lot 3 (Window cleaning at every site): Scores from assessment panel."]
    assert lot_3.rows == (
        ("Citywide Facilities", "65.6", "27", "92.6"),
        ("Brightway Cleaning", "70", "18", "88"),
    )


def test_the_allocation_table_gives_lot_1_to_its_second_ranked_bid_and_says_why(
    lots: LotsEvaluation,
) -> None:
    table = allocation_table(lots)
    assert [row[:4] for row in table.rows] == [
        ("Lot 1 (Offices in the north of the district)", "Clearview Services", "2nd", "88.5"),
        (
            "Lot 2 (Depots and offices in the south of the district)",
            "Brightway Cleaning",
            "1st",
            "92.8",
        ),
        ("Lot 3 (Window cleaning at every site)", "Citywide Facilities", "1st", "92.6"),
    ]
    reason = table.rows[0][4]
    assert "Brightway Cleaning, ranked 1st here, is awarded lot 2" in reason
    assert "the cap of 1 lot per bidder" in reason
    assert "the highest sum of the winning bids' total scores" in reason
    assert table.rows[1][4] == "Ranked 1st on this lot."


def test_the_lot_knows_who_it_is_awarded_to(lots: LotsEvaluation) -> None:
    assert [ev.awarded for ev in lots.lots] == ["C", "A", "B"]
    assert [str(ev.leader.bidder_id) for ev in lots.lots if ev.leader is not None] == [
        "A",
        "A",
        "B",
    ]


def test_a_tender_without_lots_is_awarded_to_its_single_first_ranked_bid(
    reference_ev: Evaluation,
) -> None:
    first = reference_ev.table.loc[reference_ev.table["rank"] == 1, "bidder_id"]
    assert reference_ev.award is None
    assert reference_ev.awarded == first.iat[0]


def test_recommendations_name_each_lots_awarded_bid(lots: LotsEvaluation) -> None:
    front = lots_report_content(lots, Narrative()).sections[0]
    recs = [b.text for b in front.blocks if isinstance(b, Paragraph) and b.number]
    assert [
        text.split(": To approve the appointment of ")[1].split(" as ")[0] for text in recs
    ] == [
        "Clearview Services",
        "Brightway Cleaning",
        "Citywide Facilities",
    ]


def test_lot_1_robustness_does_not_call_its_first_ranked_bid_the_recommended_one(
    example: Path,
) -> None:
    from tender.robustness import analyse
    from tender.workflows.evaluation import case_of

    run = evaluate_lots_file(example)
    found = [analyse(case_of(r), r.evaluation, r.inputs.decisions) for r in run.runs]
    text = lots_report_content(run.evaluation, Narrative(), found).text()
    assert "Brightway Cleaning, ranked first, is not awarded this lot" in text
    assert "of the first-ranked bid, Brightway Cleaning." in text


def test_the_confidential_appendix_has_each_lots_moderation_record(lots: LotsEvaluation) -> None:
    titles = [s.title for s in lots_confidential_content(lots).sections]
    assert len(titles) == 3
    assert titles[0].startswith("Lot 1 (Offices in the north of the district): ")


def test_report_writes_one_report_for_every_lot(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = report(example, out, letters=False)
    assert isinstance(done, LotsReported)
    assert sorted(p.name for p in done.written) == sorted(
        f"award-report{part}.{ext}"
        for part in ("", "-confidential")
        for ext in ("pdf", "docx", "html")
    )
