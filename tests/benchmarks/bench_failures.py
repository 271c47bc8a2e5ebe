"""Benchmark: refusing a broken marks file is as fast as reading a good one.

Run by hand (not collected by pytest):  .venv/bin/python tests/benchmarks/bench_failures.py [ROWS]

Writes a marks file of ROWS rows (default 1,000,000: 33,334 bids × 10 criteria × 3
evaluators) for a tender, then times `evaluate_file` as a user's `tender score` would run
it: once on the good file (the baseline), then on copies with one mistake in every row: the
evaluator id typed in lower case (`e1`), every mark off the scale, every row twice, and
every bidder id unknown. Each broken run must raise its problems (at most 200 named, the
rest counted); the figure printed is its time and the ratio to the good file's.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

CRITERIA, EVALUATORS = 10, 3


def write_tender(folder: Path, bids: int) -> Path:
    criteria = "\n".join(
        f"    - id: Q{c}\n      title: Criterion {c}\n      weight: 6" for c in range(CRITERIA)
    )
    panel = "\n".join(f"  - id: E{e + 1}\n    role: Evaluator" for e in range(EVALUATORS))
    definition = folder / "criteria" / "bench.yaml"
    definition.parent.mkdir()
    definition.write_text(
        f"""schema_version: 1
tender:
  reference: BENCH-FAIL
  title: Failure benchmark
  authority: Benchmark Council
weights:
  price: 40
  quality: 60
price:
  formula:
    name: lowest_price
quality:
  scale:
    maximum: 10
  criteria:
{criteria}
panel:
{panel}
data:
  bids: ../bids/bench/bids.csv
  marks: ../bids/bench/marks.csv
"""
    )
    data = folder / "bids" / "bench"
    data.mkdir(parents=True)
    rng = np.random.default_rng(1)
    prices = rng.integers(10_000, 50_000, bids)
    lines = ["bidder_id,bidder,price"] + [f"B{i},Bidder {i},{p}" for i, p in enumerate(prices)]
    (data / "bids.csv").write_text("\n".join(lines) + "\n")
    return definition


def write_marks(path: Path, bids: int, change: str) -> int:
    rng = np.random.default_rng(2)
    b = np.repeat(np.arange(bids), CRITERIA * EVALUATORS)
    c = np.tile(np.repeat(np.arange(CRITERIA), EVALUATORS), bids)
    e = np.tile(np.arange(EVALUATORS), bids * CRITERIA) + 1
    mark = rng.integers(0, 11, b.size)
    evaluator = np.char.add("e" if change == "evaluator" else "E", e.astype(str))
    bidder = np.char.add("X" if change == "bidder" else "B", b.astype(str))
    if change == "mark":
        mark = mark + 11
    rows = np.char.add(np.char.add(bidder, ",Q"), c.astype(str))
    rows = np.char.add(np.char.add(np.char.add(rows, ","), evaluator), ",")
    rows = np.char.add(rows, mark.astype(str))
    if change == "twice":
        rows = np.concatenate([rows, rows])
    path.write_text("bidder_id,criterion_id,evaluator_id,mark\n" + "\n".join(rows) + "\n")
    return int(rows.size)


def timed(run: Callable[[], object]) -> tuple[float, str]:
    from tender.errors import TenderInputError

    started = time.perf_counter()
    try:
        run()
        outcome = "accepted"
    except TenderInputError as error:
        outcome = f"refused, {len(error.problems)} problems listed"
    return time.perf_counter() - started, outcome


def main(rows: int) -> None:
    from tender.workflows.evaluation import evaluate_file

    bids = -(-rows // (CRITERIA * EVALUATORS))
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        definition = write_tender(folder, bids)
        marks = folder / "bids" / "bench" / "marks.csv"
        print(f"{'marks file':<32} {'rows':>10} {'seconds':>8} {'ratio':>6}  outcome")
        baseline = 0.0
        for change, label in [
            ("", "good (baseline)"),
            ("evaluator", "evaluator id typed e1"),
            ("mark", "every mark off the scale"),
            ("twice", "every row twice"),
            ("bidder", "every bidder id unknown"),
        ]:
            count = write_marks(marks, bids, change)
            seconds, outcome = timed(lambda: evaluate_file(definition))
            baseline = baseline or seconds
            ratio = seconds / baseline
            print(f"{label:<32} {count:>10,} {seconds:>8.2f} {ratio:>5.1f}×  {outcome}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
