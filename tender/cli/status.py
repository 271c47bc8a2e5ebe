"""`tender status`: every stage of the evaluation, done or open, and the next command."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .group import cli, format_option, tender_file

if TYPE_CHECKING:
    from ..workflows.status import Stage


@cli.command()
@tender_file()
@format_option("text", "One line per stage for people, or JSON (a stable contract).")
def status(definition: str, output_format: str) -> None:
    """Show where the evaluation of TENDER stands and what to run next; writes nothing.

    Exit 0 whatever the state: open items are listed, not errors.
    """
    from ..workflows.status import status as tender_status

    found = tender_status(definition)
    if output_format == "json":
        click.echo(found.json())
        return
    click.echo(f"{found.tender}")
    for lot in found.lots:
        click.echo(f"  lot {lot.lot}")
        _stages(lot.stages, "    ")
    _stages(found.stages, "  ")
    click.echo(f"next: {found.next_command}")


def _stages(stages: list[Stage], indent: str) -> None:
    for stage in stages:
        click.echo(f"{indent}{stage.stage:<16} {stage.state:<12} {stage.detail}")
        for item in stage.items:
            click.echo(f"{indent}    - {item}")
