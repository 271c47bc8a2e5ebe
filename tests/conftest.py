"""Shared fixtures: the bundled reference tender, copied so tests never write into the repo."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DATA = ROOT / "tests" / "data" / "reference"

settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def exclude_by_decision(project: Path, bidder_id: str, text: str) -> None:
    """Record in the reference's bids file a decision excluding `bidder_id`, with `text`
    as the panel wrote it (the `excluded_by_decision` column)."""
    bids = project / "bids" / "pest-control-2016" / "bids.csv"
    lines = bids.read_text(encoding="utf-8").splitlines()
    marked = [lines[0] + ",excluded_by_decision"]
    marked += [f"{line},{text if line.startswith(bidder_id + ',') else ''}" for line in lines[1:]]
    bids.write_text("\n".join(marked) + "\n", encoding="utf-8")


def copy_example(name: str, root: Path, *, narrative: bool = False) -> Path:
    """A copy under `root` of the bundled example `name` (its definition, with its
    narrative if asked, and its bids folder); returns the copied definition's path."""
    (root / "criteria").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "criteria" / f"{name}.yaml", root / "criteria")
    if narrative:
        shutil.copy(ROOT / "criteria" / f"{name}.narrative.md", root / "criteria")
    shutil.copytree(ROOT / "bids" / name, root / "bids" / name)
    return root / "criteria" / f"{name}.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repository's criteria/ and bids/ for the reference tender."""
    shutil.copytree(ROOT / "criteria", tmp_path / "criteria")
    shutil.copytree(
        ROOT / "bids" / "pest-control-2016",
        tmp_path / "bids" / "pest-control-2016",
        ignore=shutil.ignore_patterns("templates", "returned", "archive", "*.jsonl"),
    )
    return tmp_path


@pytest.fixture
def reference(project: Path) -> Path:
    """Path of the copied reference tender definition."""
    return project / "criteria" / "pest-control-2016.yaml"


@pytest.fixture
def runner() -> CliRunner:
    """A click runner (stdout and stderr are kept apart, click ≥ 8.2)."""
    return CliRunner()


def use_decisions(reference: Path, rows: str | None = None) -> Path:
    """Switch the reference's abnormal-price screens on; with `rows` (CSV with header), name
    a decisions file holding them. The reference itself records no abnormal-price review
    (its committee report has none), and under highest_offer the screens are off unless on.
    """
    import re

    text = re.sub(r"(?m)^  abnormally_low_decisions:.*\n", "", reference.read_text("utf-8"))
    text += "abnormally_low:\n  enabled: true\n"
    decisions = reference.parent.parent / "bids" / "pest-control-2016" / "abnormal-decisions.csv"
    if rows is not None:
        decisions.write_text(rows, encoding="utf-8")
        named = "  abnormally_low_decisions: ../bids/pest-control-2016/abnormal-decisions.csv"
        text = text.replace("\ndata:\n", f"\ndata:\n{named}\n", 1)
    reference.write_text(text, encoding="utf-8")
    return decisions


def build_tender(
    criteria: dict[str, float],
    *,
    price_weight: float = 60,
    formula: str = "lowest_price",
    panel: int = 3,
    **extra: object,
) -> object:
    """A small tender definition in memory: criteria {id: weight}, scale 0-10 whole marks."""
    from tender.model import Tender

    data = {
        "schema_version": 1,
        "tender": {"reference": "TINY-1", "title": "Tiny", "authority": "Test Council"},
        "weights": {"price": price_weight, "quality": 100 - price_weight},
        "price": {"formula": {"name": formula}},
        "quality": {
            "scale": {"maximum": 10},
            "criteria": [{"id": c, "title": c, "weight": w} for c, w in criteria.items()],
        },
        "panel": [{"id": f"E{i + 1}", "role": "Officer"} for i in range(panel)],
        "data": {"bids": "bids.csv"},
        **extra,
    }
    return Tender.model_validate(data)


def build_tables(
    prices: dict[str, float | None],
    moderated: dict[str, dict[str, float]] | None = None,
    marks: dict[str, dict[str, list[float]]] | None = None,
) -> tuple[object, object, object]:
    """(bids, marks, moderated) DataFrames as the readers produce them: text marks."""
    import pandas as pd

    bids = pd.DataFrame(
        {
            "bidder_id": list(prices),
            "bidder": [f"Bidder {b}" for b in prices],
            "price": pd.Series(
                [float("nan") if p is None else float(p) for p in prices.values()],
                dtype="float64",
            ),
        }
    )
    mark_rows = [
        {"bidder_id": b, "criterion_id": c, "evaluator_id": f"E{i + 1}", "mark": f"{m:g}"}
        for b, per in (marks or {}).items()
        for c, values in per.items()
        for i, m in enumerate(values)
    ]
    moderated_rows = [
        {"bidder_id": b, "criterion_id": c, "moderated_mark": f"{m:g}", "rationale": "agreed"}
        for b, per in (moderated or {}).items()
        for c, m in per.items()
    ]
    return (
        bids,
        pd.DataFrame(mark_rows) if marks is not None else None,
        pd.DataFrame(moderated_rows) if moderated is not None else None,
    )


@pytest.fixture(scope="session")
def tiny() -> object:
    """The small-tender builders (stateless), for tests that need hand-computed cases."""
    from types import SimpleNamespace

    return SimpleNamespace(tender=build_tender, tables=build_tables)


class PanelKit:
    """Issued templates for the reference tender, and a way to fill them as evaluators would.

    Fixtures are made by the tool's own template writer and then edited with openpyxl, so
    they follow `tender.excel.layout` instead of drifting like committed binaries would.
    """

    def __init__(self, project: Path, reference: Path) -> None:
        import csv

        from tender.inputs import load_tender
        from tender.workflows.templates import issue_templates

        self.project = project
        self.reference = reference
        self.tender = load_tender(reference)
        self.issued = {i.evaluator_id: i.path for i in issue_templates(self.tender)}
        self.returned = project / "returned"
        self.returned.mkdir(exist_ok=True)
        with (project / "bids" / "pest-control-2016" / "marks.csv").open() as handle:
            self.marks = {
                (m["evaluator_id"], m["bidder_id"], m["criterion_id"]): int(m["mark"])
                for m in csv.DictReader(handle)
            }

    def fill(
        self,
        evaluator: str = "E1",
        filename: str | None = None,
        *,
        template: Path | None = None,
        signed: str | None = None,
        conflict: str = "No",
        edit: Any = None,
        mtime: float | None = None,
    ) -> Path:
        """Fill `evaluator`'s template with the reference marks, apply `edit(wb)`, save it."""
        import openpyxl

        wb = openpyxl.load_workbook(template or self.issued[evaluator])
        member = next(e for e in self.tender.panel if e.id == evaluator)
        cover, ws = wb["Cover"], wb["Marking"]
        cover["B9"] = member.name if signed is None else signed
        cover["B10"] = "2016-11-20"
        cover["B11"] = conflict
        for row in range(2, ws.max_row + 1):
            key = (evaluator, ws.cell(row, 1).value, ws.cell(row, 3).value)
            ws.cell(row, 6).value = self.marks[key]
            ws.cell(row, 7).value = f"{evaluator}: evidence for {key[1]}/{key[2]} in the bid"
        if edit is not None:
            edit(wb)
        path = self.returned / (filename or f"{evaluator}.xlsx")
        wb.save(path)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def collect_all(self) -> Any:
        """Every panel member's return filled with the reference marks, then collected."""
        from tender.workflows.collect import collect

        for member in self.tender.panel:
            self.fill(member.id)
        return collect(self.tender, self.returned)


@pytest.fixture
def panel(project: Path, reference: Path) -> PanelKit:
    """Templates issued for the reference panel, in a temporary copy of the project."""
    return PanelKit(project, reference)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """The whole suite (`pytest -q`, no paths given) runs on every core through pytest-xdist;
    a run naming files or tests stays in one process, where starting workers costs more
    than it saves. `-n N` (or `-n 0`) given on the command line always wins."""
    whole_suite = config.args_source == pytest.Config.ArgsSource.TESTPATHS
    # A worker runs this hook too: turning workers on there starts workers without end.
    worker = "PYTEST_XDIST_WORKER" in os.environ or hasattr(config, "workerinput")
    asked = getattr(config.option, "numprocesses", None) is not None
    if whole_suite and not worker and not asked and config.pluginmanager.hasplugin("xdist"):
        config.option.numprocesses = "auto"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current outputs (review the diff before committing).",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare bytes with tests/golden/<name>, or rewrite it under --update-golden."""
    folder = ROOT / "tests" / "golden"

    def check(name: str, data: bytes) -> None:
        path = folder / name
        if request.config.getoption("--update-golden"):
            folder.mkdir(exist_ok=True)
            path.write_bytes(data)
        assert path.exists(), f"{path} missing: run pytest --update-golden"
        assert data == path.read_bytes(), f"{name} differs from tests/golden (see --update-golden)"

    return check
