"""`tender templates` on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tender.cli import cli


def test_templates_writes_one_per_evaluator_and_says_where(
    runner: CliRunner, project: Path, reference: Path
) -> None:
    result = runner.invoke(cli, ["templates", str(reference)], catch_exceptions=False)
    assert result.exit_code == 0
    folder = project / "bids" / "pest-control-2016" / "templates"
    assert result.stdout.splitlines() == [
        f"{e}\tissue 1\t{folder / f'pest-control-2016-{e}.xlsx'}" for e in ("E1", "E2", "E3")
    ]
    assert result.stderr.startswith("Wrote 3 templates; logged in ")


def test_templates_for_one_evaluator_into_another_folder(
    runner: CliRunner, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["templates", str(reference), "--evaluator", "E2", "--out", str(out)]
    )
    assert result.exit_code == 0
    assert [p.name for p in out.iterdir()] == ["pest-control-2016-E2.xlsx"]


def test_an_unknown_evaluator_is_an_error(runner: CliRunner, reference: Path) -> None:
    result = runner.invoke(cli, ["templates", str(reference), "--evaluator", "E9"])
    assert result.exit_code == 1
    assert result.stderr == "error: evaluator E9 is not on the panel (E1, E2, E3)\n"
    assert result.stdout == ""


def test_help_for_the_panel_commands_loads_no_heavy_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from tender.cli import cli; "
        "heavy = {'pandas', 'numpy', 'openpyxl', 'python_calamine', 'rich'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_templates_folder_linked_out_of_the_project_is_refused_and_nothing_written(
    runner: CliRunner, project: Path, reference: Path, tmp_path_factory: Any
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    folder = project / "bids" / "pest-control-2016"
    (folder / "templates").symlink_to(elsewhere)
    before = sorted(p.name for p in folder.iterdir())
    result = runner.invoke(cli, ["templates", str(reference)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"error: {folder}/templates/pest-control-2016-E1.xlsx: found a path outside the "
        f"tender's folder {project.resolve()} (through a link, to "
        f"{elsewhere.resolve()}/pest-control-2016-E1.xlsx); expected a path inside it (beside "
        "criteria/, bids/ and reports/), or an --out given on the command line"
    )
    assert lines[-1] == "3 problems found; nothing was written."
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in folder.iterdir()) == before  # no key, no log


def test_a_linked_panel_key_is_refused_not_a_traceback(
    runner: CliRunner, project: Path, reference: Path
) -> None:
    folder = project / "bids" / "pest-control-2016"
    (folder / ".panel-key").symlink_to(folder / "missing-key")
    result = runner.invoke(cli, ["templates", str(reference)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: bids/pest-control-2016/.panel-key: found a symbolic link; expected a regular "
        "file or a new file name (outputs never follow links)",
        "1 problem found; nothing was written.",
    ]
    assert not (folder / "missing-key").exists()
    assert not (folder / "templates").exists()


def test_progress_counts_the_templates_on_a_terminal_only(
    runner: CliRunner, reference: Path, project: Path
) -> None:
    import sys

    import pytest

    if sys.platform == "win32":
        pytest.skip("pseudo-terminals are POSIX")
    from tests.test_terminal import on_a_terminal

    code, drawn = on_a_terminal(["templates", str(reference)], project)
    assert code == 0, drawn
    assert "Writing templates 2/3" in drawn
    result = runner.invoke(cli, ["templates", str(reference)])
    assert result.exit_code == 0
    assert "Writing templates" not in result.output
