"""The financial appendix: the schedule and each evaluated price (each bid's rates line by line
only in the confidential appendix), and the reference's income share."""

from __future__ import annotations

from pathlib import Path

from tender import display
from tender.report.content import report_content
from tender.report.document import Block, Paragraph, Table
from tender.report.narrative import load_narrative
from tender.report.prices import appendix_title, price_appendix, price_detail
from tender.scoring import Evaluation
from tender.workflows.evaluation import evaluate_file
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[2]


def texts(ev: Evaluation) -> list[str]:
    [section] = price_appendix(ev, "Appendix G")
    return block_texts(section.blocks)


def block_texts(blocks: tuple[Block, ...] | list[Block]) -> list[str]:
    out = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Table):
            out.append(block.caption)
            out += [" | ".join(row) for row in block.rows]
    return out


def test_the_reference_states_its_income_share_as_an_assumption(reference_ev: Evaluation) -> None:
    lines = texts(reference_ev)
    assert lines[0].startswith(
        "Company A (Goodwin Pest Management) offered a guaranteed income of £12,000 a year "
        "and 25% of gross income over £100,000 a year."
    )
    assert "The price score uses the guaranteed income only." in lines[0]
    assert lines[1].startswith("Assumption, not a forecast: a gross income of £67,600 a year")
    # 25% × max(0, 67,600 − 100,000) = 0: the guarantee alone
    assert "the share adds £0" in lines[1]
    assert "£12,000 a year in all" in lines[1]


def test_the_reference_lists_the_appendix_and_keeps_table_1(
    reference_ev: Evaluation,
) -> None:
    assert appendix_title(reference_ev) == "Financial: income share"
    document = report_content(reference_ev, load_narrative(reference_ev.tender))
    titles = [s.number for s in document.sections]
    assert titles[-1] == "Appendix F"  # after A-E: the reference revises no mark
    shown = reference_ev.table.set_index("bidder_id")["total_score"]
    assert round(shown["A"], 1) == 80.3
    assert round(shown["B"], 1) == 79.1


def _schedule_example(tmp_path: Path) -> Evaluation:
    return evaluate_file(copy_example("office-cleaning-2026", tmp_path)).evaluation


def test_the_confidential_detail_shows_every_line_of_every_bid(tmp_path: Path) -> None:
    lines = block_texts(price_detail(_schedule_example(tmp_path)))
    assert "Brightway Cleaning Ltd: evaluated price £92,448" in lines
    assert "L3 | £65.50 | 156 | £10,218 | offered" in lines
    assert any(
        line.startswith("L3 | £70 | 156 | £10,920 | missing: priced at the highest")
        for line in lines
    )
    assert (
        "Dustfree Contractors Ltd: evaluated price £87,390 (not ranked: see the report's Table 1)"
        in lines
    )
    # the working in money, as every amount is shown: 30816 a year × 3 (module docstring)
    assert "Σ rate × volume a year × 3 years over 4 lines = £92,448" in lines


def test_the_public_appendix_gives_the_schedule_and_totals_but_no_bid_s_rates(
    tmp_path: Path,
) -> None:
    ev = _schedule_example(tmp_path)
    lines = texts(ev)
    assert "L3 | Washroom deep clean | visit | 52" in lines  # the tender's own schedule
    # each bid's evaluated price (tests/test_example_schedule.py works them out by hand)
    assert "Brightway Cleaning Ltd | £92,448" in lines
    assert "Citywide Facilities Ltd | £90,720" in lines
    assert "Clearview Services Ltd | £95,820" in lines
    assert "Dustfree Contractors Ltd (not ranked: see Table 1) | £87,390" in lines
    shown = " ".join(lines)
    # Citywide's L2 rate, Clearview's L1 rate, Dustfree's L4 extension: none is public
    for figure in ("£450", "£90 ", "£2,640", "£65.50", "Σ rate"):
        assert figure not in shown, figure
    assert "confidential appendix to this report (award-report-confidential)" in shown


def test_amounts_are_rounded_half_up_to_pence_for_display_only() -> None:
    from decimal import Decimal

    assert display.money(Decimal("12801.635"), "GBP") == "£12,801.64"
    assert display.money(Decimal("12801.625"), "GBP") == "£12,801.63"  # half-even gives .62
    assert display.money(Decimal("0.125"), "GBP") == "£0.13"
    assert display.money(0.125, "GBP") == "£0.13"  # a float by its shortest decimal form
    assert display.money(Decimal("99.996"), "GBP") == "£100"  # whole once rounded
    assert display.money(Decimal("92448"), "GBP") == "£92,448"
    assert display.money(None, "GBP") == "–"
