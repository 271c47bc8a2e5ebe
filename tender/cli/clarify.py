"""`tender clarify`: record clarification interviews and show what they changed."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import cli, out_folder_option, tender_file

if TYPE_CHECKING:
    from ..clarify_files import Clarified


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
    from datetime import datetime

    from ..audit import read_log
    from ..clarify_files import clarify as run
    from ..clarify_files import log, log_path, outcomes_path, render_files
    from ..files import Gate, os_errors
    from ..inputs import project_root
    from ..panel import protected_files
    from ..robustness import load_case

    loaded = load_case(definition)
    source = outcomes_path(loaded, outcomes)
    result = run(loaded, source)
    tender = loaded.case.tender
    root = project_root(tender)
    folder = out or root / "reports" / tender.slug / "clarifications"
    files = render_files(result, folder)
    gate = Gate(
        (*protected_files(tender), Path(source)),
        root,
        named={out: "--out"} if out else {},
        appends=(log_path(loaded),),
    )
    gate.check(files)
    read_log(log_path(loaded))  # a damaged log is refused before anything is written
    with os_errors(folder, "write the clarification results"):
        written = gate.write(files)
    logged = log(
        result,
        log_path(loaded),
        [p.name for p in written],
        datetime.now(UTC).isoformat(timespec="seconds"),
    )
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    _print(result)
    click.echo(f"Wrote {', '.join(p.name for p in written)} to {folder}", err=True)
    click.echo(
        f"Logged to {log_path(loaded)}" if logged else "Already in the log: nothing appended",
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
