"""`tender price-templates` prints each workbook issued and where the issue is logged."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tender.cli.group import cli
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[2]
NAME = "office-cleaning-2026"


def test_price_templates_lists_every_workbook(tmp_path: Path) -> None:
    definition = copy_example(NAME, tmp_path)
    result = CliRunner().invoke(cli, ["price-templates", str(definition), "--bidder", "B"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("B\tissue 1\t")
    assert result.stdout.strip().endswith(f"{NAME}-prices-B.xlsx")
    assert "Wrote 1 pricing workbook; logged in" in result.stderr


def test_price_templates_refuses_a_tender_without_a_schedule(reference: Path) -> None:
    result = CliRunner().invoke(cli, ["price-templates", str(reference)])
    assert result.exit_code == 1
    assert "expected a schedule priced by rates" in result.stderr
    assert "Traceback" not in result.output + result.stderr
