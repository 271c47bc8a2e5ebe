"""The group's one error handler, and what each command loads before it runs."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tender.cli.group import INPUT_ERROR, TenderGroup
from tender.errors import Problem, TenderError, TenderInputError


def _group() -> click.Group:
    @click.group(cls=TenderGroup)
    def group() -> None:
        pass

    @group.command()
    def bad_input() -> None:
        raise TenderInputError([Problem("bids.csv", "line 3", "'x'", "a number")] * 2)

    @group.command()
    def refused() -> None:
        raise TenderError("reports: could not write it: the disk is full")

    return group


def test_every_problem_is_printed_and_the_exit_code_is_1() -> None:
    result = CliRunner().invoke(_group(), ["bad-input"])
    assert result.exit_code == INPUT_ERROR
    assert result.stderr == (
        "error: bids.csv: line 3: found 'x'; expected a number\n"
        "error: bids.csv: line 3: found 'x'; expected a number\n"
        "2 problems found; nothing was written.\n"
    )


def test_other_library_errors_are_one_message() -> None:
    result = CliRunner().invoke(_group(), ["refused"])
    assert result.exit_code == INPUT_ERROR
    assert result.stderr == "error: reports: could not write it: the disk is full\n"


def _run_python(code: str, cwd: Path | None = None) -> str:
    """The last line `code` prints, run in a fresh interpreter (nothing loaded yet)."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd
    )
    return result.stdout.strip().splitlines()[-1]


def test_a_command_loads_its_twin_first_and_leaves_the_collector_on(reference: Path) -> None:
    code = (
        "import gc, sys\n"
        "from tender.cli import cli\n"
        f"try:\n    cli(['log', {str(reference)!r}])\nexcept SystemExit:\n    pass\n"
        "print('tender.workflows.log' in sys.modules, gc.isenabled(), gc.get_freeze_count())\n"
    )
    loaded, enabled, frozen = _run_python(code).split()
    assert (loaded, enabled) == ("True", "True")
    assert int(frozen) > 100_000  # pandas, numpy, pydantic and the definition's models


COLLECTIONS = (
    "import gc\n"
    "from importlib import import_module\n"
    "from tender.cli.group import load_quietly\n"
    "count = []\n"
    "gc.callbacks.append(lambda phase, info: phase == 'start' and count.append(1))\n"
    "LOAD('tender.workflows.score')\n"
    "print(len(count), gc.isenabled())\n"
)


def test_the_twin_loads_with_no_collection_where_a_plain_import_makes_many() -> None:
    assert int(_run_python(COLLECTIONS.replace("LOAD", "import_module")).split()[0]) > 10
    assert _run_python(COLLECTIONS.replace("LOAD", "load_quietly")) == "0 True"


def test_loading_quietly_keeps_the_collector_as_it_was_and_loads_once() -> None:
    code = (
        "import gc\n"
        "from tender.cli.group import load_quietly\n"
        "gc.disable()\n"
        "load_quietly('tender.workflows.log')\n"
        "off, frozen = gc.isenabled(), gc.get_freeze_count()\n"
        "gc.enable()\n"
        "load_quietly('tender.workflows.log')\n"
        "print(off, frozen > 0, gc.get_freeze_count() == frozen, gc.isenabled())\n"
    )
    assert _run_python(code) == "False True True True"


# What each command never needs (it loads what is left): documents, reading workbooks,
# writing workbooks, open data, the heavier analyses, and what tests use.
DOCUMENTS = {"reportlab", "docx", "PIL"}
READING = {"openpyxl", "python_calamine", "defusedxml"}
WRITING = {"xlsxwriter"}
OPEN_DATA = {"jsonschema", "referencing"}
ANALYSES = {"krippendorff", "scipy"}
TESTING = {"pytest", "hypothesis"}
NEVER = {
    "check": DOCUMENTS | READING | WRITING | OPEN_DATA | ANALYSES | {"rich", "lxml"},
    "score": DOCUMENTS | READING | OPEN_DATA | ANALYSES | {"lxml", "holidays"},
    "sensitivity": DOCUMENTS | READING | WRITING | OPEN_DATA | {"scipy", "rich", "lxml"},
    "status": DOCUMENTS | READING | WRITING | OPEN_DATA | ANALYSES | {"rich", "lxml"},
    "log": DOCUMENTS | READING | WRITING | OPEN_DATA | ANALYSES | {"rich", "lxml"},
    "report": READING | WRITING | OPEN_DATA | {"scipy"},
    "publish": DOCUMENTS | READING | WRITING | ANALYSES | {"rich", "lxml"},
}


@pytest.mark.parametrize("command", sorted(NEVER))
def test_each_command_loads_only_the_libraries_it_uses(command: str, reference: Path) -> None:
    """Start-up is paid on every run: a library a command never uses must not load."""
    code = (
        "import sys\n"
        "from tender.cli import cli\n"
        f"try:\n    cli([{command!r}, {str(reference)!r}])\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.partition('.')[0] for m in sys.modules}))\n"
    )
    loaded = set(ast.literal_eval(_run_python(code, reference.parent.parent)))
    assert sorted(loaded & (NEVER[command] | TESTING)) == []


BLAS = (
    "import os, sys\n"
    "from tender.cli import main\n"
    "sys.argv = ['tender', 'score', TENDER]\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "import numpy\n"
    "threads = len(os.listdir('/proc/self/task')) if os.path.isdir('/proc/self/task') else 1\n"
    "print(os.environ['OPENBLAS_NUM_THREADS'], threads)\n"
)


def test_the_command_line_keeps_blas_to_one_thread_unless_told_otherwise(
    reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenBLAS would start a thread per core that only spins beside a command's small
    arrays: the entry point asks for one thread before numpy loads, and a setting the
    caller made is kept."""
    code = BLAS.replace("TENDER", repr(str(reference)))
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert _run_python(code, reference.parent.parent) == "1 1"  # no thread beside this one
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert _run_python(code, reference.parent.parent).split()[0] == "2"


def _tender(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m tender ARGS` as an officer runs it: the entry point, its exit included."""
    return subprocess.run(
        [sys.executable, "-m", "tender", *args], capture_output=True, text=True, cwd=cwd
    )


def test_the_process_ends_with_every_line_printed_and_the_command_s_status(
    reference: Path,
) -> None:
    """The entry point ends the process without the interpreter's teardown: what the
    command printed still reaches the pipe whole, and its exit status is the command's."""
    done = _tender("score", str(reference), "--format", "json", cwd=reference.parent.parent)
    assert done.returncode == 0, done.stderr
    bids = json.loads(done.stdout)["bids"]  # the last byte too: the document parses
    assert [(b["bidder"], b["display"]["total_score"]) for b in bids[:1]] == [
        ("Goodwin Pest Management", "80.3")  # the award report's Table 1
    ]
    assert len(bids) == 6
    refused = _tender("score", "criteria/missing.yaml", cwd=reference.parent.parent)
    assert refused.returncode == 2  # click's usage error: the file does not exist
    assert "does not exist" in refused.stderr
    broken = reference.parent / "broken.yaml"
    broken.write_text("tender: [\n", encoding="utf-8")
    failed = _tender("score", str(broken), cwd=reference.parent.parent)
    assert failed.returncode == INPUT_ERROR
    assert failed.stderr.startswith("error: ")


def test_the_exit_status_is_python_s_own_for_every_system_exit() -> None:
    from tender.cli.group import _status

    assert [_status(None), _status(0), _status(2), _status("stopped")] == [0, 0, 2, 1]
