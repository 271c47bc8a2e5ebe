"""`tender price-templates`: write one sealed pricing workbook per bidder."""

from __future__ import annotations

from pathlib import Path

import click

from .group import cli, out_folder_option, tender_file


@cli.command("price-templates")
@tender_file()
@out_folder_option("Folder for the workbooks [default: bids/<tender>/price-templates/].")
@click.option(
    "--bidder",
    "bidders",
    multiple=True,
    metavar="ID",
    help="Issue only for this bidder (repeatable) [default: every bidder].",
)
def price_templates(definition: str, out: Path | None, bidders: tuple[str, ...]) -> None:
    """Write a pricing workbook of TENDER's schedule of rates for each bidder."""
    from ..panel import panel_files
    from ..workflows.price_templates import price_templates as issue

    issued = issue(definition, out, list(bidders) or None)
    for item in issued:
        click.echo(f"{item.bidder_id}\tissue {item.issue}\t{item.path}")
    from ..inputs import load_tender

    click.echo(
        f"Wrote {len(issued)} pricing workbook{'s' if len(issued) != 1 else ''}; "
        f"logged in {panel_files(load_tender(definition)).log}",
        err=True,
    )
