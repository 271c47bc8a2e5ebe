"""`tender report`: write the award recommendation report and the bidder letters."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import click

from . import cli, out_folder_option, tender_file


@cli.command()
@tender_file()
@out_folder_option(
    "Folder for the report and letters [default: reports/<tender>/ beside criteria/]."
)
@click.option(
    "--letters/--no-letters",
    default=True,
    show_default=True,
    help="Also write one letter per bidder (refused while any mark lacks a rationale).",
)
def report(definition: str, out: Path | None, letters: bool) -> None:
    """Write the award report (PDF, DOCX) for TENDER and a letter to every bidder."""
    from datetime import datetime

    from .. import __version__
    from ..audit import last_hash, record_run
    from ..files import Gate, os_errors
    from ..inputs import project_root
    from ..panel import protected_files
    from ..pipeline import evaluate_file
    from ..report.build import render_report
    from ..report.narrative import load_narrative

    run = evaluate_file(definition)
    ev = run.evaluation
    root = project_root(ev.tender)
    folder = out or root / "reports" / ev.tender.slug
    rendered = render_report(ev, load_narrative(ev.tender), folder, letters=letters)
    runs = folder / "runs.jsonl"
    gate = Gate(
        tuple(protected_files(ev.tender)),
        root,
        named={out: "--out"} if out else {},
        appends=(runs,),
    )
    gate.check(rendered.files)
    last_hash(runs)  # a damaged run record is refused before any write
    with os_errors(folder, "write the report"):
        written = gate.write(rendered.files)
    record_run(
        runs,
        "reported",
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        tool_version=__version__,
        inputs=ev.fingerprints,
        outputs=[p.relative_to(folder).as_posix() for p in written],
        provisional=ev.provisional,
    )
    for warning in [*run.warnings, *rendered.warnings]:
        click.echo(f"warning: {warning}", err=True)
    count = sum(1 for p in written if p.parent.name == "letters" and p.suffix == ".pdf")
    click.echo(f"Wrote the award report and {count} letters to {folder}", err=True)
