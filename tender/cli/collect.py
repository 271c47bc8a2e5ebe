"""`tender collect`: check returned workbooks, write the marks and the moderation workbook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .group import INPUT_ERROR, cli, lot_option, returned_folder, tender_file

if TYPE_CHECKING:
    from ..workflows.collect import Collection


@cli.command()
@tender_file()
@returned_folder()
@lot_option()
def collect(definition: str, returned: Path, lot: str | None) -> None:
    """Collect the evaluators' returned workbooks in RETURNED_DIR for TENDER.

    Every file is archived unchanged first, then checked. Good returns are collected even
    when others are refused; the exit code is 1 if any return was refused.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress

    from ..workflows.collect import collect as collect_returns
    from ..workflows.lots import lot_definition

    tender = lot_definition(definition, lot)
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("Reading returns", total=None)

        def step(done: int, total: int, name: str) -> None:
            # names are already escaped for control characters; rich must not read [tags]
            bar.update(task, completed=done, total=total, description=f"Reading {escape(name)}")

        result = collect_returns(tender, returned, progress=step)
    _report(result)
    if result.rejected:
        click.get_current_context().exit(INPUT_ERROR)


def _report(result: Collection) -> None:
    for outcome in result.outcomes:
        if outcome.status in ("superseded", "duplicate"):
            click.echo(f"note: {outcome.file}: {outcome.status}: {outcome.note}", err=True)
    for problem in result.problems:
        click.echo(f"error: {problem}", err=True)
    accepted = ", ".join(sorted(result.accepted)) or "none"
    click.echo(f"received: {len(result.accepted)} evaluator(s) ({accepted})")
    click.echo(f"missing: {', '.join(result.missing) or 'none'}")
    click.echo(f"rejected: {len(result.rejected)} file(s)")
    click.echo(f"flagged spreads: {result.flagged}")
    if result.marks_path is not None:
        click.echo(f"wrote {result.marks_path} and {result.moderation_path}")
    else:
        click.echo("no return accepted; nothing written")
