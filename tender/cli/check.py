"""`tender check`: validate a tender definition and all its inputs, reporting every problem."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .group import cli, tender_file

if TYPE_CHECKING:
    from ..workflows.check import Checked


@cli.command()
@tender_file()
def check(definition: str) -> None:
    """Check TENDER and every file it names; report all problems at once.

    With lots, every lot is checked, and once every lot is marked the allocation is shown.
    """
    from ..workflows.check import check as check_tender

    checked = check_tender(definition)
    if not checked.lots:
        _print_checked(checked, checked.tender.tender.reference)
    for lot in checked.lots:
        assert lot.tender.this_lot is not None
        _print_checked(lot, f"{checked.tender.tender.reference} lot {lot.tender.this_lot.id}")
    if checked.allocation is not None:
        from ..terminal import allocation_lines

        for line in allocation_lines(checked.allocation):
            click.echo(line)
    for path, digest in checked.fingerprints.items():
        click.echo(f"  {digest[:12]}  {path}")
    if checked.ready_for == "templates":
        which = " --lot L" if checked.lots else ""
        click.echo(f"next: tender templates {definition}{which}")


def _print_checked(checked: Checked, label: str) -> None:
    tender = checked.tender
    counts = (
        f"{checked.bids} bids, {len(tender.quality.leaves())} marked criteria, "
        f"{len(tender.panel)} evaluators"
    )
    if checked.run is None:
        click.echo(f"{label}: OK for templates: {counts}; no marks yet")
        return
    ev = checked.run.evaluation
    for warning in checked.run.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"{label}: OK: {counts}"
        + (", PROVISIONAL (no moderated marks)" if ev.provisional else ", moderated marks")
    )
