"""Benchmark: a 200-line schedule of rates priced for 1,000 bids (200,000 rates).

Run by hand (not collected by pytest):
    .venv/bin/python tests/benchmarks/bench_prices.py [BIDS LINES]

Times `pricing.price_bids` on the long prices table as read (text, every rate checked,
exact integer units, the missing-line rule) against a plain-numpy floor on the same
table: rates parsed as floats, scattered into a bids × lines matrix and multiplied by the
volume vector. It prints seconds and the ratio to the floor, and checks that both give
the same baskets. The evaluated prices then score as any price column does
(bench_scoring.py).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd

from tender.model import Schedule
from tender.pricing import price_bids


def make(bids: int, lines: int, seed: int = 1) -> tuple[Schedule, pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    spec = Schedule.model_validate(
        {
            "name": "schedule",
            "years": 3,
            "missing_line": {"rule": "highest_other"},
            "lines": [
                {
                    "id": f"L{i}",
                    "description": "line",
                    "unit": "item",
                    "volume": int(rng.integers(1, 500)),
                }
                for i in range(lines)
            ],
        }
    )
    ids = [f"B{i:05d}" for i in range(bids)]
    cents = rng.integers(100, 100_000, size=bids * lines)
    table = pd.DataFrame(
        {
            "bidder_id": np.repeat(ids, lines),
            "line_id": np.tile([f"L{i}" for i in range(lines)], bids),
            "rate": [f"{c // 100}.{c % 100:02d}" for c in cents],
        }
    )
    return spec, table, ids


def best_of(run: Callable[[], object], repeats: int = 5) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def floor(spec: Schedule, table: pd.DataFrame, ids: list[str]) -> np.ndarray:
    """Plain numpy: float rates, scattered by integer codes, times the volumes."""
    lines = [line.id for line in spec.lines]
    bid = pd.Index(ids).get_indexer(table["bidder_id"])
    line = pd.Index(lines).get_indexer(table["line_id"])
    rates = np.zeros((len(ids), len(lines)))
    rates[bid, line] = table["rate"].to_numpy().astype(np.float64)
    volume = np.array([float(x.volume) * spec.years for x in spec.lines])
    return rates @ volume


def main(bids: int = 1000, lines: int = 200) -> None:
    spec, table, ids = make(bids, lines)
    compliant = np.ones(bids, dtype=bool)
    kernel, pricing = best_of(lambda: price_bids(spec, ids, compliant, table, "prices.csv")[0])
    base, baskets = best_of(lambda: floor(spec, table, ids))
    assert pricing is not None
    assert isinstance(baskets, np.ndarray)
    exact = [p for p in pricing.evaluated if isinstance(p, Decimal)]  # type: ignore[attr-defined]
    assert np.allclose([float(p) for p in exact], baskets, rtol=1e-12)
    print(f"{bids:,} bids × {lines} lines ({bids * lines:,} rates)")
    print(f"  price_bids (checked, exact): {kernel * 1000:8.1f} ms")
    print(f"  numpy floor (floats)       : {base * 1000:8.1f} ms")
    print(f"  ratio                      : {kernel / base:8.1f}×")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
