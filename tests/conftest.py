"""Shared fixtures: the bundled reference tender, copied so tests never write into the repo."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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
