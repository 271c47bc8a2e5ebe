"""`tender new` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tender.cli import cli


def test_new_prints_what_it_wrote_and_what_comes_next(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new", "cleaning-2025", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "criteria/cleaning-2025.yaml",
        "bids/cleaning-2025/bids.csv",
        "criteria/cleaning-2025.narrative.md",
    ]
    assert result.stderr.startswith("Wrote 3 files. Replace every [TO COMPLETE: ...]")
    assert result.stderr.rstrip().endswith("then run: tender check criteria/cleaning-2025.yaml")


def test_new_writes_into_the_current_folder_by_default(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["new", "x"]).exit_code == 0
    assert (tmp_path / "criteria" / "x.yaml").is_file()


def test_new_refuses_to_overwrite_naming_each_file(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(cli, ["new", "x", "--root", str(tmp_path)])
    (tmp_path / "criteria" / "x.yaml").write_text("mine\n", encoding="utf-8")
    result = runner.invoke(cli, ["new", "x", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines[:3]] == [
        "criteria/x.yaml",
        "bids/x/bids.csv",
        "criteria/x.narrative.md",
    ]
    assert all("found an existing file; expected a new file" in line for line in lines[:3])
    assert lines[3] == "3 problems found; nothing was written."
    assert (tmp_path / "criteria" / "x.yaml").read_text(encoding="utf-8") == "mine\n"


def test_an_unsafe_name_is_an_error_naming_it(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new", "../escape", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: NAME: found '../escape'; expected a tender name")
    assert list(tmp_path.iterdir()) == []


def test_capitals_are_written_with_a_note(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new", "Pest", "--root", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stderr.startswith("note: 'Pest' has capitals: lower-case names are recommended")


def test_a_missing_root_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new", "x", "--root", str(tmp_path / "missing")])
    assert result.exit_code == 2


def test_the_scaffold_is_ready_for_templates_once_it_has_bids(
    runner: CliRunner, tmp_path: Path
) -> None:
    runner.invoke(cli, ["new", "x", "--root", str(tmp_path)])
    with (tmp_path / "bids" / "x" / "bids.csv").open("a", encoding="utf-8", newline="") as out:
        out.write("A,First bidder,1000,yes,,,,,\nB,Second bidder,,yes,,,,,\n")
    result = runner.invoke(cli, ["templates", str(tmp_path / "criteria" / "x.yaml")])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3


def test_new_loads_no_table_or_document_library(tmp_path: Path) -> None:
    """Scaffolding writes three text files: it starts as fast as the help does."""
    import subprocess
    import sys

    code = (
        "import sys; from tender.cli import cli\n"
        "try:\n"
        "    cli(['new', 'quick', '--root', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'pandas', 'numpy', 'openpyxl', 'reportlab', 'docx'} & set(sys.modules)\n"
        "print(sorted(heavy), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert (tmp_path / "criteria" / "quick.yaml").is_file()
    assert out.stderr.strip().splitlines()[-1] == "[]"
