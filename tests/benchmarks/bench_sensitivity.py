"""Benchmark the robustness analyses (run by hand: python tests/benchmarks/bench_sensitivity.py).

A synthetic tender (bids × 12 criteria × 5 evaluators, prices and marks at random) is
analysed as `tender sensitivity` analyses it once the files are read: every analysis,
its JSON-ready document and its text. Beside it, in the same process and on the same
marks, a plain numpy floor does the arithmetic no implementation can skip: the median
marks of the whole panel and with each evaluator left out, the totals and ranking of
each, the evaluators' ranges, the marks each bid needs on each criterion to draw level
with the leader, and the price formula's anchors. Timings on a shared machine are noisy;
the ratio to the floor run beside it is the figure that counts. Printed per size: the
evaluation, the analyses, the floor and the ratio; then the growth exponent (slope of
log time on log size) of the analyses and of the floor.

    python tests/benchmarks/bench_sensitivity.py [SIZE ...]    (default 100 300 1000 3000 10000)
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tender import sensitivity  # noqa: E402
from tender.model import Tender  # noqa: E402
from tender.robustness import analyse  # noqa: E402
from tender.robustness_document import document  # noqa: E402
from tender.terminal import robustness_lines  # noqa: E402

CRITERIA = 12
EVALUATORS = 5
PRICE_WEIGHT = 60.0
SIZES = (100, 300, 1000, 3000, 10000)


def synthetic(bids: int, criteria: int, evaluators: int, seed: int = 7) -> sensitivity.Case:
    """A tender of `bids` bids with every evaluator's marks and moderated marks (the
    rounded medians), as the readers produce them (marks as text)."""
    rng = np.random.default_rng(seed)
    weight = (100 - PRICE_WEIGHT) / criteria
    tender = Tender.model_validate(
        {
            "schema_version": 1,
            "tender": {"reference": "BENCH", "title": "Benchmark", "authority": "Bench"},
            "weights": {"price": PRICE_WEIGHT, "quality": 100 - PRICE_WEIGHT},
            "price": {"formula": {"name": "lowest_price"}},
            "quality": {
                "scale": {"maximum": 10},
                "criteria": [
                    {"id": f"Q{i + 1}", "title": f"Q{i + 1}", "weight": weight}
                    for i in range(criteria)
                ],
            },
            "panel": [{"id": f"E{i + 1}", "role": "Officer"} for i in range(evaluators)],
            "data": {"bids": "bids.csv"},
        }
    )
    ids = np.array([f"B{i:05d}" for i in range(bids)])
    bid_frame = pd.DataFrame(
        {"bidder_id": ids, "bidder": ids, "price": rng.uniform(80_000, 120_000, bids).round(2)}
    )
    marks = rng.integers(3, 9, size=(bids, criteria, evaluators))
    leaf_ids = np.array([f"Q{i + 1}" for i in range(criteria)])
    b, c, e = np.meshgrid(range(bids), range(criteria), range(evaluators), indexing="ij")
    mark_frame = pd.DataFrame(
        {
            "bidder_id": ids[b.ravel()],
            "criterion_id": leaf_ids[c.ravel()],
            "evaluator_id": np.array([f"E{i + 1}" for i in range(evaluators)])[e.ravel()],
            "mark": marks.ravel().astype(str),
        }
    )
    b2, c2 = np.meshgrid(range(bids), range(criteria), indexing="ij")
    moderated = pd.DataFrame(
        {
            "bidder_id": ids[b2.ravel()],
            "criterion_id": leaf_ids[c2.ravel()],
            "moderated_mark": np.round(np.median(marks, axis=-1)).ravel().astype(str),
            "rationale": "agreed at moderation",
        }
    )
    return sensitivity.Case(tender, bid_frame, mark_frame, moderated)


def floor(cube: np.ndarray, consensus: np.ndarray, prices: np.ndarray) -> int:
    """Plain numpy: the arithmetic every implementation of the analyses must do."""
    unit = np.full(cube.shape[1], (100 - PRICE_WEIGHT) / cube.shape[1] / 10)
    price_score = PRICE_WEIGHT * prices.min() / prices
    anchors = int(np.argmin(prices)), int(np.argmax(prices))
    leaders = []
    panels = [consensus, np.median(cube, axis=-1)]
    panels += [np.median(np.delete(cube, e, axis=-1), axis=-1) for e in range(cube.shape[-1])]
    for marks in panels:
        total = price_score + marks @ unit
        leaders.append(int(np.argsort(-total, kind="stable")[0]))
    total = price_score + consensus @ unit
    low = price_score + cube.min(axis=-1) @ unit
    high = price_score + cube.max(axis=-1) @ unit
    first = leaders[0]
    need = (total[first] - total)[:, None] / unit[None, :]
    reachable = (consensus + need <= 10) | (consensus[first][None, :] - need >= 0)
    overlap = (high >= low[first]) & (low <= high[first])
    return int(reachable.sum()) + int(overlap.sum()) + sum(leaders) + sum(anchors)


def timed(function: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def exponent(sizes: list[int], seconds: list[float]) -> float:
    """Slope of log time on log size (1 = linear, 2 = quadratic)."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def main(sizes: list[int]) -> None:
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    print(f"{CRITERIA} criteria × {EVALUATORS} evaluators; best of 3 below 3,000 bids, else 1 run")
    analysed: list[float] = []
    floors: list[float] = []
    for bids in sizes:
        case = synthetic(bids, CRITERIA, EVALUATORS)
        repeat = 3 if bids < 3000 else 1
        ev_time = timed(case.evaluate, repeat)
        ev = case.evaluate()

        def analyses(case: sensitivity.Case = case, ev: object = ev) -> None:
            robustness_lines(document(analyse(case, ev)), {})  # type: ignore[arg-type]

        whole = timed(analyses, repeat)
        assert ev.individual is not None
        prices = ev.table["price"].to_numpy(dtype=np.float64)
        base = timed(lambda ev=ev, prices=prices: floor(ev.individual, ev.consensus, prices), 5)
        analysed.append(whole)
        floors.append(base)
        print(
            f"{bids:6d} bids: evaluate {ev_time:7.2f} s; analyses {whole:7.2f} s; "
            f"numpy floor {base * 1000:8.2f} ms; ratio {whole / base:6.0f}×"
        )
    if len(sizes) > 1:
        print(
            f"growth exponent: analyses {exponent(sizes, analysed):.2f}, "
            f"floor {exponent(sizes, floors):.2f} (target ≤ 1.3)"
        )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or list(SIZES))
