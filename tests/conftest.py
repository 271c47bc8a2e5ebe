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


class PanelKit:
    """Issued templates for the reference tender, and a way to fill them as evaluators would.

    Fixtures are made by the tool's own template writer and then edited with openpyxl, so
    they follow `tender.excel.layout` instead of drifting like committed binaries would.
    """

    def __init__(self, project: Path, reference: Path) -> None:
        import csv

        from tender.inputs import load_tender
        from tender.panel import issue_templates

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


@pytest.fixture
def panel(project: Path, reference: Path) -> PanelKit:
    """Templates issued for the reference panel, in a temporary copy of the project."""
    return PanelKit(project, reference)
