"""`tender new`: scaffold a new tender's definition, bids file and report narrative."""

from __future__ import annotations

from pathlib import Path

import click

from .group import cli


@cli.command()
@click.argument("name", metavar="NAME")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    help="Project folder holding criteria/ and bids/ [default: the current folder].",
)
def new(name: str, root: Path) -> None:
    """Scaffold tender NAME: criteria/NAME.yaml, bids/NAME/bids.csv and the narrative.

    Nothing is overwritten: if any of the three files exists, each is named and none is
    written.
    """
    from ..files import shown_path
    from ..workflows.new import name_advice
    from ..workflows.new import new as scaffold

    written = scaffold(name, root)
    for advice in name_advice(name):
        click.echo(f"note: {advice}", err=True)
    for path in written:
        click.echo(shown_path(path, root))
    definition = shown_path(written[0], root)
    click.echo(
        f"Wrote {len(written)} files. Replace every [TO COMPLETE: ...] and settle every "
        f"TO DECIDE in {definition}, put the bids in {shown_path(written[1], root)}, "
        f"write the narrative, then run: tender check {definition}",
        err=True,
    )
