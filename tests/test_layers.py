"""The import graph, read from the code with `ast`: layers import only downwards, no cycles.

    cli → workflows → adapters (excel, report, outputs, inputs, panel, terminal)
        → analyses (scoring, sensitivity, robustness, clarifications)
        → kernels (price, quality, compliance, ranking, near_ties, abnormal, moderation, ...)
        → base (model, errors, files, audit, lock, seal, safety, display)

Every import counts, at module level or inside a function, and so does one written only
for type checking: a type a lower layer needs from a higher one is a layer in the wrong
place. A module may import from its own layer or any layer below it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tender"

# Bottom to top. A module not listed by name belongs to its package's layer (excel.*).
LAYERS: list[tuple[str, set[str]]] = [
    (
        "base",
        {
            "tender",
            "model",
            "errors",
            "files",
            "audit",
            "lock",
            "seal",
            "safety",
            "display",
            "progress",
        },
    ),
    (
        "kernels",
        {
            "price",
            "quality",
            "compliance",
            "ranking",
            "near_ties",
            "abnormal",
            "moderation",
            "agreement",
            "marks",
            "bidders",
            "notes",
            "scored",
            "feedback",
            "dates",
            "allocation",
            "pricing",
        },
    ),
    (
        "analyses",
        {
            "scoring",
            "rescoring",
            "sensitivity",
            "robustness",
            "clarifications",
            "settlement",
            "lots",
        },
    ),
    (
        "adapters",
        {
            "inputs",
            "outputs",
            "lots_results",
            "panel",
            "terminal",
            "robustness_document",
            "excel",
            "report",
            "ocds_schema",
            "disqualified",
            "publication",
            "ocds",
            "register",
        },
    ),
    ("workflows", {"workflows"}),
    ("cli", {"cli", "__main__"}),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path, name: str, known: set[str]) -> Iterator[str]:
    """The tender modules `path` imports, resolved to module names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "tender":
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            elif node.module and node.module.split(".")[0] == "tender":
                target = node.module
            else:
                continue
            for alias in node.names:  # `from . import price` names a module
                child = f"{target}.{alias.name}"
                yield child if child in known else target


def graph() -> dict[str, set[str]]:
    known = set(package_modules())
    return {
        name: {t for t in imports(path, name, known) if t != name and t in known}
        for name, path in package_modules().items()
    }


def layer_of(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else parts[0]
    for index, (_, names) in enumerate(LAYERS):
        if key in names:
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Every import from a lower layer into a higher one, as 'a (layer) -> b (layer)'."""
    found = []
    for source, targets in sorted(edges.items()):
        for target in sorted(targets):
            if layer_of(target) > layer_of(source):
                found.append(
                    f"{source} ({LAYERS[layer_of(source)][0]}) -> "
                    f"{target} ({LAYERS[layer_of(target)][0]})"
                )
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_module_has_a_layer() -> None:
    for module in package_modules():
        layer_of(module)


def test_imports_run_only_downwards() -> None:
    assert upward(graph()) == []


def test_there_are_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_an_upward_import_is_caught() -> None:
    edges = graph()
    edges["tender.price"] = {*edges["tender.price"], "tender.workflows.score"}
    assert upward(edges) == ["tender.price (kernels) -> tender.workflows.score (workflows)"]


def test_a_cycle_is_caught() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_relative_imports_resolve_to_modules(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text(
        "from .. import price\nfrom ..files import write_atomic\nimport tender.model\n"
    )
    known = {"tender.price", "tender.files", "tender.model", "tender.workflows.x"}
    assert sorted(imports(source, "tender.workflows.x", known)) == [
        "tender.files",
        "tender.model",
        "tender.price",
    ]


@pytest.mark.parametrize("heavy", ["pandas", "numpy", "openpyxl", "reportlab", "docx", "lxml"])
def test_the_cli_package_imports_no_heavy_library_at_module_level(heavy: str) -> None:
    for path in (PACKAGE / "cli").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only: commands import inside their body
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == heavy for n in names), f"{path.name}: {heavy}"
