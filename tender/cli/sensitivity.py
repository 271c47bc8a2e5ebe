"""`tender sensitivity`: how robust is the ranking? Weights, single marks, evaluators, bids."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from .group import cli, format_option, tender_file

if TYPE_CHECKING:
    from ..model import Lot
    from ..workflows.sensitivity import Analysed, LotsAnalysed


@cli.command()
@tender_file()
@format_option("text", "What to print: text for people, or JSON for programs.")
def sensitivity(definition: str, output_format: str) -> None:
    """Test whether the ranking of TENDER survives small changes.

    Price-weight crossovers, the smallest single-mark change that ties or changes the
    leader, each evaluator left out, each non-winning bid removed, the near-tie rules
    with a verdict per near-tie, panel agreement and abnormal-price screens. With lots,
    every lot is analysed on its own, and the allocation is shown.
    """
    from ..terminal import progress_shown
    from ..workflows.sensitivity import Analysed
    from ..workflows.sensitivity import sensitivity as analyse_tender

    with progress_shown("Evaluating") as progress:
        analysed = analyse_tender(definition, progress)
    if isinstance(analysed, Analysed):
        _print_tender(analysed, output_format)
    else:
        _print_lots(analysed, output_format)


def _print_tender(analysed: Analysed, output_format: str) -> None:
    from ..terminal import robustness_lines

    for warning in analysed.loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output_format == "json":
        click.echo(json.dumps(analysed.document, indent=2, ensure_ascii=False, allow_nan=False))
        return
    for line in robustness_lines(analysed.document, analysed.names):
        click.echo(line)


def _print_lots(analysed: LotsAnalysed, output_format: str) -> None:
    from ..lots_results import allocation_document
    from ..terminal import allocation_lines, robustness_lines

    for warning in analysed.warnings:
        click.echo(f"warning: {warning}", err=True)
    lots = [(_lot_of(lot), lot) for lot in analysed.lots]
    if output_format == "json":
        document = {
            "lots": [
                {"lot_id": this.id, "lot_title": this.title, **lot.document} for this, lot in lots
            ],
            "allocation": allocation_document(analysed.allocation),
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
        return
    for this, lot in lots:
        click.echo(f"Lot {this.id}: {this.title}")
        for line in robustness_lines(lot.document, lot.names):
            click.echo(line)
        click.echo("")
    for line in allocation_lines(analysed.allocation):
        click.echo(line)


def _lot_of(analysed: Analysed) -> Lot:
    """The lot an analysis is of (each of a definition with lots is of one)."""
    this = analysed.loaded.evaluation.tender.this_lot
    assert this is not None
    return this
