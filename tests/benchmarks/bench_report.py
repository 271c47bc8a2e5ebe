"""Benchmark: award report and letters for the reference tender and a 40-bid tender.

Run by hand: `.venv/bin/python tests/benchmarks/bench_report.py`. Prints the best of
several runs for each step, and the ratio of rendering to a plain-numpy computation of the
same totals (the floor any report of these numbers has to stand on).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tender.report.build import render_report
from tender.report.content import report_content
from tender.report.narrative import Narrative, load_narrative
from tender.workflows.evaluation import evaluate_file

ROOT = Path(__file__).resolve().parents[2]
REPEAT = 5


def best(step: Callable[[], Any], repeat: int = REPEAT) -> float:
    """Best wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def synthetic_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "report_fixtures", ROOT / "tests" / "report" / "conftest.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numpy_totals(ev: Any) -> Callable[[], Any]:
    """Plain numpy: price score + Σ weight × mark ÷ max, for the same bids."""
    price = ev.table["price"].to_numpy()
    weights = np.array([c.weight for c in ev.tender.quality.leaves()])
    marks = ev.consensus
    top = ev.tender.quality.scale.maximum

    def run() -> Any:
        p = np.nan_to_num(price)
        return 60 * p.min() / np.where(p > 0, p, np.inf) + marks @ weights / top

    return run


def report(label: str, ev: Any, narrative: Narrative) -> None:
    folder = Path("/nonexistent")  # nothing is written: rendering only
    files = render_report(ev, narrative, folder).files
    content = best(lambda: report_content(ev, narrative))
    report_only = best(lambda: render_report(ev, narrative, folder, letters=False), 3)
    everything = best(lambda: render_report(ev, narrative, folder), 3)
    baseline = best(numpy_totals(ev), 50)
    print(f"{label}: {len(ev.table)} bids, {len(files)} files")
    print(f"  report content           {content * 1000:8.1f} ms")
    print(f"  report PDF + DOCX        {report_only * 1000:8.1f} ms")
    print(
        f"  report + all letters     {everything * 1000:8.1f} ms "
        f"({everything / len(files) * 1000:.1f} ms a file)"
    )
    print(
        f"  numpy totals baseline    {baseline * 1e6:8.1f} µs "
        f"(report + letters = {everything / baseline:,.0f}× the baseline)"
    )


def main() -> None:
    start = time.perf_counter()
    run = evaluate_file(ROOT / "criteria" / "pest-control-2016.yaml")
    narrative = load_narrative(run.evaluation.tender)
    render_report(run.evaluation, narrative, Path("/nonexistent"))
    first = time.perf_counter() - start
    print(f"reference, first run in a fresh process (load, score, render): {first:.2f} s")
    report("reference", run.evaluation, narrative)
    fixtures = synthetic_module()
    for regime in ("pa2023", "pcr2015"):
        report(f"synthetic {regime}", fixtures.synthetic(40, regime), Narrative())


if __name__ == "__main__":
    main()
