"""Fixtures of the workbook tests: what a return must look like, and a filled one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tender.excel.returns import Expected
from tender.panel import panel_files
from tender.workflows.collect import expected_returns
from tests.workbooks import Filled


@pytest.fixture
def expected(panel: Any) -> Expected:
    """What a return for the reference tender must look like (from its issued templates)."""
    return expected_returns(panel.tender, panel_files(panel.tender))


@pytest.fixture
def filled(panel: Any) -> bytes:
    """E1's template, filled in as an evaluator would, as the bytes returned."""
    return Filled(Path(panel.fill("E1")).read_bytes())
