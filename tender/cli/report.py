"""`tender report`: write the award recommendation report and the bidder letters."""

from __future__ import annotations

from pathlib import Path

import click

from .group import cli, out_folder_option, tender_file


@cli.command()
@tender_file()
@out_folder_option(
    "Folder for the report and letters [default: reports/<tender>/ beside criteria/]."
)
@click.option(
    "--letters/--no-letters",
    default=True,
    show_default=True,
    help="Also write one letter per bidder (refused while any mark lacks a rationale).",
)
@click.option(
    "--draft",
    is_flag=True,
    help="Write every document even while a step is open, each page marked DRAFT.",
)
def report(definition: str, out: Path | None, letters: bool, draft: bool) -> None:
    """Write the award report (PDF, DOCX) for TENDER and a letter to every bidder."""
    from ..terminal import progress_shown
    from ..workflows.report import report as report_tender

    with progress_shown("Evaluating") as progress:
        reported = report_tender(definition, out, letters=letters, draft=draft, progress=progress)
    for warning in reported.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"Wrote the award report and {reported.letters} letters to {reported.folder}", err=True
    )
