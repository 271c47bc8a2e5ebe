"""`tender score`: print the evaluation table and write reports/<tender>/results.*."""

from __future__ import annotations

import json
import sys
from datetime import UTC
from pathlib import Path

import click

from . import cli, format_option, out_folder_option, tender_file


@cli.command()
@tender_file()
@format_option("table", "What to print: a table for people, or JSON for programs.")
@out_folder_option("Folder for results files [default: reports/<tender>/ beside criteria/].")
def score(definition: str, output_format: str, out: Path | None) -> None:
    """Score every bid in TENDER, rank them and flag near-ties."""
    from ..audit import last_hash, record_run
    from ..files import Gate, os_errors
    from ..inputs import project_root
    from ..outputs import render_results, results_document
    from ..panel import protected_files
    from ..pipeline import evaluate_file

    run = evaluate_file(definition)
    ev = run.evaluation
    root = project_root(ev.tender)
    folder = out or root / "reports" / ev.tender.slug
    runs = folder / "runs.jsonl"
    results = render_results(ev, folder)
    gate = Gate(
        tuple(protected_files(ev.tender)),
        root,
        named={out: "--out"} if out else {},
        appends=(runs,),
    )
    gate.check(results)
    last_hash(runs)  # a damaged run record is refused before any write
    with os_errors(folder, "write the results"):
        written = gate.write(results)
    record_run(
        runs,
        "scored",
        at=_now(),
        tool_version=_version(),
        inputs=ev.fingerprints,
        outputs=[p.name for p in written],
        provisional=ev.provisional,
    )
    for warning in run.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output_format == "json":
        click.echo(json.dumps(results_document(ev), indent=2, ensure_ascii=False))
        return
    from ..terminal import print_table

    print_table(ev)
    sys.stdout.flush()
    click.echo(f"Wrote {', '.join(p.name for p in written)} to {folder}", err=True)


def _now() -> str:
    from datetime import datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


def _version() -> str:
    from .. import __version__

    return __version__
