"""Every command over a corpus of broken inputs: a message and exit 1 or 2, never a traceback.

The corpus is generated here, at test time, from the reference tender (no stored
binaries): each case damages one file the tool reads, or puts the wrong kind of thing
where a file or folder should be, and every command that reads it is run through click's
CliRunner. Each run must exit 1 (unusable input) or 2 (usage error), name the damaged
file in its output, print no traceback and raise nothing but SystemExit.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tender.cli import cli

# A corpus of hundreds of runs: the quick loop (`-m "not slow"`) leaves it to the full suite.
pytestmark = pytest.mark.slow

SLUG = "pest-control-2016"
DEFINITION = f"criteria/{SLUG}.yaml"
BIDS = f"bids/{SLUG}"
LOG = f"{BIDS}/evaluation-log.jsonl"
RUNS = f"reports/{SLUG}/runs.jsonl"

Damage = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One damaged input and the commands that read it."""

    target: str  # path of the damaged entry, relative to the project
    damage: str  # name of the damage in DAMAGES or YAML_DAMAGES
    commands: tuple[str, ...]


def _garbage(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _replace(path: Path, data: bytes) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    path.write_bytes(data)


def _folder(path: Path) -> None:
    if path.exists():
        path.unlink()
    path.mkdir(parents=True)
    (path / "inside.txt").write_text("a folder where a file should be")


def _fifo(path: Path) -> None:
    if path.exists():
        path.unlink()
    os.mkfifo(path)


def _truncate(path: Path) -> None:
    """Cut the file in the middle of a line, just after its first field (or first byte)."""
    data = path.read_bytes()
    middle = data.find(b"\n", len(data) // 2) + 1
    if not 0 < middle < len(data) - 1:  # one line: cut it in half
        path.write_bytes(data[: len(data) // 2])
        return
    comma = data.find(b",", middle)
    end = comma + 1 if comma > middle and b"\n" not in data[middle:comma] else middle + 5
    path.write_bytes(data[:end])


def _huge_field(path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    header, first = lines[0], lines[1]
    cells = first.split(b",")
    cells[-1] = b"x" * 200_000
    path.write_bytes(b"\n".join([header, b",".join(cells), *lines[2:]]))


def _cp1252(path: Path) -> None:
    """What Excel's plain 'CSV' writes for 'Société “A”': Windows-1252, not UTF-8."""
    lines = path.read_bytes().split(b"\n")
    lines[1] = b"Soci\xe9t\xe9 \x93A\x94 " + lines[1]
    path.write_bytes(b"\n".join(lines))


def _nul(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:40] + b"\x00" * 16 + data[40:])


def _unbalanced_quote(path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    lines[1] = b'"' + lines[1]
    path.write_bytes(b"\n".join(lines))


def _no_rows(path: Path) -> None:
    path.write_bytes(path.read_bytes().split(b"\n")[0] + b"\n")


DAMAGES: dict[str, Damage] = {
    "empty": lambda p: _replace(p, b""),
    "truncated": _truncate,
    "cp1252": _cp1252,
    "nul-bytes": _nul,
    "huge-field": _huge_field,
    "unbalanced-quote": _unbalanced_quote,
    "header-only": _no_rows,
    "semicolons": lambda p: p.write_bytes(p.read_bytes().replace(b",", b";")),
    "binary": lambda p: _replace(p, _garbage(4096, 1)),
    "zip-bytes": lambda p: _replace(p, b"PK\x03\x04" + _garbage(2000, 2)),
    "folder": _folder,
}
if hasattr(os, "mkfifo"):
    DAMAGES["fifo"] = _fifo


def _yaml_edit(old: str, new: str) -> Damage:
    def edit(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


YAML_DAMAGES: dict[str, Damage] = {
    "syntax": _yaml_edit("weights:\n", "weights: [\n"),
    "tab-indent": _yaml_edit("  price: 60\n", "\tprice: 60\n"),
    "nesting-bomb": lambda p: p.write_text("x: " + "[" * 20_000 + "]" * 20_000 + "\n"),
    "mapping-bomb": lambda p: p.write_text("x: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n"),
    "huge-int": _yaml_edit("initial_years: 3", "initial_years: " + "9" * 5000),
    "huge-float": _yaml_edit("  price: 60\n", "  price: 1" + "0" * 400 + ".0\n"),
    "bad-date": _yaml_edit("start: 2017-01-01", "start: 2016-02-30"),
    "bad-month": _yaml_edit("meeting_date: 2016-12-13", "meeting_date: 2016-13-13"),
    "date-as-text": _yaml_edit("start: 2017-01-01", "start: '1 January 2017'"),
    "wrong-type": _yaml_edit("  price: 60\n", "  price: sixty\n"),
    "list-for-mapping": _yaml_edit("weights:\n", "weights:\n  - 1\nunused:\n"),
    "python-tag": _yaml_edit("  price: 60\n", "  price: !!python/object/apply:os.getpid []\n"),
    "alias": _yaml_edit("  price: 60\n  quality: 40\n", "  price: &w 60\n  quality: *w\n"),
    "anchor": _yaml_edit("  price: 60\n", "  price: &w 60\n"),
    "alias-bomb": lambda p: p.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [{', '.join([f'*{p_}'] * 9)}]\n"
            for c, p_ in zip("bcdefgh", "abcdefg", strict=True)
        )
    ),
    "unhashable-key": _yaml_edit("weights:\n", "? [1, 2]\n: x\nweights:\n"),
    "bad-tag-value": _yaml_edit("  price: 60\n", "  price: !!float sixty\n"),
    "duplicate-key": _yaml_edit("  quality: 40\n", "  quality: 40\n  quality: 40\n"),
    "a-list": lambda p: p.write_text("- 1\n- 2\n"),
    "empty": lambda p: _replace(p, b""),
    "binary": lambda p: _replace(p, _garbage(4096, 3)),
    "cp1252": lambda p: p.write_bytes(p.read_bytes().replace(b"Maidstone", b"Maidst\xf6ne", 1)),
    "oversized": lambda p: p.write_bytes(p.read_bytes() + b"# " + b"x" * (1 << 21) + b"\n"),
}

ALL = ("check", "score", "report", "sensitivity", "clarify", "templates", "collect", "moderate",
       "log", "publish")  # fmt: skip
SCORING = ("check", "score", "report", "sensitivity", "clarify", "publish")

CSV_CASES = [
    Case(f"{BIDS}/bids.csv", d, (*SCORING, "templates", "collect", "moderate"))
    for d in DAMAGES
    if d != "header-only"  # no bids is a valid, if empty, tender for some commands
] + [
    Case(f"{BIDS}/{name}", d, commands)
    for name, commands in (
        ("marks.csv", (*SCORING, "moderate")),
        ("moderated.csv", SCORING),
        ("clarifications.csv", ("check", "clarify")),
        ("abnormal-price-decisions.csv", SCORING),
    )
    for d in DAMAGES
    if not (d == "header-only" and name in ("clarifications.csv", "abnormal-price-decisions.csv"))
]
# With no marks at all, moderate rightly asks for a rationale for every consensus mark, in
# the moderation workbook: that message names the workbook, not the marks file.
CSV_CASES = [
    Case(c.target, c.damage, tuple(x for x in c.commands if x != "moderate"))
    if c.target.endswith("marks.csv") and c.damage == "header-only"
    else c
    for c in CSV_CASES
]
LOG_DAMAGES = ("truncated", "cp1252", "nul-bytes", "unbalanced-quote", "binary", "folder",
               *(("fifo",) if "fifo" in DAMAGES else ()))  # fmt: skip
TAIL_DAMAGES = ("truncated", "binary", "folder", "fifo")
OTHER_CASES = [
    # appends read only the log's tail (moderate reads nothing else), so only a damaged
    # tail stops it; `tender log` and the commands that read the whole log see every line
    *(
        Case(
            LOG,
            d,
            (
                "log",
                "collect",
                "templates",
                "clarify",
                *(("moderate",) if d in TAIL_DAMAGES else ()),
            ),
        )
        for d in LOG_DAMAGES
    ),
    *(Case(RUNS, d, ("score", "report", "publish")) for d in LOG_DAMAGES),
    *(
        Case(f"{BIDS}/.panel-key", d, ("templates", "collect"))
        for d in (
            "empty",
            "binary",
            "truncated",
            "folder",
            *(("fifo",) if "fifo" in DAMAGES else ()),
        )
    ),
    *(
        Case(f"{BIDS}/moderation.xlsx", d, ("moderate", "collect"))
        for d in ("empty", "binary", "zip-bytes", "truncated")
    ),
    *(
        Case(f"criteria/{SLUG}.narrative.md", d, ("report",))
        for d in ("binary", "cp1252", "folder", *(("fifo",) if "fifo" in DAMAGES else ()))
    ),
]
YAML_CASES = [Case(DEFINITION, d, ALL) for d in YAML_DAMAGES] + [Case(DEFINITION, "folder", ALL)]
# A file where a folder should be: the tool must say so, naming the path, not trace back.
FILE_FOR_FOLDER = [
    Case(f"{BIDS}/templates", "file-for-folder", ("templates",)),
    Case(f"{BIDS}/archive", "file-for-folder", ("collect",)),
    Case(f"reports/{SLUG}", "file-for-folder", ("score", "report", "publish")),
    Case("reports", "file-for-folder", ("clarify",)),
]
CASES = [*CSV_CASES, *YAML_CASES, *OTHER_CASES, *FILE_FOR_FOLDER]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference project with templates issued, three returns collected and scored."""
    from tests.conftest import ROOT, PanelKit

    root = tmp_path_factory.mktemp("base")
    shutil.copytree(ROOT / "criteria", root / "criteria")
    shutil.copytree(
        ROOT / BIDS, root / BIDS, ignore=shutil.ignore_patterns("templates", "archive", "*.jsonl")
    )
    # The reference records no abnormal-price review; a decisions file is named here so
    # that damage to one is part of the corpus.
    (root / BIDS / "abnormal-price-decisions.csv").write_text(
        "bidder_id,explanation,decision,reason,decided_on\n"
        "A,Income offer confirmed by the bidder,accepted,,2016-11-22\n",
        encoding="utf-8",
    )
    definition = (root / DEFINITION).read_text(encoding="utf-8")
    (root / DEFINITION).write_text(
        definition.replace(
            "\ndata:\n",
            f"\ndata:\n  abnormally_low_decisions: ../{BIDS}/abnormal-price-decisions.csv\n",
            1,
        ),
        encoding="utf-8",
    )
    kit = PanelKit(root, root / DEFINITION)
    for evaluator in ("E1", "E2", "E3"):
        kit.fill(evaluator)
    runner = CliRunner()
    result = _invoke(runner, root, ["collect", DEFINITION, "returned"])
    assert result.exit_code == 0, result.output
    _agree_on_the_medians(root / BIDS / "moderation.xlsx")
    result = _invoke(runner, root, ["score", DEFINITION])
    assert result.exit_code == 0, result.output
    return root


def _agree_on_the_medians(path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["Moderation"]
    header = [c.value for c in ws[1]]
    median, mark = (header.index(h) + 1 for h in ("Median (starting point)", "Consensus mark"))
    for row in range(2, ws.max_row + 1):
        ws.cell(row, mark).value = ws.cell(row, median).value
    wb.save(path)


def _invoke(runner: CliRunner, root: Path, args: list[str]) -> object:
    previous = Path.cwd()
    os.chdir(root)
    try:
        return runner.invoke(cli, args)
    finally:
        os.chdir(previous)


def _damage(root: Path, case: Case) -> None:
    path = root / case.target
    if case.damage == "file-for-folder":
        if path.is_dir():
            shutil.rmtree(path)
        path.write_text("a file where a folder should be")
        if case.target.endswith("/archive"):  # a return not seen before must be archived
            with (root / "returned" / "E1.xlsx").open("ab") as handle:
                handle.write(b"\0")
    elif case.target == DEFINITION and case.damage in YAML_DAMAGES:
        YAML_DAMAGES[case.damage](path)
    else:
        DAMAGES[case.damage](path)


ARGS = {
    "collect": ["returned"],
    "moderate": [f"{BIDS}/moderation.xlsx"],
}


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.target.rsplit('/', 1)[-1]}-{c.damage}" for c in CASES]
)
def test_every_command_reports_a_broken_input_without_a_traceback(
    case: Case, base: Path, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(base, root, symlinks=True)
    _damage(root, case)
    runner = CliRunner()
    named = case.target.rsplit("/", 1)[-1]
    failures = []
    for command in case.commands:
        result = _invoke(runner, root, [command, DEFINITION, *ARGS.get(command, [])])
        output = result.output
        problems = []
        if result.exit_code not in (1, 2):
            problems.append(f"exit {result.exit_code}")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            problems.append(f"raised {type(result.exception).__name__}: {result.exception}")
        if "Traceback" in output:
            problems.append("printed a traceback")
        if named not in output:
            problems.append(f"did not name {named}")
        if problems:
            failures.append(f"{command}: {', '.join(problems)}\n{output[-600:]}")
    assert failures == []
