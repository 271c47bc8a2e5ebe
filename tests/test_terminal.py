"""The terminal table."""

from pathlib import Path

from rich.console import Console

from tender.terminal import print_table
from tender.workflows.evaluation import evaluate_file

TINY = Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml"


def test_table_lists_ranked_bids_first_then_exclusions():
    console = Console(width=120, record=True)
    print_table(evaluate_file(TINY).evaluation, console)
    text = console.export_text()
    order = [text.index(name) for name in ("Yew Tree", "Xylo", "Willow", "Vale", "Zinnia")]
    assert order == sorted(order)
    assert "V: Excluded from ranking: T2 mark 1 is below the minimum of 2." in text
