"""`tender publish` end to end: thin over the workflow, messages on stderr, exit codes."""

from __future__ import annotations

from pathlib import Path

from tender.cli import cli


def test_publish_writes_both_files_and_warns_of_each_gap(runner, reference, project) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["publish", str(reference)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    folder = project / "reports" / "pest-control-2016"
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[-1] == f"Wrote contracts-register.csv, ocds-release-package.json to {folder}"
    assert len([x for x in lines if x.startswith("warning: contracts-register.csv: ")]) == 6
    assert (folder / "ocds-release-package.json").is_file()


def test_publish_is_refused_while_a_near_tie_is_open(runner, reference, project) -> None:  # type: ignore[no-untyped-def]
    (project / "bids" / "pest-control-2016" / "clarifications.csv").unlink()
    result = runner.invoke(cli, ["publish", str(reference)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        "error: criteria/pest-control-2016.yaml: bidder A: found a near-tie"
    )
    assert result.stderr.endswith("2 problems found; nothing was written.\n")
    assert not (Path(project) / "reports").exists()
