"""`tender log`: print the tender's evaluation log and check its hash chain."""

from __future__ import annotations

import json

import click

from .group import INPUT_ERROR, cli, format_option, lot_option, tender_file


@cli.command(name="log")
@tender_file()
@format_option("text", "One line per event for people, or the JSON lines as stored.")
@lot_option()
def log_command(definition: str, output_format: str, lot: str | None) -> None:
    """Print the evaluation log of TENDER: templates, returns, moderation.

    Every readable entry is printed; damaged lines are named with their line number and
    what was found, and the last line says whether the hash chain is intact or where it
    breaks (exit 1 when broken or damaged).
    """
    from ..terminal import log_line
    from ..workflows.log import log
    from ..workflows.lots import lot_definition

    checked = log(lot_definition(definition, lot))
    for entry in checked.entries:
        if output_format == "json":
            click.echo(json.dumps(entry, sort_keys=True, ensure_ascii=False))
        else:
            click.echo(log_line(entry))
    for problem in checked.damaged:
        click.echo(f"error: {problem}", err=True)
    for broken in checked.breaks:
        click.echo(f"error: {broken}", err=True)
    click.echo(checked.summary(), err=True)
    if not checked.intact:
        click.get_current_context().exit(INPUT_ERROR)
