"""`tender price-templates`: write one sealed pricing workbook per bidder."""

from __future__ import annotations

from pathlib import Path

import click

from .group import cli, lot_option, out_folder_option, tender_file


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
@lot_option()
def price_templates(
    definition: str, out: Path | None, bidders: tuple[str, ...], lot: str | None
) -> None:
    """Write a pricing workbook of TENDER's schedule of rates for each bidder."""
    from ..panel import panel_files
    from ..workflows.lots import lot_definition
    from ..workflows.price_templates import price_templates as issue

    tender = lot_definition(definition, lot)
    issued = issue(tender, out, list(bidders) or None)
    for item in issued:
        click.echo(f"{item.bidder_id}\tissue {item.issue}\t{item.path}")
    click.echo(
        f"Wrote {len(issued)} pricing workbook{'s' if len(issued) != 1 else ''}; "
        f"logged in {panel_files(tender).log}",
        err=True,
    )
