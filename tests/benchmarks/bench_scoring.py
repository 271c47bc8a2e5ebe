"""Benchmark: evaluate() on synthetic tenders of N bids × 10 criteria × 3 evaluators.

Run by hand (not collected by pytest):  .venv/bin/python tests/benchmarks/bench_scoring.py [N ...]

For each size it times the library API twice, with moderated marks and with the
PROVISIONAL median, each including the column-wise checks of the long tables (one
moderated mark in ten differs from the median and carries a rationale), and a
plain-numpy floor on the same long arrays (scatter into a bids × criteria × evaluators
cube, median, weighted sum, rank). It prints seconds and the ratio to the floor.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from tender.model import Tender
from tender.scoring import evaluate

CRITERIA = 10
EVALUATORS = 3


def make_tender() -> Tender:
    weight = 60 / CRITERIA
    return Tender.model_validate(
        {
            "schema_version": 1,
            "tender": {"reference": "BENCH", "title": "Benchmark", "authority": "Bench"},
            "weights": {"price": 40, "quality": 60},
            "price": {"column": "price", "formula": {"name": "lowest_price"}},
            "quality": {
                "scale": {"maximum": 10},
                "criteria": [
                    {"id": f"C{i}", "title": f"Criterion {i}", "weight": weight}
                    for i in range(CRITERIA)
                ],
            },
            "panel": [{"id": f"E{i}", "role": "Evaluator"} for i in range(EVALUATORS)],
            "data": {"bids": "bids.csv"},
        }
    )


def make_data(n: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Long tables with ids as categoricals, as a loader would produce them once."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"B{i:07d}" for i in range(n)], dtype=object)
    bids = pd.DataFrame({"bidder_id": ids, "bidder": ids, "price": rng.uniform(1e4, 5e4, n)})
    b = np.repeat(np.arange(n), CRITERIA * EVALUATORS)
    c = np.tile(np.repeat(np.arange(CRITERIA), EVALUATORS), n)
    e = np.tile(np.arange(EVALUATORS), n * CRITERIA)
    criteria = [f"C{i}" for i in range(CRITERIA)]
    evaluators = [f"E{i}" for i in range(EVALUATORS)]
    marks = pd.DataFrame(
        {
            "bidder_id": pd.Categorical.from_codes(b, categories=ids),
            "criterion_id": pd.Categorical.from_codes(c, categories=criteria),
            "evaluator_id": pd.Categorical.from_codes(e, categories=evaluators),
            "mark": rng.integers(0, 11, b.size).astype(np.float64),
        }
    )
    mb = np.repeat(np.arange(n), CRITERIA)
    mc = np.tile(np.arange(CRITERIA), n)
    # As at a real moderation meeting: most consensus marks are the median; one in ten
    # moves a mark from it, and those carry a rationale.
    median = np.median(marks["mark"].to_numpy().reshape(n * CRITERIA, EVALUATORS), axis=1)
    moved = rng.random(mb.size) < 0.1
    agreed = np.clip(np.floor(median) + np.where(moved, rng.choice([-1, 1], mb.size), 0), 0, 10)
    moderated = pd.DataFrame(
        {
            "bidder_id": pd.Categorical.from_codes(mb, categories=ids),
            "criterion_id": pd.Categorical.from_codes(mc, categories=criteria),
            "moderated_mark": agreed,
            "rationale": np.where(moved, "Panel agreed after discussion of the evidence.", ""),
        }
    )
    return bids, marks, moderated


def numpy_floor(n: int, marks: pd.DataFrame, price: np.ndarray) -> np.ndarray:
    """The least any implementation must do: scatter, median, weighted sum, rank."""
    b = marks["bidder_id"].cat.codes.to_numpy()
    c = marks["criterion_id"].cat.codes.to_numpy()
    e = marks["evaluator_id"].cat.codes.to_numpy()
    cube = np.full((n, CRITERIA, EVALUATORS), np.nan)
    cube[b, c, e] = marks["mark"].to_numpy()
    consensus = np.median(cube, axis=2)
    quality = consensus @ np.full(CRITERIA, 60 / CRITERIA / 10)
    total = quality + 40 * price.min() / price
    order = np.argsort(-total, kind="stable")
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(1, n + 1)
    return ranks


def best_of(repeats: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main(sizes: list[int]) -> None:
    tender = make_tender()
    print(
        f"{'bids':>10} {'mark rows':>11} {'moderated s':>12} {'provisional s':>14} "
        f"{'numpy floor s':>14} {'ratios (mod, prov)':>19}"
    )
    for n in sizes:
        bids, marks, moderated = make_data(n)
        repeats = 5 if n <= 100_000 else 2
        with_moderated = best_of(repeats, partial(evaluate, tender, bids, marks, moderated))
        provisional = best_of(repeats, partial(evaluate, tender, bids, marks, None))
        floor = best_of(repeats, partial(numpy_floor, n, marks, bids["price"].to_numpy()))
        print(
            f"{n:>10,} {len(marks):>11,} {with_moderated:>12.4f} {provisional:>14.4f} "
            f"{floor:>14.4f} {with_moderated / floor:>10.1f}× {provisional / floor:>5.1f}×"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 100_000, 1_000_000])
