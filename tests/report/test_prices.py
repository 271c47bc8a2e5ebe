"""The financial appendix: evaluated prices line by line, and the reference's income share."""

from __future__ import annotations

import shutil
from pathlib import Path

from tender.report.content import report_content
from tender.report.document import Paragraph, Table
from tender.report.narrative import load_narrative
from tender.report.prices import amount, appendix_title, price_appendix
from tender.scoring import Evaluation
from tender.workflows.evaluation import evaluate_file

ROOT = Path(__file__).resolve().parents[2]


def texts(ev: Evaluation) -> list[str]:
    [section] = price_appendix(ev, "Appendix G")
    out = []
    for block in section.blocks:
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


def test_a_schedule_shows_every_line_of_every_bid(tmp_path: Path) -> None:
    (tmp_path / "criteria").mkdir()
    name = "office-cleaning-2026"
    shutil.copy(ROOT / "criteria" / f"{name}.yaml", tmp_path / "criteria")
    shutil.copytree(ROOT / "bids" / name, tmp_path / "bids" / name)
    ev = evaluate_file(tmp_path / "criteria" / f"{name}.yaml").evaluation
    lines = texts(ev)
    assert "Brightway Cleaning Ltd: evaluated price £92,448" in lines
    assert "L3 | £65.50 | 156 | £10,218 | offered" in lines
    assert any(
        line.startswith("L3 | £70 | 156 | £10,920 | missing: priced at the highest")
        for line in lines
    )
    assert "Dustfree Contractors Ltd: evaluated price £87,390 (not ranked: see Table 1)" in lines


def test_amounts_are_rounded_half_up_to_pence_for_display_only() -> None:
    from decimal import Decimal

    assert amount(Decimal("12801.635"), "GBP") == "£12,801.64"
    assert amount(Decimal("12801.625"), "GBP") == "£12,801.63"
    assert amount(Decimal("92448"), "GBP") == "£92,448"
    assert amount(None, "GBP") == "–"
