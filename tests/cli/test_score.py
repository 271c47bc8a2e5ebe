"""`tender score` writes only where it may (never through a link, never outside the
tender), and loads only what it uses."""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tender.cli import cli

LINK = (
    "found a symbolic link; expected a regular file or a new file name (outputs never follow links)"
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_run_log_linked_to_an_input_is_refused(
    runner: CliRunner, project: Path, reference: Path
) -> None:
    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    folder = project / "reports" / "pest-control-2016"
    folder.mkdir(parents=True)
    (folder / "runs.jsonl").symlink_to(bids)
    before = _sha(bids)
    result = runner.invoke(cli, ["score", str(reference)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: reports/pest-control-2016/runs.jsonl: {LINK}",
        "1 problem found; nothing was written.",
    ]
    assert "Traceback" not in result.output
    assert _sha(bids) == before
    assert sorted(p.name for p in folder.iterdir()) == ["runs.jsonl"]


def test_a_reports_folder_linked_out_of_the_project_is_refused_but_out_may_name_it(
    runner: CliRunner, project: Path, reference: Path, tmp_path_factory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (project / "reports").symlink_to(elsewhere)
    result = runner.invoke(cli, ["score", str(reference)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"error: {project}/reports/pest-control-2016/results.csv: found a path outside the "
        f"tender's folder {project.resolve()} (through a link, to "
        f"{elsewhere.resolve()}/pest-control-2016/results.csv); expected a path inside it "
        "(beside criteria/, bids/ and reports/), or an --out given on the command line"
    )
    assert lines[-1] == "4 problems found; nothing was written."
    assert list(elsewhere.iterdir()) == []
    named = runner.invoke(cli, ["score", str(reference), "--out", str(elsewhere)])
    assert named.exit_code == 0, named.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == [
        "results.csv",
        "results.json",
        "results.xlsx",
        "runs.jsonl",
    ]


def test_score_loads_only_pandas_and_the_libraries_it_uses(reference: Path) -> None:
    """Start-up is paid on every run: beyond what `import pandas` loads, score may load only
    the definition's parser and models, the table's printer, the workbook writer and click.
    Any other library (a document renderer, a workbook reader, holidays...) is a regression.
    """
    code = (
        "import sys\n"
        "stdlib = set(sys.stdlib_module_names)\n"
        "def third_party():\n"
        "    return {m.partition('.')[0] for m in sys.modules} - stdlib\n"
        "import pandas\n"
        "floor = third_party()\n"
        "from tender.cli import cli\n"
        f"try:\n    cli(['score', {str(reference)!r}])\nexcept SystemExit:\n    pass\n"
        "print(sorted(third_party() - floor))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    extra = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    allowed = {"tender", "click", "yaml", "pydantic", "pydantic_core", "annotated_types"}
    allowed |= {"typing_extensions", "typing_inspection", "rich", "xlsxwriter"}
    assert sorted(set(extra) - allowed) == []
    assert "xlsxwriter" in extra  # the check sees what score loads
