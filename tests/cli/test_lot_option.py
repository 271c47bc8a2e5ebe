"""`--lot`: required by the per-lot commands and `log` on a definition with lots, refused
without lots. Each lot's panel folder keeps its own log."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tender.cli.group import cli
from tests.conftest import copy_example

ROOT = Path(__file__).resolve().parents[2]
NAME = "cleaning-lots-2026"
# Each per-lot command with the arguments it needs besides TENDER and --lot.
COMMANDS = {
    "templates": [],
    "collect": ["{folder}"],
    "moderate": ["{workbook}"],
    "clarify": [],
    "price-templates": [],
    "collect-prices": ["{folder}"],
    "log": [],
}


@pytest.fixture
def lots(tmp_path: Path) -> Path:
    root = tmp_path / "lots"
    return copy_example(NAME, root)


def invoke(command: str, definition: Path, tmp_path: Path, *extra: str) -> tuple[int, str]:
    workbook = tmp_path / "moderation.xlsx"
    workbook.write_bytes(b"")
    args = [a.format(folder=tmp_path, workbook=workbook) for a in COMMANDS[command]]
    result = CliRunner().invoke(cli, [command, str(definition), *args, *extra])
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_per_lot_command_on_lots_requires_lot(command: str, lots: Path, tmp_path: Path) -> None:
    code, stderr = invoke(command, lots, tmp_path)
    assert code == 1
    assert (
        f"criteria/{NAME}.yaml: --lot: found no --lot; expected --lot naming one of its lots: "
        "1, 2, 3" in stderr
    )
    code, stderr = invoke(command, lots, tmp_path, "--lot", "9")
    assert code == 1
    assert "--lot: found --lot 9; expected one of its lots: 1, 2, 3" in stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_per_lot_command_without_lots_refuses_lot(
    command: str, reference: Path, tmp_path: Path
) -> None:
    code, stderr = invoke(command, reference, tmp_path, "--lot", "1")
    assert code == 1
    assert (
        "criteria/pest-control-2016.yaml: --lot: found --lot 1; expected no --lot: this "
        "definition has no lots" in stderr
    )


def test_templates_for_a_lot_go_to_the_lots_panel_folder(lots: Path) -> None:
    result = CliRunner().invoke(cli, ["templates", str(lots), "--lot", "3"])
    assert result.exit_code == 0, result.stderr
    folder = lots.parent.parent / "bids" / f"{NAME}-3" / "templates"
    assert sorted(p.name for p in folder.iterdir()) == [f"{NAME}-3-E1.xlsx", f"{NAME}-3-E2.xlsx"]


def test_price_templates_for_a_lot_carry_the_lots_own_schedule(lots: Path) -> None:
    from openpyxl import load_workbook

    result = CliRunner().invoke(cli, ["price-templates", str(lots), "--lot", "3"])
    assert result.exit_code == 0, result.stderr
    issued = sorted((lots.parent.parent / "bids" / f"{NAME}-3").rglob("*-prices-A.xlsx"))
    assert len(issued) == 1
    book = load_workbook(issued[0])
    cells = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert (
        "EX-CLEAN-LOTS-2026: Cleaning Services (three lots), lot 3: Window cleaning at every "
        "site" in cells
    )
    assert "W1" in cells
    assert "C1" not in cells
