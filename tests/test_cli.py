"""The command line: contract tests over every command, then score and check in detail."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tender.cli import cli

COMMANDS = sorted(cli.commands)
# Every command reads a definition, except `new`, which takes a name and writes one.
DEFINITION_COMMANDS = [c for c in COMMANDS if c != "new"]


def digest_tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert cli.commands[command].help, f"{command} has no help text"


@pytest.mark.parametrize("command", DEFINITION_COMMANDS)
def test_every_command_refuses_a_missing_definition(runner, command, tmp_path):
    result = runner.invoke(cli, [command, str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("command", DEFINITION_COMMANDS)
def test_every_command_names_a_broken_definition(runner, command, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema_version: 1\ntender: [unclosed\n", encoding="utf-8")
    args = [command, str(broken)]
    if command in ("collect", "collect-prices"):
        args.append(str(tmp_path))
    if command == "moderate":
        args.append(str(broken))
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: broken.yaml: line ") or "broken.yaml" in result.stderr


def test_score_prints_table_and_writes_results(reference, runner):
    result = runner.invoke(cli, ["score", str(reference)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Goodwin Pest Management" in result.stdout
    assert "0 (unscored)" in result.stdout
    assert "F: Price scored 0: unable to score due to limited information." in result.stdout
    folder = reference.parents[1] / "reports" / "pest-control-2016"
    assert {p.name for p in folder.iterdir()} >= {
        "results.csv",
        "results.json",
        "results.xlsx",
        "runs.jsonl",
    }
    document = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert [b["rank"] for b in document["bids"]] == [1, 2, 3, 4, 5, 6]


def test_score_twice_gives_identical_results(reference, runner, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        result = runner.invoke(cli, ["score", str(reference), "--out", str(out)])
        assert result.exit_code == 0
    for name in ("results.csv", "results.json", "results.xlsx"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_score_never_modifies_inputs(project, reference, runner):
    before = digest_tree(project / "bids") | digest_tree(project / "criteria")
    result = runner.invoke(cli, ["score", str(reference)])
    assert result.exit_code == 0
    assert digest_tree(project / "bids") | digest_tree(project / "criteria") == before


def test_failed_run_leaves_earlier_results_untouched(project, reference, runner):
    assert runner.invoke(cli, ["score", str(reference)]).exit_code == 0
    folder = project / "reports" / "pest-control-2016"
    before = {n: (folder / n).read_bytes() for n in ("results.csv", "results.json")}
    marks = project / "bids" / "pest-control-2016" / "moderated.csv"
    marks.write_text(
        marks.read_text(encoding="utf-8").replace("A,Q1,4", "A,Q1,14"), encoding="utf-8"
    )
    result = runner.invoke(cli, ["score", str(reference)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: bids/pest-control-2016/moderated.csv: line 2 (bidder A, criterion Q1): "
        "found mark 14; expected a mark from 0 to 10 (whole marks)",
        "1 problem found; nothing was written.",
    ]
    assert {n: (folder / n).read_bytes() for n in before} == before
    assert not list(folder.glob(".*.tmp"))


def test_weights_not_100_names_file_field_and_line(reference, runner):
    text = reference.read_text(encoding="utf-8").replace("price: 60\n", "price: 50\n", 1)
    reference.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["check", str(reference)])
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first == (
        "error: criteria/pest-control-2016.yaml: weights (line 20): "
        "found price 50 + quality 40 = 90; expected a total of 100"
    )


def test_price_text_is_named_without_echoing_it(project, reference, runner):
    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    bids.write_text(
        bids.read_text(encoding="utf-8").replace(
            "A,Goodwin Pest Management,12000", "A,Goodwin Pest Management,£12k"
        ),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["score", str(reference)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: bids/pest-control-2016/bids.csv: line 2 (bidder A), "
        "column annual_income_offer_gbp: found a value that is not a plain number; "
        "expected digits with an optional decimal point, such as 1234.50 (no currency sign, "
        "no thousands separator), or blank when no price was given"
    )
    assert "12k" not in result.stderr


def test_check_reports_ok_with_fingerprints(reference, runner):
    result = runner.invoke(cli, ["check", str(reference)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "MBC-PEST-2016: OK: 6 bids, 4 marked criteria, 3 evaluators, moderated marks"
    )
    assert "bids/pest-control-2016/marks.csv" in result.stdout


def test_missing_moderated_marks_make_everything_provisional(project, reference, runner):
    (project / "bids" / "pest-control-2016" / "moderated.csv").unlink()
    result = runner.invoke(cli, ["score", str(reference), "--format", "json"])
    assert result.exit_code == 0
    assert "PROVISIONAL" in result.stderr
    document = json.loads(result.stdout)
    assert document["provisional"] is True
    assert all("provisional" in bid["flags"] for bid in document["bids"])


def test_help_is_fast_and_loads_no_heavy_library():
    code = (
        "import sys\n"
        "from tender.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = {'pandas', 'numpy', 'openpyxl', 'reportlab', 'docx', 'rich', 'pydantic'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip().splitlines()[-1] == "[]"


def test_check_reports_problems_in_every_file_at_once(project, reference, runner):
    folder = project / "bids" / "pest-control-2016"
    bids = folder / "bids.csv"
    bids.write_text(
        bids.read_text(encoding="utf-8").replace("C,Company C,7140", "C,Company C,7k"),
        encoding="utf-8",
    )
    marks = folder / "marks.csv"
    marks.write_text(
        marks.read_text(encoding="utf-8").replace("D,Q2,E1,8", "D,Q2,E1,12"), encoding="utf-8"
    )
    result = runner.invoke(cli, ["check", str(reference)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "error: bids/pest-control-2016/bids.csv: line 4 (bidder C), column "
        "annual_income_offer_gbp: found a value that is not a plain number"
    )
    assert lines[1] == (
        "error: bids/pest-control-2016/marks.csv: line 41 (bidder D, criterion Q2, evaluator E1): "
        "found mark 12; expected a mark from 0 to 10 (whole marks)"
    )
    assert lines[2] == "2 problems found; nothing was written."


def test_a_damaged_run_record_is_refused_before_any_result_is_written(reference, runner):
    folder = reference.parents[1] / "reports" / "pest-control-2016"
    folder.mkdir(parents=True)
    (folder / "runs.jsonl").write_text('{"event": "scored", "at": "2016-')
    for command in ("score", "report"):
        result = runner.invoke(cli, [command, str(reference)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "runs.jsonl: line 1: found a line cut short" in result.stderr
        assert "nothing was written" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["runs.jsonl"]


def test_a_full_disk_while_writing_results_is_a_message(reference, runner, monkeypatch):
    import errno

    from tender import files

    def full(path, data, **options):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "write_atomic", full)  # every write passes through files
    result = runner.invoke(cli, ["score", str(reference)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    folder = reference.parents[1] / "reports" / "pest-control-2016"
    assert result.stderr == (
        f"error: {folder}: could not write the results: the disk is full (no space left on "
        "device); free some space and run again\n"
    )
    assert not (folder / "runs.jsonl").exists()  # no record of a run that wrote nothing


def test_a_run_record_that_cannot_be_appended_says_the_results_were_written(
    reference, runner, monkeypatch
):
    import errno

    from tender import audit

    def full(descriptor, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(audit, "_append", full)
    result = runner.invoke(cli, ["score", str(reference)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "runs.jsonl: could not append to the log: the disk is full" in result.stderr
    assert "The outputs were written; only the record of this run in runs.jsonl" in result.stderr
    folder = reference.parents[1] / "reports" / "pest-control-2016"
    assert (folder / "results.json").exists()


def test_a_file_where_the_reports_folder_should_be_is_a_message(reference, runner):
    (reference.parents[1] / "reports").write_text("not a folder")
    result = runner.invoke(cli, ["score", str(reference)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "reports" in result.stderr
    assert "a file stands where a folder should be" in result.stderr
