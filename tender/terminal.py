"""The evaluation table for a terminal, drawn with rich."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .scoring import Evaluation


def print_table(ev: Evaluation, console: Console | None = None) -> None:
    """Print the evaluation table, best first, with each bid's notes below it."""
    if console is None:
        console = Console(highlight=False)
        console.width = max(console.width, 100)
    tender = ev.tender
    title = f"{tender.tender.reference}: {tender.tender.title}"
    if ev.provisional:
        title += "  [bold red]PROVISIONAL (no moderated marks)[/]"
    table = Table(title=title, title_justify="left")
    table.add_column("Rank", justify="right", no_wrap=True)
    table.add_column("Organisation", ratio=1, min_width=16)
    table.add_column(f"Price\n(/{tender.weights.price:g})", justify="right", no_wrap=True)
    table.add_column(f"Quality\n(/{tender.weights.quality:g})", justify="right", no_wrap=True)
    table.add_column("Total", justify="right", no_wrap=True)
    table.add_column("Flags", ratio=1, min_width=14)
    records = ev.records()
    order = sorted(records, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["bidder_id"]))
    for record in order:
        shown = record["display"]
        unscored = "unscored-price" in record["flags"]
        table.add_row(
            shown["rank"],
            f"{record['bidder']} ({record['bidder_id']})",
            "0 (unscored)" if unscored else shown["price_score"],
            shown["quality_score"],
            shown["total_score"],
            ", ".join(record["flags"]),
        )
    console.print(table)
    console.print(
        "Scores rounded half-up to 1 decimal place; each total shown is the sum of the scores "
        "shown. Ranks and near-ties use unrounded scores."
    )
    for record in order:
        for note in record["notes"]:
            console.print(f"  {record['bidder_id']}: {note}", markup=False)
