"""`tender collect-prices`: check returned pricing workbooks, write the prices file."""

from __future__ import annotations

from pathlib import Path

import click

from .group import INPUT_ERROR, cli, lot_option, returned_folder, tender_file


@cli.command("collect-prices")
@tender_file()
@returned_folder()
@lot_option()
def collect_prices(definition: str, returned: Path, lot: str | None) -> None:
    """Collect the bidders' pricing workbooks in RETURNED_DIR into TENDER's prices file.

    Every file is archived unchanged first, then checked. The rate prevails over the
    extended total: each correction is listed with its cell. The exit code is 1 if any
    workbook was refused.
    """
    from ..workflows.collect_prices import collect_prices as collect
    from ..workflows.lots import lot_definition

    result = collect(lot_definition(definition, lot), returned)
    for outcome in result.outcomes:
        if outcome.status in ("superseded", "duplicate"):
            click.echo(f"note: {outcome.file}: {outcome.status}: {outcome.note}", err=True)
        for problem in outcome.problems:
            click.echo(f"error: {problem}", err=True)
    for bidder_id, correction in result.corrections:
        click.echo(f"corrected: bidder {bidder_id}: {correction}")
    accepted = ", ".join(sorted(result.accepted)) or "none"
    click.echo(f"received: {len(result.accepted)} bidder(s) ({accepted})")
    click.echo(f"missing: {', '.join(result.missing) or 'none'}")
    click.echo(f"rejected: {len(result.rejected)} file(s)")
    if result.prices_path is not None:
        click.echo(f"wrote {result.prices_path}")
    else:
        click.echo("no workbook accepted; nothing written")
    if result.rejected:
        click.get_current_context().exit(INPUT_ERROR)
