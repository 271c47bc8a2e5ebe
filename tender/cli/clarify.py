"""`tender clarify`: record clarification interviews and show what they changed."""

from __future__ import annotations

from pathlib import Path

import click

from .group import cli, lot_option, out_folder_option, tender_file


@cli.command()
@tender_file()
@click.argument(
    "outcomes", required=False, type=click.Path(exists=True, dir_okay=False), metavar="OUTCOMES"
)
@out_folder_option("Folder for the results [default: reports/<tender>/clarifications/].")
@lot_option()
def clarify(definition: str, outcomes: str | None, out: Path | None, lot: str | None) -> None:
    """Apply the clarification OUTCOMES of TENDER and show the ranking before and after.

    OUTCOMES is a CSV (bidder_id, interview_date, panel, clarification, criterion_id,
    revised_mark, rationale); without it, data.clarifications in TENDER is used. The
    moderated marks file is never changed: revised marks are written as a new file.
    """
    from ..workflows.clarify import clarify as apply
    from ..workflows.lots import lot_definition

    recorded = apply(lot_definition(definition, lot), outcomes, out)
    loaded, result, folder, written = (
        recorded.loaded,
        recorded.result,
        recorded.folder,
        recorded.written,
    )
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    from ..terminal import print_clarification

    print_clarification(result.before, result.outcomes, result.changes, result.rows, result.summary)
    click.echo(f"Wrote {', '.join(p.name for p in written)} to {folder}", err=True)
    click.echo(
        f"Logged to {recorded.log}" if recorded.logged else "Already in the log: nothing appended",
        err=True,
    )
