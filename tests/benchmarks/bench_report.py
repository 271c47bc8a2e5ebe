"""Benchmark: award report and letters for the reference tender and a 40-bid tender, and
`tender report` with every letter at several sizes with its growth exponent.

Run by hand: `.venv/bin/python tests/benchmarks/bench_report.py [SIZES...]` (default
25 50 100 200 bidders). Prints the best of several runs for each step, the ratio of
rendering to a plain-numpy computation of the same totals (the floor any report of these
numbers has to stand on), and for each size the whole library call `tender.workflows.report`
(read, score, analyse, render, write) on the reference tender grown to that many bidders,
with the slope of log time on log bidders.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tender.report.build import render_report
from tender.report.content import report_content
from tender.report.narrative import Narrative, load_narrative
from tender.workflows.evaluation import evaluate_file
from tender.workflows.report import report as report_workflow

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


def grown_reference(folder: Path, bidders: int) -> Path:
    """The reference tender with copies of its bids up to `bidders`: each copy has the
    marks and feedback of an original bid (in turn) and a lower income offer, so the
    original ranking and its interviews stand; returns the definition's path."""
    shutil.copytree(ROOT / "criteria", folder / "criteria")
    source = ROOT / "bids" / "pest-control-2016"
    target = folder / "bids" / "pest-control-2016"
    target.mkdir(parents=True)
    shutil.copy(source / "clarifications.csv", target / "clarifications.csv")
    bids = _rows(source / "bids.csv")
    originals = [row["bidder_id"] for row in bids]
    copies = {f"X{n:04d}": originals[n % len(originals)] for n in range(bidders - len(bids))}
    by_id = {row["bidder_id"]: row for row in bids}
    for n, (copy, original) in enumerate(copies.items()):
        offer = 5_000 + (n * 37) % 5_000
        bids.append(
            {
                **by_id[original],
                "bidder_id": copy,
                "bidder": f"Grown Services {copy}",
                "legal_name": f"Grown Services {copy} Limited",
                "annual_income_offer_gbp": str(offer),
            }
        )
    _write(target / "bids.csv", bids)
    for name in ("marks.csv", "moderated.csv"):
        rows = _rows(source / name)
        extra = [
            {**row, "bidder_id": copy}
            for copy, original in copies.items()
            for row in rows
            if row["bidder_id"] == original
        ]
        _write(target / name, rows + extra)
    return folder / "criteria" / "pest-control-2016.yaml"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def exponent(sizes: list[int], seconds: list[float]) -> float:
    """Slope of log time on log size: 1 is linear, 2 quadratic."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def growth(sizes: list[int]) -> None:
    """`tender.workflows.report` with every letter, written, at each size."""
    seconds = []
    print("tender report with every letter (tender.workflows.report, draft, written):")
    for bidders in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            definition = grown_reference(Path(tmp), bidders)
            start = time.perf_counter()
            done = report_workflow(definition, Path(tmp) / "out", draft=True)
            took = time.perf_counter() - start
            ev = done.run.evaluation
        floor = best(numpy_totals(ev), 50)
        seconds.append(took)
        print(
            f"  {bidders:5d} bidders {done.letters:4d} letters {took:8.2f} s "
            f"({took / bidders * 1000:.0f} ms a bidder; {took / floor:,.0f}× the numpy floor "
            f"of {floor * 1e6:.1f} µs)"
        )
    if len(sizes) > 1:
        print(f"  growth exponent {exponent(sizes, seconds):.2f} (target ≤ 1.1)")


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
    sizes = [int(a) for a in sys.argv[1:]] or [25, 50, 100, 200]
    growth(sizes)
    main()
