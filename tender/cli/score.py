"""`tender score`: print the evaluation table and write reports/<tender>/results.*."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .group import cli, format_option, out_folder_option, tender_file


@cli.command()
@tender_file()
@format_option("table", "What to print: a table for people, or JSON for programs.")
@out_folder_option("Folder for results files [default: reports/<tender>/ beside criteria/].")
def score(definition: str, output_format: str, out: Path | None) -> None:
    """Score every bid in TENDER, rank them and flag near-ties."""
    from ..outputs import results_document
    from ..workflows.score import score as score_tender

    scored = score_tender(definition, out)
    run, ev, folder, written = scored.run, scored.run.evaluation, scored.folder, scored.written
    for warning in run.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output_format == "json":
        click.echo(json.dumps(results_document(ev), indent=2, ensure_ascii=False))
        return
    from ..terminal import print_table

    print_table(ev)
    sys.stdout.flush()
    click.echo(f"Wrote {', '.join(p.name for p in written)} to {folder}", err=True)
