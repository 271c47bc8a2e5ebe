"""Benchmark the robustness analyses (run by hand: python tests/benchmarks/bench_sensitivity.py).

A synthetic tender (bids × criteria × evaluators as below) is analysed end to end, and
the smallest-mark-change search is compared with a plain-numpy baseline that computes the
same closed-form candidates without re-scoring them. The library re-scores each candidate
through `scoring.evaluate` (so thresholds and tie-breaks are honoured), which is what the
ratio measures.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tender import sensitivity  # noqa: E402
from tender.model import Tender  # noqa: E402
from tender.robustness import analyse  # noqa: E402


def synthetic(bids: int, criteria: int, evaluators: int, seed: int = 7) -> sensitivity.Case:
    rng = np.random.default_rng(seed)
    weight = 40 / criteria
    tender = Tender.model_validate(
        {
            "schema_version": 1,
            "tender": {"reference": "BENCH", "title": "Benchmark", "authority": "Bench"},
            "weights": {"price": 60, "quality": 40},
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
    ids = [f"B{i:03d}" for i in range(bids)]
    bid_frame = pd.DataFrame(
        {
            "bidder_id": ids,
            "bidder": ids,
            "price": rng.uniform(80_000, 120_000, bids).round(2),
        }
    )
    marks = rng.integers(3, 9, size=(bids, criteria, evaluators))
    leaf_ids = [f"Q{i + 1}" for i in range(criteria)]
    b, c, e = np.meshgrid(range(bids), range(criteria), range(evaluators), indexing="ij")
    mark_frame = pd.DataFrame(
        {
            "bidder_id": np.array(ids)[b.ravel()],
            "criterion_id": np.array(leaf_ids)[c.ravel()],
            "evaluator_id": np.array([f"E{i + 1}" for i in range(evaluators)])[e.ravel()],
            "mark": marks.ravel().astype(str),
        }
    )
    median = np.median(marks, axis=-1)
    b2, c2 = np.meshgrid(range(bids), range(criteria), indexing="ij")
    moderated = pd.DataFrame(
        {
            "bidder_id": np.array(ids)[b2.ravel()],
            "criterion_id": np.array(leaf_ids)[c2.ravel()],
            "moderated_mark": np.round(median).ravel().astype(str),
            "rationale": "agreed at moderation",
        }
    )
    return sensitivity.Case(tender, bid_frame, mark_frame, moderated)


def baseline_candidates(total: np.ndarray, consensus: np.ndarray, unit: np.ndarray) -> int:
    """Plain numpy: marks needed for every challenger to tie the leader on every criterion."""
    leader = int(np.argmax(total))
    gap = total[leader] - total
    need = gap[:, None] / unit[None, :]
    raise_to = consensus + need
    lower_to = consensus[leader][None, :] - need
    ok = (raise_to <= 10) | (lower_to >= 0)
    return int(ok.sum())


def timed(function, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    for bids, criteria, evaluators in ((6, 4, 3), (20, 8, 3), (60, 12, 5)):
        case = synthetic(bids, criteria, evaluators)
        ev = case.evaluate()
        unit = np.full(criteria, 40 / criteria / 10)
        total = ev.table["total_score"].to_numpy()
        library = timed(lambda case=case, ev=ev: sensitivity.mark_changes(case, ev))
        base = timed(
            lambda total=total, ev=ev, unit=unit: baseline_candidates(total, ev.consensus, unit),
            repeat=50,
        )
        whole = timed(lambda case=case, ev=ev: analyse(case, ev), repeat=1)
        print(
            f"{bids:3d} bids × {criteria:2d} criteria × {evaluators} evaluators: "
            f"mark_changes {library * 1000:8.1f} ms (numpy closed form {base * 1e6:6.1f} µs, "
            f"ratio {library / base:8.0f}×); whole analysis {whole * 1000:8.1f} ms"
        )


if __name__ == "__main__":
    main()
