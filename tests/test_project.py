"""The project's promises to a newcomer: README commands, CI running them, docs complete."""

from __future__ import annotations

import re
from pathlib import Path

from tender.price import FORMULAS

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block, "README must open with a sh block of commands"
    assert text.index(block.group(0)) < text.index("\n## "), "the commands come first"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_commands():
    run, test = readme_commands()
    assert "tender score criteria/pest-control-2016.yaml" in run
    assert "pytest" in test


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_every_price_formula_is_documented():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in FORMULAS:
        assert f"`{name}`" in text, f"{name} missing from README"


def test_nothing_reads_the_shared_folder():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("tender", "tests", "criteria", ".ci")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and path.suffix in {".py", ".yaml", ""}
        and "../shared" in path.read_text(encoding="utf-8", errors="ignore")
        and path.name != "test_project.py"
    ]
    assert offenders == []


def windows_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```powershell\n(.*?)```", text, re.S)
    assert block, "README must give the commands for Windows in a powershell block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def on_windows(posix: str) -> list[str]:
    """A README command line as PowerShell lines: no &&, .venv\\Scripts\\, tender.exe, \\."""
    lines = []
    for part in posix.split("&&"):
        words = ["py" if w == "python3" else w for w in part.split()]
        words = [w.replace(".venv/bin/tender", ".venv/bin/tender.exe") for w in words]
        words = [w.replace(".venv/bin/", ".venv/Scripts/").replace("/", "\\") for w in words]
        lines.append(" ".join(words))
    return lines


def test_the_windows_block_gives_the_opening_commands_and_every_command() -> None:
    from tender.cli import cli

    shown = windows_commands()
    run, test = (on_windows(c) for c in readme_commands())
    assert shown[: len(run)] == run
    assert [line for line in test if line not in run] == shown[len(run) : len(run) + 2]
    used = {line.split()[1] for line in shown if line.startswith(".venv\\Scripts\\tender.exe")}
    assert used == set(cli.commands)


def test_how_it_fits_together_names_every_module() -> None:
    """A newcomer finds any module's layer and job from the README's "How it fits
    together" alone: every module of the package is named there (a command's module under
    cli/ by the `cli/<command>.py` pattern, a package by its folder)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it fits together", 1)[1].split("\n## ", 1)[0]
    diagram = re.findall(r"```\n(.*?)```", section, re.S)
    quoted = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", section, flags=re.S))
    named = set(re.findall(r"[a-z_]+", " ".join(diagram + quoted)))
    package = ROOT / "tender"
    unnamed = [
        path.relative_to(package).as_posix()
        for path in sorted(package.rglob("*.py"))
        if path.stem not in {"__init__", "__main__"}
        and path.parent.name != "cli"
        and path.stem not in named
    ]
    assert unnamed == []
