"""`tender moderate`: read the panel's consensus marks into the moderated marks file."""

from __future__ import annotations

from pathlib import Path

import click

from .group import cli, lot_option, tender_file


@cli.command()
@tender_file()
@click.argument(
    "workbook",
    metavar="MODERATION.xlsx",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Moderated marks file to write [default: data.moderated of the tender].",
)
@lot_option()
def moderate(definition: str, workbook: Path, out: Path | None, lot: str | None) -> None:
    """Write TENDER's moderated marks from the consensus in MODERATION.xlsx."""
    from ..workflows.lots import lot_definition
    from ..workflows.moderate import moderate as ingest

    result = ingest(lot_definition(definition, lot), workbook, out)
    click.echo(
        f"wrote {result.path}: {result.rows} consensus marks, {result.differing} differing "
        f"from the median, {result.changed} changed since the last moderation"
    )
