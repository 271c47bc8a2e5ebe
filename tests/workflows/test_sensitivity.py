"""`sensitivity`: every robustness analysis of the reference, and nothing written."""

from __future__ import annotations

from pathlib import Path

from tender.workflows.sensitivity import sensitivity


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_the_analyses_run_on_the_tender_as_read_and_write_nothing(
    project: Path, reference: Path
) -> None:
    before = _files(project)
    analysed = sensitivity(reference)
    assert _files(project) == before
    assert analysed.names["A"] == "Goodwin Pest Management"
    document = analysed.document
    (verdict,) = [v for v in document["verdicts"] if (v["leader"], v["other"]) == ("A", "B")]
    assert not verdict["robust"]
    assert verdict["line"].startswith("A v B: FRAGILE.")
