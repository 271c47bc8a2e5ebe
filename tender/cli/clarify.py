"""`tender clarify`: record clarification interviews and show what they changed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .group import cli, out_folder_option, tender_file

if TYPE_CHECKING:
    from ..workflows.clarify import Clarified


@cli.command()
@tender_file()
@click.argument(
    "outcomes", required=False, type=click.Path(exists=True, dir_okay=False), metavar="OUTCOMES"
)
@out_folder_option("Folder for the results [default: reports/<tender>/clarifications/].")
def clarify(definition: str, outcomes: str | None, out: Path | None) -> None:
    """Apply the clarification OUTCOMES of TENDER and show the ranking before and after.

    OUTCOMES is a CSV (bidder_id, interview_date, panel, clarification, criterion_id,
    revised_mark, rationale); without it, data.clarifications in TENDER is used. The
    moderated marks file is never changed: revised marks are written as a new file.
    """
    from ..workflows.clarify import clarify as apply

    recorded = apply(definition, outcomes, out)
    loaded, result, folder, written = (
        recorded.loaded,
        recorded.result,
        recorded.folder,
        recorded.written,
    )
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    _print(result)
    click.echo(f"Wrote {', '.join(p.name for p in written)} to {folder}", err=True)
    click.echo(
        f"Logged to {recorded.log}" if recorded.logged else "Already in the log: nothing appended",
        err=True,
    )


def _print(r: Clarified) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..display import score

    console = Console(highlight=False)
    console.width = max(console.width, 110)
    names = {e.id: e.name or e.role for e in r.before.tender.panel}
    console.print(f"{r.before.tender.tender.reference}: clarification interviews", markup=False)
    for i in r.outcomes.interviews:
        panel = ", ".join(f"{p} {names[p]}" for p in i.panel)
        console.print(f"  {i.bidder_id}, {i.on.isoformat()}, panel: {panel}", markup=False)
        for text in i.clarifications:
            console.print(f"    - {text}", markup=False)
    if r.changes:
        console.print("Revised moderated marks:")
        for c in r.changes:
            console.print(
                f"  {c['bidder_id']} {c['criterion_id']}: {c['from']:g} → {c['to']:g}: "
                f"{c['rationale']}",
                markup=False,
            )
    table = Table(title="Before and after the interviews", title_justify="left")
    for heading in ("Bidder", "Rank", "Quality", "Total", "→ Rank", "→ Quality", "→ Total", "Δ"):
        table.add_column(heading, justify="left" if heading == "Bidder" else "right")
    for row in sorted(r.rows, key=lambda x: (x["rank_after"] is None, x["rank_after"] or 0)):
        table.add_row(
            f"{row['bidder']} ({row['bidder_id']})",
            str(row["rank_before"] or "–"),
            score(row["quality_before"]),
            score(row["total_before"]),
            str(row["rank_after"] or "–"),
            score(row["quality_after"]),
            score(row["total_after"]),
            _change(row["total_change"]),
        )
    console.print(table)
    console.print(r.summary, markup=False)


def _change(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) < 0.05:
        return "0"
    return f"{value:+.1f}"
