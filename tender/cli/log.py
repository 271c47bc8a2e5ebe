"""`tender log`: print the tender's evaluation log and check its hash chain."""

from __future__ import annotations

import json

import click

from .group import INPUT_ERROR, cli, format_option, tender_file


@cli.command(name="log")
@tender_file()
@format_option("text", "One line per event for people, or the JSON lines as stored.")
def log_command(definition: str, output_format: str) -> None:
    """Print the evaluation log of TENDER: templates, returns, moderation.

    Every readable entry is printed; damaged lines are named with their line number and
    what was found, and the last line says whether the hash chain is intact or where it
    breaks (exit 1 when broken or damaged).
    """
    from ..workflows.log import log

    checked = log(definition)
    for entry in checked.entries:
        if output_format == "json":
            click.echo(json.dumps(entry, sort_keys=True, ensure_ascii=False))
        else:
            click.echo(describe(entry))
    for problem in checked.damaged:
        click.echo(f"error: {problem}", err=True)
    for broken in checked.breaks:
        click.echo(f"error: {broken}", err=True)
    click.echo(checked.summary(), err=True)
    if not checked.intact:
        click.get_current_context().exit(INPUT_ERROR)


def describe(entry: dict[str, object]) -> str:
    """One readable line for a log entry."""
    event = str(entry.get("event", "?"))
    when = entry.get("at") or entry.get("received_at") or ""
    sha = str(entry.get("sha256", ""))[:12]
    details = {
        "template_issued": "{evaluator_id} issue {issue} ({file}, sha256 {sha})",
        "return_received": "{file} (sha256 {sha}, {bytes} bytes) archived as {archive}",
        "return_accepted": "{file} from {evaluator_id} issue {issue} (sha256 {sha})",
        "return_rejected": "{file} (sha256 {sha}): {problems}",
        "return_superseded": "{file} of {evaluator_id} superseded by {by_file}",
        "marks_collected": "{marks} from {returns}; missing {missing}; flagged {flagged}",
        "moderation_ingested": "{moderated} from {workbook}: {rows} marks, {changes} changed",
    }.get(event, "")
    values = dict(entry)
    values["sha"] = sha
    if event == "return_rejected":
        values["problems"] = "; ".join(entry.get("problems", []))  # type: ignore[arg-type]
    if event == "moderation_ingested":
        values["changes"] = len(entry.get("changes", []))  # type: ignore[arg-type]
    if event == "marks_collected":
        values["returns"] = ", ".join(entry.get("returns", {}))  # type: ignore[arg-type]
        values["missing"] = ", ".join(entry.get("missing", [])) or "none"  # type: ignore[arg-type]
    try:
        text = details.format(**values)
    except (KeyError, IndexError):
        text = ""
    return f"{when}\t{event}\t{text}".rstrip()
