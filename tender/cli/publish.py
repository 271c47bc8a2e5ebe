"""`tender publish`: the award as OCDS open data and the contracts register row."""

from __future__ import annotations

from pathlib import Path

import click

from .group import cli, out_folder_option, tender_file


@cli.command()
@tender_file()
@out_folder_option("Folder for the publication [default: reports/<tender>/ beside criteria/].")
def publish(definition: str, out: Path | None) -> None:
    """Write the OCDS release package and contracts register row for TENDER's award.

    Refused while any step of the evaluation is open (see `tender status`).
    """
    from ..workflows.publish import publish as publish_tender

    done = publish_tender(definition, out)
    for warning in done.warnings:
        click.echo(f"warning: {warning}", err=True)
    names = ", ".join(p.name for p in done.written)
    click.echo(f"Wrote {names} to {done.folder}", err=True)
