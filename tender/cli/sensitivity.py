"""`tender sensitivity`: how robust is the ranking? Weights, single marks, evaluators, bids."""

from __future__ import annotations

import json

import click

from . import cli, format_option, tender_file


@cli.command()
@tender_file()
@format_option("text", "What to print: text for people, or JSON for programs.")
def sensitivity(definition: str, output_format: str) -> None:
    """Test whether the ranking of TENDER survives small changes.

    Price-weight crossovers, the smallest single-mark change that ties or changes the
    leader, each evaluator left out, each non-winning bid removed, the near-tie rules
    with a verdict per near-tie, panel agreement and abnormal-price screens.
    """
    from ..robustness import analyse, document, load_case, text_lines

    loaded = load_case(definition)
    doc = document(analyse(loaded.case, loaded.evaluation, loaded.decisions))
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output_format == "json":
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
        return
    table = loaded.evaluation.table
    names = dict(zip(table["bidder_id"], table["bidder"], strict=True))
    for line in text_lines(doc, names):
        click.echo(line)
