"""`tender templates`: write one sealed marking workbook per evaluator."""

from __future__ import annotations

from pathlib import Path

import click

from .group import cli, lot_option, out_folder_option, tender_file


@cli.command()
@tender_file()
@out_folder_option("Folder for the templates [default: bids/<tender>/templates/].")
@click.option(
    "--evaluator",
    "evaluators",
    multiple=True,
    metavar="ID",
    help="Issue only for this panel member (repeatable) [default: the whole panel].",
)
@lot_option()
def templates(
    definition: str, out: Path | None, evaluators: tuple[str, ...], lot: str | None
) -> None:
    """Write a marking template for each evaluator of TENDER (no prices in them)."""
    from ..panel import panel_files
    from ..terminal import progress_shown
    from ..workflows.lots import lot_definition
    from ..workflows.templates import templates as issue

    tender = lot_definition(definition, lot)
    with progress_shown("Writing templates") as progress:
        issued = issue(tender, out, list(evaluators) or None, progress)
    for item in issued:
        click.echo(f"{item.evaluator_id}\tissue {item.issue}\t{item.path}")
    click.echo(
        f"Wrote {len(issued)} template{'s' if len(issued) != 1 else ''}; "
        f"logged in {panel_files(tender).log}",
        err=True,
    )
