"""`tender collect-prices` on a folder with nothing usable: exit 1, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from tender.cli.group import cli
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[2]
NAME = "office-cleaning-2026"


def test_a_folder_of_refused_files_writes_nothing(tmp_path: Path) -> None:
    definition = copy_example(NAME, tmp_path)
    prices = tmp_path / "bids" / NAME / "prices.csv"
    before = prices.read_bytes()
    runner = CliRunner()
    assert runner.invoke(cli, ["price-templates", str(definition)]).exit_code == 0
    returned = tmp_path / "returned"
    returned.mkdir()
    (returned / "A.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (returned / "folder").mkdir()
    shutil.copy(tmp_path / "bids" / NAME / "price-templates" / f"{NAME}-prices-B.xlsx", returned)
    result = runner.invoke(cli, ["collect-prices", str(definition), str(returned)])
    assert result.exit_code == 1
    assert "error: A.xlsx:" in result.stderr
    assert "error: folder:" in result.stderr
    assert f"error: {NAME}-prices-B.xlsx: Pricing: found no rates at all (a blank workbook)" in (
        result.stderr
    )
    assert "no workbook accepted; nothing written" in result.output
    assert prices.read_bytes() == before
    assert "Traceback" not in result.output + result.stderr


def test_before_any_pricing_workbook_is_issued_it_says_which_command_issues_them(
    tmp_path: Path,
) -> None:
    copy_example(NAME, tmp_path)
    returned = tmp_path / "returned"
    returned.mkdir()
    result = CliRunner().invoke(
        cli, ["collect-prices", str(tmp_path / "criteria" / f"{NAME}.yaml"), str(returned)]
    )
    assert result.exit_code == 1
    assert "run `tender price-templates` first" in result.stderr
    assert "Traceback" not in result.output + result.stderr
