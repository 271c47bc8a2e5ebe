"""`tender check`: validate a tender definition and all its inputs, reporting every problem."""

from __future__ import annotations

import click

from .group import cli, tender_file


@cli.command()
@tender_file()
def check(definition: str) -> None:
    """Check TENDER and every file it names; report all problems at once."""
    from ..workflows.check import check as check_tender

    checked = check_tender(definition)
    ev = checked.run.evaluation
    for warning in checked.run.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"{ev.tender.tender.reference}: OK: {len(ev.table)} bids, "
        f"{len(ev.tender.quality.leaves())} marked criteria, {len(ev.tender.panel)} evaluators"
        + (", PROVISIONAL (no moderated marks)" if ev.provisional else ", moderated marks")
    )
    for path, digest in checked.fingerprints.items():
        click.echo(f"  {digest[:12]}  {path}")
