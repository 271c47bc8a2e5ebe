"""Letters of a tender with lots, on the shipped lots example (figures as in
tests/test_example_lots.py: lot 1 ranks A 92, C 88.5, B 86; it is awarded to C, ranked
2nd, because A is awarded lot 2 and no bidder may be awarded more than 1 lot; lot 2 A 92.8,
B 90.5, C not ranked (fails SAFE); lot 3 B 92.6, A 88).
Bidders: A Brightway Cleaning, B Citywide Facilities, C Clearview Services.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tender.errors import TenderInputError
from tender.lots import LotsEvaluation
from tender.report.document import Document, Table
from tender.report.lots_letters import (
    lots_check_completeness,
    lots_letter_content,
    lots_letter_slugs,
)
from tender.workflows.lots import evaluate_lots_file
from tender.workflows.report import report
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[2]
NAME = "cleaning-lots-2026"
LOT_1 = "Lot 1 (Offices in the north of the district)"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(NAME, tmp_path)


@pytest.fixture
def lots(example: Path) -> LotsEvaluation:
    return evaluate_lots_file(example).evaluation


def text(doc: Document) -> str:
    return " ".join(doc.text().split())


def titles(doc: Document) -> list[str]:
    return [s.title for s in doc.sections]


def test_a_letter_covers_every_lot_its_bidder_bid_for(lots: LotsEvaluation) -> None:
    found = titles(lots_letter_content(lots, "A"))
    assert [t for t in found if t.endswith(": outcome")] == [
        f"{LOT_1}: outcome",
        "Lot 2 (Depots and offices in the south of the district): outcome",
        "Lot 3 (Window cleaning at every site): outcome",
    ]
    # C bid for lots 1 and 2 only
    assert len([t for t in titles(lots_letter_content(lots, "C")) if t.endswith(": outcome")]) == 2


def test_first_on_lot_1_but_capped_says_so_in_the_allocations_terms(lots: LotsEvaluation) -> None:
    said = text(lots_letter_content(lots, "A"))
    assert (
        "Your tender ranked 1st on this lot, but Example District Council intends to award you "
        "lot 2." in said
    )
    assert "no bidder may be awarded more than 1 lot" in said
    assert "the highest sum of the winning bids' total scores" in said
    assert "this lot is awarded to Clearview Services, whose tender ranked 2nd on it" in said
    assert "Your tender's total score on this lot was 92 out of 100" in said
    assert "the tender awarded this lot scored 88.5" in said
    assert "intends to award this lot to you: your tender ranked first" in said  # lot 2


def test_the_second_ranked_bid_awarded_lot_1_is_told_why(lots: LotsEvaluation) -> None:
    said = text(lots_letter_content(lots, "C"))
    assert "intends to award this lot to you. Your tender ranked 2nd on it" in said
    assert (  # lot 2
        "Your tender was not ranked because it did not meet the pass/fail requirement SAFE: "
        "Health and safety accreditation (SafeContractor or equivalent)." in said
    )


def test_a_losing_bid_is_compared_with_the_awarded_tender_not_the_first_ranked(
    lots: LotsEvaluation,
) -> None:
    said = text(lots_letter_content(lots, "B"))
    assert "the tender awarded this lot scored 88.5, 2.5 points more" in said
    assert "The tender awarded this lot (Clearview Services)" in said
    assert "most advantageous tender scored 88.5" not in said


def test_every_lot_gets_the_regimes_required_parts(lots: LotsEvaluation) -> None:
    found = titles(lots_letter_content(lots, "B"))
    for lot in (LOT_1, "Lot 3 (Window cleaning at every site)"):
        assert f"{lot}: The award criteria" in found
        assert f"{lot}: Your tender" in found
    assert f"{LOT_1}: The successful tender" in found


def test_one_letter_per_bidder_across_the_lots(lots: LotsEvaluation) -> None:
    assert lots_letter_slugs(lots) == {
        "A": "a-brightway-cleaning",
        "B": "b-citywide-facilities",
        "C": "c-clearview-services",
    }
    assert lots_check_completeness(lots).problems == []


def test_report_writes_each_bidders_letter(example: Path, tmp_path: Path) -> None:
    done = report(example, tmp_path / "out")
    assert sorted(p.name for p in done.written if p.parent.name == "letters") == sorted(
        f"{stem}.{ext}"
        for stem in ("a-brightway-cleaning", "b-citywide-facilities", "c-clearview-services")
        for ext in ("pdf", "docx")
    )


def test_letters_are_refused_while_a_lot_lacks_feedback(example: Path, tmp_path: Path) -> None:
    moderated = example.parents[1] / "bids" / NAME / "lot-3" / "moderated.csv"
    rows = moderated.read_text(encoding="utf-8").splitlines()
    moderated.write_text("\n".join(rows[:2]) + "\n" + "B,Q1,9,IPAF operatives.,\n")
    with pytest.raises(TenderInputError) as caught:
        report(example, tmp_path / "out")
    assert "lot-3/moderated.csv" in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_the_awarded_tenders_feedback_is_quoted_as_written_to_its_bidder(
    lots: LotsEvaluation,
) -> None:
    """The feedback speaks to its own bidder ("Your tender ..."): in another bidder's letter
    it is quoted and attributed, so that it cannot be read as about the reader's tender."""
    doc = lots_letter_content(lots, "A")
    awarded = next(
        block
        for section in doc.sections
        if section.title == f"{LOT_1}: The successful tender"
        for block in section.blocks
        if isinstance(block, Table)
    )
    explanations = {row[0]: row[3] for row in awarded.rows}
    assert explanations["Q1 Method statement and staffing"] == (
        "The panel's feedback to Clearview Services: “Your tender set out a full staffing "
        "plan with a supervisor at each site and cover resourced in advance.”"
    )
    mine = next(
        block
        for section in doc.sections
        if section.title == f"{LOT_1}: Your tender"
        for block in section.blocks
        if isinstance(block, Table)
    )
    assert {row[0]: row[3] for row in mine.rows}["Q1 Method statement and staffing"] == (
        "Your tender named a supervisor for every site and set out a pool of cover cleaners "
        "for absence."
    )


def test_a_bid_first_on_a_lot_it_is_capped_out_of_is_not_called_unsuccessful(
    lots: LotsEvaluation,
) -> None:
    found = titles(lots_letter_content(lots, "A"))
    assert f"{LOT_1}: Why this lot is not awarded to you" in found
    assert f"{LOT_1}: Why your tender was not successful" not in found
    # lot 3, where A ranked 2nd to the awarded tender, keeps the regime's heading
    assert "Lot 3 (Window cleaning at every site): Why your tender was not successful" in found


def test_no_letter_names_an_evaluator_or_quotes_the_panels_internal_rationale(
    example: Path, lots: LotsEvaluation
) -> None:
    import csv

    internal = []
    for path in sorted((example.parents[1] / "bids" / NAME).rglob("moderated.csv")):
        with path.open(encoding="utf-8") as handle:
            internal += [row["rationale"] for row in csv.DictReader(handle)]
    assert len(internal) > 10
    for bidder in ("A", "B", "C"):
        said = lots_letter_content(lots, bidder).text()
        assert [t for t in internal if t in said] == []
        for evaluator in ("E1", "E2"):
            assert evaluator not in said.split()


RULE = (
    "no bidder may be awarded more than 1 lot, and the lots are awarded so as to give the "
    "highest sum of the winning bids' total scores"
)


def section_text(doc: Document, title: str) -> str:
    """The text of the one section titled `title`, its heading left out."""
    found = [s for s in doc.sections if s.title == title]
    assert len(found) == 1, title
    lines = dataclasses.replace(doc, title="", sections=(found[0],)).text().splitlines()
    return " ".join(" ".join(lines[2:]).split())


def test_the_opening_names_the_tender_awarded_each_lot_not_the_most_advantageous_one(
    lots: LotsEvaluation,
) -> None:
    """Lot 1 goes to C, ranked 2nd: no letter may open by saying the lot went to the most
    advantageous tender; lots 2 and 3 went to the tender ranked 1st on each, which is."""
    for bidder in ("A", "B", "C"):
        opening = " ".join(lots_letter_content(lots, bidder).sections[0].blocks[2].text.split())
        assert "most advantageous" not in opening
        assert opening.endswith("and the same for the tender awarded the lot.")
    assert (
        f"As the invitation to tender stated, {RULE}. Under these rules, lot 1 goes to the "
        "tender ranked 2nd on it, and lots 2 and 3 each go to the lot's most advantageous "
        "tender, ranked 1st." in text(lots_letter_content(lots, "A"))
    )
    # C bid for lots 1 and 2 only
    assert (
        "Under these rules, lot 1 goes to the tender ranked 2nd on it, and lot 2 goes to its "
        "most advantageous tender, ranked 1st." in text(lots_letter_content(lots, "C"))
    )


def test_a_lot_awarded_from_2nd_place_says_by_which_rule_in_every_letter(
    lots: LotsEvaluation,
) -> None:
    awarded = section_text(lots_letter_content(lots, "C"), f"{LOT_1}: outcome")
    assert awarded == (
        "Example District Council intends to award this lot to you. Your "
        "tender ranked 2nd on it, and the lot is awarded to it by the allocation rule stated "
        f"in the invitation to tender: {RULE}. The bidder of each tender ranked above yours on "
        "this lot is awarded as many other lots as that limit allows."
    )
    lost = section_text(lots_letter_content(lots, "B"), f"{LOT_1}: outcome")
    assert lost == (
        "We are sorry to tell you that your tender was not successful on this "
        "lot. Example District Council intends to award it to Clearview Services, whose tender "
        "ranked 2nd on it, by the allocation rule stated in the invitation to tender: "
        f"{RULE}. The bidder of each tender ranked above it on this lot is awarded as many "
        "other lots as that limit allows."
    )
    for bidder in ("A", "B", "C"):
        doc = lots_letter_content(lots, bidder)
        for section in doc.sections:
            if section.title.startswith(LOT_1):
                assert "advantageous" not in section_text(doc, section.title), section.title
    # where the awarded bid ranked first the regime's words stay
    assert "the most advantageous tender scored 92.8" in text(lots_letter_content(lots, "B"))


def test_under_lot_order_the_letters_name_that_rule(example: Path) -> None:
    """By lot order: lot 1 to A (1st); lot 2 to B (2nd: A is at the cap); lot 3 (B 92.6,
    A 88) to no one, both being at the cap."""
    edit = example.read_text(encoding="utf-8").replace(
        "allocation: best_total", "allocation: lot_order"
    )
    example.write_text(edit, encoding="utf-8")
    lots = evaluate_lots_file(example).evaluation
    said = text(lots_letter_content(lots, "B"))
    rule = (
        "no bidder may be awarded more than 1 lot, and the lots are awarded in lot order, each "
        "to its highest-ranked bidder not already holding the maximum number of lots"
    )
    assert f"As the invitation to tender stated, {rule}." in said
    assert "Under these rules, lot 2 goes to the tender ranked 2nd on it" in said
    assert (
        "Example District Council intends to award this lot to you. Your tender ranked 2nd on "
        f"it, and the lot is awarded to it by the allocation rule stated in the invitation to "
        f"tender: {rule}." in said
    )
    assert (
        "Under these rules, lot 2 goes to the tender ranked 2nd on it, lot 1 goes to its most "
        "advantageous tender, ranked 1st, and lot 3 is not awarded." in said
    )
    results = next(
        b
        for b in lots_letter_content(lots, "B").sections[0].blocks
        if isinstance(b, Table) and b.header
    )
    assert results.rows[2][3:] == ("Not awarded", "Not awarded to anyone")


LOT_2 = "Lot 2 (Depots and offices in the south of the district)"
SAFE = (
    "did not meet the pass/fail requirement SAFE: Health and safety accreditation "
    "(SafeContractor or equivalent)"
)


def test_a_bid_excluded_from_a_lot_is_told_why_not_shown_a_table_of_dashes(
    lots: LotsEvaluation,
) -> None:
    """C fails SAFE on lot 2 (its bids file answers 'no'), so it was never marked there."""
    doc = lots_letter_content(lots, "C")
    mine = next(s for s in doc.sections if s.title == f"{LOT_2}: Your tender")
    assert not [b for b in mine.blocks if isinstance(b, Table)]
    assert section_text(doc, f"{LOT_2}: Your tender") == (
        f"Your tender was not marked or scored against these criteria, because it {SAFE}."
    )
    assert section_text(doc, f"{LOT_2}: Why your tender was not successful") == (
        f"Your tender was not ranked because it {SAFE}."
    )
    results = next(b for b in doc.sections[0].blocks if isinstance(b, Table) and b.header)
    assert results.rows[1] == (
        LOT_2,
        "Not ranked",
        "Not scored",
        "Brightway Cleaning",
        "Not successful: not ranked (the reason is in that lot's part below)",
    )
    said = text(doc)
    assert "answered 'no'" not in said  # the panel's record of the answer, not the rule
    assert "failed requirement" not in said
    assert "–" not in " ".join(cell for row in results.rows for cell in row)


def test_a_lot_excluded_on_a_quality_minimum_shows_its_marks_and_the_minimum(
    example: Path,
) -> None:
    """With a minimum mark of 7 for lot 3's Q1, A (marked 6 there) is excluded on lot 3:
    its letter shows the mark and feedback it was given, and says which minimum it missed;
    its price and total are 'Not scored', not dashes."""
    definition = example.read_text(encoding="utf-8")
    marked = definition.replace(
        "          weight: 30\n          guidance: Access equipment",
        "          weight: 30\n          minimum_mark: 7\n          guidance: Access equipment",
    )
    assert marked != definition
    example.write_text(marked, encoding="utf-8")
    doc = lots_letter_content(evaluate_lots_file(example).evaluation, "A")
    lot_3 = "Lot 3 (Window cleaning at every site)"
    said = section_text(doc, f"{lot_3}: Your tender")
    assert said.startswith(
        "Your tender was marked against the quality criteria, as below, but it was given no "
        "price score, total score or rank, because it did not reach the minimum mark of 7 for "
        "Q1 (Safe working at height)."
    )
    mine = next(
        b
        for s in doc.sections
        if s.title == f"{lot_3}: Your tender"
        for b in s.blocks
        if isinstance(b, Table)
    )
    rows = {row[0]: row[1:] for row in mine.rows}
    assert rows["Q1 Safe working at height"] == (
        "6",
        "18",
        "Your tender described the access equipment to be used; its rescue plan was not "
        "specific to the sites.",
    )
    assert rows["Evaluated price of the window-cleaning rate over two years"][1] == "Not scored"
    assert rows["Total score"][1] == "Not scored"
    assert "below the minimum of 7" not in text(doc)  # the panel's wording stays its own
