"""`tender report`: write the award recommendation report and the bidder letters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .group import TenderCommand, cli, out_folder_option, tender_file

RENDERERS = "tender.report.renderers"


class ReportCommand(TenderCommand):
    """`report`, whose rendering workers are started before its library loads: forked
    from a process that holds little more than click, a worker loads the renderers while
    this process loads pandas and evaluates (`tender.report.workers`)."""

    def invoke(self, ctx: click.Context) -> Any:
        from ..report.workers import start_renderers

        with start_renderers() as renderers:
            ctx.meta[RENDERERS] = renderers
            return super().invoke(ctx)


@cli.command(cls=ReportCommand)
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

    renderers = click.get_current_context().meta.get(RENDERERS)
    with progress_shown("Evaluating") as progress:
        reported = report_tender(
            definition, out, letters=letters, draft=draft, progress=progress, renderers=renderers
        )
    for warning in reported.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"Wrote the award report and {reported.letters} letters to {reported.folder}", err=True
    )
