"""`tender sensitivity`: how robust is the ranking? Weights, single marks, evaluators, bids."""

from __future__ import annotations

import json

import click

from .group import cli, format_option, tender_file


@cli.command()
@tender_file()
@format_option("text", "What to print: text for people, or JSON for programs.")
def sensitivity(definition: str, output_format: str) -> None:
    """Test whether the ranking of TENDER survives small changes.

    Price-weight crossovers, the smallest single-mark change that ties or changes the
    leader, each evaluator left out, each non-winning bid removed, the near-tie rules
    with a verdict per near-tie, panel agreement and abnormal-price screens.
    """
    from ..terminal import robustness_lines
    from ..workflows.sensitivity import sensitivity as analyse_tender

    analysed = analyse_tender(definition)
    for warning in analysed.loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output_format == "json":
        click.echo(json.dumps(analysed.document, indent=2, ensure_ascii=False, allow_nan=False))
        return
    for line in robustness_lines(analysed.document, analysed.names):
        click.echo(line)
