"""`tender score`: print the evaluation table and write reports/<tender>/results.*."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .group import cli, format_option, out_folder_option, tender_file

if TYPE_CHECKING:
    from ..workflows.score import LotsScored, Scored


@cli.command()
@tender_file()
@format_option("table", "What to print: a table for people, or JSON for programs.")
@out_folder_option("Folder for results files [default: reports/<tender>/ beside criteria/].")
def score(definition: str, output_format: str, out: Path | None) -> None:
    """Score every bid in TENDER, rank them and flag near-ties.

    With lots, every lot is scored on its own (results in lots/<lot>/) and the lots are
    awarded under the definition's award rules (allocation.csv, allocation.json).
    """
    from ..workflows.score import Scored
    from ..workflows.score import score as score_tender

    scored = score_tender(definition, out)
    for warning in scored.run.warnings:
        click.echo(f"warning: {warning}", err=True)
    if isinstance(scored, Scored):
        _print_tender(scored, output_format)
    else:
        _print_lots(scored, output_format)
    sys.stdout.flush()
    if output_format != "json":
        names = ", ".join(p.relative_to(scored.folder).as_posix() for p in scored.written)
        click.echo(f"Wrote {names} to {scored.folder}", err=True)


def _print_tender(scored: Scored, output_format: str) -> None:
    from ..outputs import results_document
    from ..terminal import print_table

    if output_format == "json":
        click.echo(
            json.dumps(results_document(scored.run.evaluation), indent=2, ensure_ascii=False)
        )
        return
    print_table(scored.run.evaluation)


def _print_lots(scored: LotsScored, output_format: str) -> None:
    from ..lots_results import lots_document
    from ..terminal import allocation_lines, print_table

    lots = scored.run.evaluation
    if output_format == "json":
        click.echo(json.dumps(lots_document(lots), indent=2, ensure_ascii=False))
        return
    for ev in lots.lots:
        print_table(ev)
        sys.stdout.flush()
        click.echo("")
    for line in allocation_lines(lots):
        click.echo(line)
