"""`tender check`: validate a tender definition and all its inputs, reporting every problem."""

from __future__ import annotations

import click

from . import cli, tender_file


@cli.command()
@tender_file()
def check(definition: str) -> None:
    """Check TENDER and every file it names; report all problems at once."""
    from ..pipeline import evaluate_file
    from ..robustness import check_named_files

    run = evaluate_file(definition)
    ev = run.evaluation
    more = check_named_files(ev)
    for warning in run.warnings:
        click.echo(f"warning: {warning}", err=True)
    table = ev.table
    click.echo(
        f"{ev.tender.tender.reference}: OK: {len(table)} bids, "
        f"{len(ev.tender.quality.leaves())} marked criteria, {len(ev.tender.panel)} evaluators"
        + (", PROVISIONAL (no moderated marks)" if ev.provisional else ", moderated marks")
    )
    for path, digest in sorted({**ev.fingerprints, **more}.items()):
        click.echo(f"  {digest[:12]}  {path}")
