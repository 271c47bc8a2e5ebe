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

from pathlib import Path

import pytest

from tender.lots import LotsEvaluation
from tender.report.document import Chart, Document, Paragraph, ScoreBars, Table
from tender.report.lots_report import (
    allocation_table,
    lots_confidential_content,
    lots_report_content,
)
from tender.report.narrative import Narrative
from tender.scoring import Evaluation
from tender.workflows.lots import evaluate_lots_file
from tender.workflows.report import LotsReported, report
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[2]
NAME = "cleaning-lots-2026"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(NAME, tmp_path)


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


def test_each_lot_has_its_table_of_scores_with_the_hand_computed_figures(
    lots: LotsEvaluation,
) -> None:
    found = tables(lots_report_content(lots, Narrative()))
    lot_1 = found[
        "Table 2: Lot 1 (Offices in the north of the district): Scores from assessment panel."
    ]
    assert lot_1.header == ("Organisation", "Price Score", "Quality Weighted Score", "Total Score")
    assert lot_1.rows == (
        ("Brightway Cleaning", "60", "32", "92"),
        ("Clearview Services", "57", "31.5", "88.5"),
        ("Citywide Facilities", "59.5", "26.5", "86"),
    )
    lot_2 = found[
        "Table 3: Lot 2 (Depots and offices in the south of the district): Scores from "
        "assessment panel."
    ]
    assert lot_2.rows == (
        ("Brightway Cleaning", "58.3", "34.5", "92.8"),
        ("Citywide Facilities", "60", "30.5", "90.5"),
        ("Clearview Services", "–", "–", "–"),
    )
    lot_3 = found["Table 4: Lot 3 (Window cleaning at every site): Scores from assessment panel."]
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
    assert "Brightway Cleaning, ranked first, is not awarded this lot (Table 1)" in text
    assert "of the first-ranked bid, Brightway Cleaning." in text


def test_the_confidential_appendix_has_each_lots_moderation_record(lots: LotsEvaluation) -> None:
    """Each lot's moderation record, then (every lot is priced by a schedule) its bids'
    rates line by line, which the public report does not print."""
    titles = [s.title for s in lots_confidential_content(lots).sections]
    assert len(titles) == 6
    assert titles[0].startswith("Lot 1 (Offices in the north of the district): ")
    assert [t.split(": ", 1)[1] for t in titles] == [
        "Confidential appendix: Moderation record",
        "Confidential appendix: Rates line by line",
    ] * 3


def test_report_writes_one_report_for_every_lot(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = report(example, out, letters=False)
    assert isinstance(done, LotsReported)
    assert sorted(p.name for p in done.written) == sorted(
        f"award-report{part}.{ext}"
        for part in ("", "-confidential")
        for ext in ("pdf", "docx", "html")
    )


def _captions(doc: Document) -> list[str]:
    return [
        block.caption
        for section in doc.sections
        for block in section.blocks
        if isinstance(block, Table | Chart) and block.caption.startswith(("Table ", "Figure "))
    ]


def test_every_table_figure_and_appendix_number_is_used_once(lots: LotsEvaluation) -> None:
    doc = lots_report_content(lots, Narrative())
    numbers = [caption.split(":")[0] for caption in _captions(doc)]
    assert len(numbers) == len(set(numbers)), numbers
    appendices = [s.number for s in doc.sections if s.number.startswith("Appendix")]
    assert len(appendices) == len(set(appendices)) == 15
    # the body's tables and figures run on through the lots; each appendix numbers its own
    assert numbers[:7] == [
        "Table 1",
        "Table 2",
        "Figure 1",
        "Table 3",
        "Figure 2",
        "Table 4",
        "Figure 3",
    ]
    for section in doc.sections:
        if section.number.startswith("Appendix"):
            letter = section.number.removeprefix("Appendix ")
            for block in section.blocks:
                if isinstance(block, Table) and block.caption.startswith("Table "):
                    assert block.caption.startswith(f"Table {letter}."), block.caption


def test_every_reference_names_a_table_figure_or_appendix_that_exists(
    lots: LotsEvaluation,
) -> None:
    import re

    doc = lots_report_content(lots, Narrative())
    text = doc.text()
    shown = {caption.split(":")[0] for caption in _captions(doc)}
    shown |= {s.number for s in doc.sections if s.number.startswith("Appendix")}
    cited = set(re.findall(r"\b(?:Table|Figure|Appendix) [A-Z0-9]+(?:\.\d+)?\b", text))
    spans = re.findall(r"\b(Table|Figure)s (\d+) to (\d+)\b", text)
    cited |= {f"{w} {n}" for w, a, b in spans for n in range(int(a), int(b) + 1)}
    assert cited - shown == set()
    # the references a reader follows point at the lot's own parts
    assert "scored by the formula in Appendix F." in text  # lot 2's prices → lot 2's method
    assert "Clearview Services (not ranked: see Table 3) | £17,400" in text
    confidential = lots_confidential_content(lots).text()  # each bid's lines are there
    assert (
        "Clearview Services: evaluated price £17,400 (not ranked: see the report's Table 3)"
        in confidential
    )
    assert "Who is awarded each lot, and why, is set out in Table 1." in text


def test_each_lot_has_a_score_chart_of_its_table_of_scores(lots: LotsEvaluation) -> None:
    doc = lots_report_content(lots, Narrative())
    charts = {
        block.caption: block
        for section in doc.sections
        for block in section.blocks
        if isinstance(block, Chart) and isinstance(block.data, ScoreBars)
    }
    lot_3 = charts[
        "Figure 3: Lot 3 (Window cleaning at every site): Price score and quality weighted "
        "score of each bid (Table 4)."
    ]
    # hand-computed: B 65.625 + 27, A 70 + 18 (ranked bids, best first)
    assert lot_3.data.labels == ("Citywide Facilities", "Brightway Cleaning")
    assert lot_3.data.price == pytest.approx((65.625, 70.0))
    assert lot_3.data.quality == pytest.approx((27.0, 18.0))
    assert lot_3.data.maximum == 100
    assert lot_3.alt is not None
    assert lot_3.alt.rows == (
        ("Citywide Facilities", "65.6", "27"),
        ("Brightway Cleaning", "70", "18"),
    )
    lot_2 = next(c for caption, c in charts.items() if caption.startswith("Figure 2: Lot 2"))
    assert lot_2.data.labels == ("Brightway Cleaning", "Citywide Facilities")  # C not ranked
    assert len(charts) == 3
    sensitivity = [
        block.caption
        for section in doc.sections
        for block in section.blocks
        if isinstance(block, Chart) and not isinstance(block.data, ScoreBars)
    ]
    assert sensitivity == [
        "Figure 4: Lot 1 (Offices in the north of the district): Total score against the "
        "price weight.",
        "Figure 5: Lot 2 (Depots and offices in the south of the district): Total score "
        "against the price weight.",
        "Figure 6: Lot 3 (Window cleaning at every site): Total score against the price weight.",
    ]


def test_appendix_letters_run_past_z() -> None:
    from itertools import islice

    from tender.report.lots_report import appendix_letters

    letters = list(islice(appendix_letters(), 56))
    assert letters[:3] == ["A", "B", "C"]
    assert letters[25:29] == ["Z", "AA", "AB", "AC"]
    assert letters[51:53] == ["AZ", "BA"]
    assert len(set(letters)) == 56


def test_a_report_of_ten_lots_has_an_appendix_letter_for_each_part(example: Path) -> None:
    """Ten lots of five appendices each need fifty letters: the report is still written."""
    import copy

    import yaml

    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    first = data["lots"][0]
    data["lots"] = [
        {**copy.deepcopy(first), "id": str(n), "title": f"Area {n}"} for n in range(1, 11)
    ]
    data["award"] = {"max_lots_per_bidder": 4, "allocation": "lot_order"}
    example.write_text(yaml.safe_dump(data), encoding="utf-8")
    doc = lots_report_content(evaluate_lots_file(example).evaluation, Narrative())
    appendices = [s.number for s in doc.sections if s.number.startswith("Appendix")]
    assert len(appendices) == len(set(appendices)) == 50
    assert appendices[-1] == "Appendix AX"


def test_a_one_line_schedule_is_not_called_lines(lots: LotsEvaluation) -> None:
    text = lots_report_content(lots, Narrative()).text()
    assert "Each bid priced the one line of the schedule of rates." in text  # lot 3: W1
    assert "Each bid priced the 2 lines of the schedule of rates." in text  # lots 1 and 2
    confidential = lots_confidential_content(lots).text()  # where each bid's working is
    assert "× 2 years over 1 line = £7,680" in confidential
    assert "over 1 lines" not in text + confidential


def test_each_lots_moderation_record_has_its_own_table_number(example: Path) -> None:
    # the panel agreed marks away from the evaluators' median on lots 1 and 2 (hand-made)
    for lot, row in (("lot-1", "A,Q1,8,"), ("lot-2", "A,Q1,9,")):
        moderated = example.parents[1] / "bids" / NAME / lot / "moderated.csv"
        text = moderated.read_text(encoding="utf-8")
        assert row in text
        moderated.write_text(text.replace(row, "A,Q1,6,"), encoding="utf-8")
    doc = lots_confidential_content(evaluate_lots_file(example).evaluation)
    numbered = [caption for caption in tables(doc) if caption.startswith("Table ")]
    assert numbered == [
        "Table 1: Lot 1 (Offices in the north of the district): Moderation record.",
        "Table 2: Lot 2 (Depots and offices in the south of the district): Moderation record.",
    ]
