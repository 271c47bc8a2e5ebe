"""Layout rules: tests mirror modules; the core imports no adapters and does no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tender"
CORE = {
    "model",
    "errors",
    "price",
    "quality",
    "moderation",
    "compliance",
    "ranking",
    "near_ties",
    "marks",
    "scoring",
    "sensitivity",
    "display",
    "notes",
}
ADAPTER_LIBRARIES = {"click", "openpyxl", "reportlab", "docx", "rich", "yaml"}


def modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if p.name not in {"__init__.py", "__main__.py"}]


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_every_module_has_a_test_file():
    missing = []
    for path in modules():
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "cli":
            candidates = [
                ROOT / "tests" / "test_cli.py",
                ROOT / "tests" / "cli" / f"test_{path.stem}.py",
            ]
            if not (ROOT / "tests" / "cli" / f"test_{path.stem}.py").exists() and not any(
                path.stem in c.read_text(encoding="utf-8") for c in candidates if c.exists()
            ):
                missing.append(str(relative))
            continue
        expected = ROOT / "tests" / relative.parent / f"test_{path.stem}.py"
        if not expected.exists():
            missing.append(str(relative))
    assert missing == []


def test_core_modules_import_no_adapter_library():
    offenders = {
        path.stem: sorted(imported(path) & ADAPTER_LIBRARIES)
        for path in PACKAGE.glob("*.py")
        if path.stem in CORE and imported(path) & ADAPTER_LIBRARIES
    }
    assert offenders == {}


def test_core_modules_do_no_file_io():
    for path in PACKAGE.glob("*.py"):
        if path.stem in CORE:
            text = path.read_text(encoding="utf-8")
            for call in ("open(", ".read_text(", ".write_text(", ".read_bytes(", "read_csv("):
                assert call not in text, f"{path.name} calls {call}"


def test_only_the_cli_imports_click():
    users = sorted(
        str(p.relative_to(PACKAGE))
        for p in [*modules(), PACKAGE / "cli" / "__init__.py"]
        if "click" in imported(p)
    )
    assert all(u.startswith("cli") for u in users), users
