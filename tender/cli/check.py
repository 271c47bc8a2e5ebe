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
    tender = checked.tender
    counts = (
        f"{checked.bids} bids, {len(tender.quality.leaves())} marked criteria, "
        f"{len(tender.panel)} evaluators"
    )
    if checked.run is None:
        click.echo(f"{tender.tender.reference}: OK for templates: {counts}; no marks yet")
    else:
        ev = checked.run.evaluation
        for warning in checked.run.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(
            f"{tender.tender.reference}: OK: {counts}"
            + (", PROVISIONAL (no moderated marks)" if ev.provisional else ", moderated marks")
        )
    for path, digest in checked.fingerprints.items():
        click.echo(f"  {digest[:12]}  {path}")
    if checked.run is None:
        click.echo(f"next: tender templates {definition}")
