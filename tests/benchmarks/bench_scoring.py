"""Benchmark: evaluate() on synthetic tenders of N bids × 10 criteria × 3 evaluators.

Run by hand (not collected by pytest):  .venv/bin/python tests/benchmarks/bench_scoring.py [N ...]

For each size it times the library API twice, with the PROVISIONAL median and with
moderated marks, each including the column-wise checks of the long tables (one
moderated mark in ten differs from the median and carries a rationale), each beside a
plain-numpy floor on the same long arrays in the same run, doing only the necessary work
of that run: for the provisional run, scatter into a bids × criteria × evaluators cube,
median, weighted sum, rank; for the moderated run, the same cube and its median (a moved
mark needs a reason), the moderated marks scattered into a bids × criteria matrix, the
comparison, weighted sum and rank. It prints CPU seconds (the least of five runs, each
run in turn with its floor's), the peak memory each run
allocates above what was there before it, and both as ratios to the floor. Targets at
1,000,000 bids: ≤ 2× the floor's time, ≤ 3× its memory.

Then two more cases (issue 13): a tender of 10 lots, each lot evaluated as a tender
(`Tender.lot`, `evaluate`) and the lots awarded under a cap of one lot per bidder by both
rules (`lots.allocate_lots`), beside the same floor run once per lot; and a 200-line
schedule of rates priced for 1,000 bids (bench_prices.py, run from here).
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial

import numpy as np
import numpy.typing as npt
import pandas as pd

from tender.model import Tender
from tender.scoring import evaluate

IntArray = npt.NDArray[np.integer]
FloatArray = npt.NDArray[np.float64]
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


def floor_inputs(marks: pd.DataFrame) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """The long marks as the floor takes them: integer codes and the mark column."""
    return (
        marks["bidder_id"].cat.codes.to_numpy(),
        marks["criterion_id"].cat.codes.to_numpy(),
        marks["evaluator_id"].cat.codes.to_numpy(),
        marks["mark"].to_numpy(),
    )


def numpy_floor(
    n: int, codes: tuple[IntArray, IntArray, IntArray, FloatArray], price: FloatArray
) -> IntArray:
    """Only the necessary work, in plain numpy: scatter, median, weighted sum, rank.

    One flat scatter into a bids × criteria × evaluators cube; the median of three as
    max(min(a, b), min(max(a, b), c)) (np.median along a 3-long axis sorts and costs
    several times more); price score, total; ranks from one argsort.
    """
    return floor_ranks(floor_median(n, codes), price)


def floor_median(n: int, codes: tuple[IntArray, IntArray, IntArray, FloatArray]) -> FloatArray:
    """The floor's scatter into a bids × criteria × evaluators cube and its median."""
    b, c, e, mark = codes
    flat = b.astype(np.int64)
    flat *= CRITERIA
    flat += c
    flat *= EVALUATORS
    flat += e
    cube = np.full(n * CRITERIA * EVALUATORS, np.nan)
    cube[flat] = mark
    cube = cube.reshape(n, CRITERIA, EVALUATORS)
    low, high = np.minimum(cube[..., 0], cube[..., 1]), np.maximum(cube[..., 0], cube[..., 1])
    return np.maximum(low, np.minimum(high, cube[..., 2]))


def floor_ranks(consensus: FloatArray, price: FloatArray) -> IntArray:
    """The floor's weighted sum, price score, total and ranks from one argsort."""
    quality = consensus @ np.full(CRITERIA, 60 / CRITERIA / 10)
    total = quality + 40 * price.min() / price
    order = np.argsort(-total)
    ranks = np.empty(total.size, dtype=np.int64)
    ranks[order] = np.arange(1, total.size + 1)
    return ranks


def moderated_floor(
    n: int,
    codes: tuple[IntArray, IntArray, IntArray, FloatArray],
    agreed: tuple[IntArray, IntArray, FloatArray],
    price: FloatArray,
) -> IntArray:
    """The floor of a moderated run: the evaluators' cube as above (the median for the
    check that a mark moved from it has a reason), the moderated marks scattered into a
    bids × criteria matrix, the differs-from-median test, weighted sum and rank."""
    median = floor_median(n, codes)
    mb, mc, value = agreed
    at = mb.astype(np.int64)
    at *= CRITERIA
    at += mc
    consensus = np.full(n * CRITERIA, np.nan)
    consensus[at] = value
    consensus = consensus.reshape(n, CRITERIA)
    np.count_nonzero(np.abs(consensus - median) > 1e-9)  # the marks that need a reason
    return floor_ranks(consensus, price)


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """Least CPU seconds of this process over `repeats` runs.

    CPU time rather than wall time: the machine is shared, and a busy neighbour stretches
    wall time without changing the work done. numpy here runs on one thread.
    """
    times = []
    for _ in range(repeats):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def best_of_pairs(
    repeats: int, run: Callable[[], object], floor: Callable[[], object]
) -> tuple[float, float]:
    """Least CPU seconds of `run` and of `floor`, run in turn (run, floor, run, floor ...),
    so that a busy spell of the shared machine slows both alike rather than one."""
    runs, floors = [], []
    for _ in range(repeats):
        runs.append(best_of(1, run))
        floors.append(best_of(1, floor))
    return min(runs), min(floors)


def peak_memory(run: Callable[[], object]) -> int:
    """Bytes allocated at the peak of one run above what was allocated before it.

    tracemalloc sees numpy's and pandas' buffers, so this is the run's own working memory
    (the inputs, allocated before, are the interpreter's baseline).
    """
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - before


def main(sizes: list[int]) -> None:
    """Each run beside the floor of the same work: the provisional run (median of the
    evaluators' marks) beside `numpy_floor`, the moderated run beside `moderated_floor`."""
    tender = make_tender()
    print(
        f"{'bids':>10} {'mark rows':>11} {'run':>12} {'s':>8} {'floor s':>8} "
        f"{'time ratio':>10} {'peak MB':>8} {'floor MB':>8} {'memory ratio':>12}"
    )
    for n in sizes:
        bids, marks, moderated = make_data(n)
        codes = floor_inputs(marks)
        agreed = (
            moderated["bidder_id"].cat.codes.to_numpy(),
            moderated["criterion_id"].cat.codes.to_numpy(),
            moderated["moderated_mark"].to_numpy(),
        )
        price = bids["price"].to_numpy()
        repeats = 5
        pairs = {
            "provisional": (
                partial(evaluate, tender, bids, marks, None),
                partial(numpy_floor, n, codes, price),
            ),
            "moderated": (
                partial(evaluate, tender, bids, marks, moderated),
                partial(moderated_floor, n, codes, agreed, price),
            ),
        }
        for name, (run, floor_run) in pairs.items():
            seconds, floor = best_of_pairs(repeats, run, floor_run)
            peak, floor_peak = peak_memory(run) / 1e6, max(peak_memory(floor_run) / 1e6, 1e-6)
            print(
                f"{n:>10,} {len(marks):>11,} {name:>12} {seconds:>8.4f} {floor:>8.4f} "
                f"{seconds / floor:>9.2f}× {peak:>8.0f} {floor_peak:>8.0f} "
                f"{peak / floor_peak:>11.2f}×"
            )


def make_lots_tender(lots: int, rule: str) -> Tender:
    """The benchmark tender divided into `lots` lots, at most one lot per bidder."""
    data = make_tender().model_dump(exclude_unset=True)
    data["lots"] = [
        {"id": f"L{i}", "title": f"Lot {i}", "data": {"bids": f"lot-{i}.csv"}} for i in range(lots)
    ]
    data["award"] = {"max_lots_per_bidder": 1, "allocation": rule}
    return Tender.model_validate(data)


def evaluate_lots(tender: Tender, data: list[tuple[pd.DataFrame, ...]]) -> object:
    """What `score` does for a lots definition, without the files: every lot, then awards."""
    from tender.lots import allocate_lots

    evaluations = [
        evaluate(tender.lot(lot_id), *tables)
        for lot_id, tables in zip(tender.lot_ids(), data, strict=True)
    ]
    return allocate_lots(tender, evaluations)


def floor_lots(per_lot: int, codes: list[tuple[tuple[IntArray, ...], FloatArray]]) -> object:
    """The single-tender floor, run once per lot."""
    return [numpy_floor(per_lot, c, p) for c, p in codes]  # type: ignore[arg-type]


def lots_main(lots: int = 10, per_lot: int = 10_000) -> None:
    """Every lot evaluated, then allocated, against the floor run once per lot."""
    from tender.lots import LotsEvaluation, allocate_lots

    data: list[tuple[pd.DataFrame, ...]] = [make_data(per_lot, seed=i + 1) for i in range(lots)]
    codes = [(floor_inputs(marks), bids["price"].to_numpy()) for bids, marks, _ in data]
    floor = best_of(3, partial(floor_lots, per_lot, codes))
    plain = best_of(3, partial(evaluate, make_tender(), *data[0])) * lots
    for rule in ("lot_order", "best_total"):
        tender = make_lots_tender(lots, rule)
        seconds = best_of(3, partial(evaluate_lots, tender, data))
        result = evaluate_lots(tender, data)
        assert isinstance(result, LotsEvaluation)
        allocating = best_of(3, partial(allocate_lots, tender, list(result.lots)))
        awarded = sum(a.bidder_id is not None for a in result.allocation.awards)
        print(
            f"{lots} lots × {per_lot:,} bids ({rule}): evaluate + allocate {seconds:.3f} s "
            f"(allocation {allocating * 1000:.1f} ms); {lots} × one tender's evaluate "
            f"{plain:.3f} s; floor × {lots} {floor:.3f} s; ratio to the floor "
            f"{seconds / floor:.2f}×; {awarded} lots awarded"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 100_000, 1_000_000])
    lots_main()
    import bench_prices  # beside this file: the 200-line schedule × 1,000 bids case

    bench_prices.main(1000, 200)
