"""Benchmark: issue templates for, and collect returns from, a 30-evaluator panel marking
200 bidders x 25 criteria (150,000 marks). Run by hand, not collected by pytest:

    .venv/bin/python tests/benchmarks/bench_collect.py

Prints seconds and marks/s for `collect` (archive, guard, seal and structure checks, marks,
moderation workbook, log) and seconds for `templates`, each beside a plain floor run in the
same process on the same machine, and the ratio to it (the machine is shared: the ratio is
the figure to compare between runs, and the load average is printed with it):

- collect's floor: python-calamine reading each return's Marking sheet into Python rows and
  its mark column into a numpy array, with no checks at all (the floor for any reader);
- templates' floor: XlsxWriter writing each template's Marking sheet values (the same
  35,000 cells per evaluator) with no styles, validation, protection, cover or seal, one
  workbook after another in one process.

Targets (issue 15): collect < 3 s, templates < 6 s on the 2-core machine.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

BIDDERS, CRITERIA, EVALUATORS = 200, 25, 30


def definition(folder: Path) -> Path:
    criteria = "\n".join(
        f"    - id: Q{c + 1}\n      title: Criterion {c + 1}\n      weight: 2\n"
        f"      guidance: What a good answer to criterion {c + 1} shows."
        for c in range(CRITERIA)
    )
    panel = "\n".join(f"  - id: E{e + 1}\n    role: Evaluator {e + 1}" for e in range(EVALUATORS))
    text = f"""schema_version: 1
tender:
  reference: BENCH-1
  title: Benchmark tender
  authority: Benchmark Council
weights:
  price: 50
  quality: 50
price:
  formula:
    name: lowest_price
quality:
  scale:
    minimum: 0
    maximum: 10
    step: 1
  criteria:
{criteria}
panel:
{panel}
data:
  bids: ../bids/bench/bids.csv
  marks: ../bids/bench/marks.csv
  moderated: ../bids/bench/moderated.csv
"""
    (folder / "criteria").mkdir(parents=True)
    path = folder / "criteria" / "bench.yaml"
    path.write_text(text)
    bids = folder / "bids" / "bench"
    bids.mkdir(parents=True)
    lines = ["bidder_id,bidder,price"] + [
        f"B{b + 1:03d},Bidder {b + 1} Ltd,{100000 + 37 * b}" for b in range(BIDDERS)
    ]
    (bids / "bids.csv").write_text("\n".join(lines) + "\n")
    return path


def fill(args: tuple[str, str, int]) -> None:
    """Fill one template as an evaluator would (openpyxl, then saved like Excel would)."""
    import openpyxl

    template, target, seed = args
    rng = np.random.default_rng(seed)
    wb = openpyxl.load_workbook(template)
    cover, ws = wb["Cover"], wb["Marking"]
    cover["B9"], cover["B10"], cover["B11"] = f"Evaluator {seed}", "2026-01-05", "No"
    marks = rng.integers(0, 11, size=BIDDERS * CRITERIA)
    for row, mark in enumerate(marks, start=2):
        ws.cell(row, 6).value = int(mark)
        ws.cell(row, 7).value = f"Evidence in section {row % 7 + 1} supports {mark}."
    wb.save(target)


def baseline(paths: list[Path]) -> tuple[float, int]:
    """Bare read: calamine, Marking sheet, mark column to numpy; no checks."""
    import python_calamine

    started = time.perf_counter()
    count = 0
    for path in paths:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
        rows = book.get_sheet_by_name("Marking").to_python()
        column = np.array([r[5] for r in rows[1:]], dtype=float)
        count += column.size
    return time.perf_counter() - started, count


def template_floor(tender: object, count: int) -> float:
    """Seconds for XlsxWriter to write `count` workbooks of the Marking sheet's plain values."""
    import xlsxwriter

    from tender.excel import layout
    from tender.panel import bidders_to_mark

    rows = layout.marking_rows(tender, bidders_to_mark(tender).marked)  # type: ignore[arg-type]
    started = time.perf_counter()
    for _ in range(count):
        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(buffer, {"constant_memory": True})
        ws = wb.add_worksheet("Marking")
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row.locked()):
                ws.write_string(number, column, value)
        wb.close()
    return time.perf_counter() - started


def phases(tender: object, paths: list[Path]) -> tuple[float, float]:
    """Seconds to read and check every return, and to render the moderation workbook."""
    from tender.excel.moderation_sheet import write_moderation
    from tender.panel import panel_files
    from tender.workflows.collect import _Candidate, _read_all, expected_returns, spread_threshold

    expected = expected_returns(tender, panel_files(tender))  # type: ignore[arg-type]
    candidates = [_Candidate(p.name, p.read_bytes(), "", n) for n, p in enumerate(paths)]
    started = time.perf_counter()
    returns = _read_all(candidates, expected, None)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    write_moderation(
        tender,  # type: ignore[arg-type]
        expected.rows,
        [r.evaluator_id for r in returns],  # type: ignore[union-attr]
        [r.marks for r in returns],  # type: ignore[union-attr]
        [r.justifications for r in returns],  # type: ignore[union-attr]
        spread_threshold(tender),  # type: ignore[arg-type]
    )
    return read_seconds, time.perf_counter() - started


def main() -> None:
    from tender.inputs import load_tender
    from tender.workflows.collect import collect
    from tender.workflows.templates import issue_templates

    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        tender = load_tender(definition(root))

        started = time.perf_counter()
        issued = issue_templates(tender)
        templates_seconds = time.perf_counter() - started

        returned = root / "returned"
        returned.mkdir()
        jobs = [(str(i.path), str(returned / f"{i.evaluator_id}.xlsx"), n + 1)
                for n, i in enumerate(issued)]  # fmt: skip
        with ProcessPoolExecutor() as pool:
            list(pool.map(fill, jobs))
        paths = sorted(returned.iterdir())
        size = sum(p.stat().st_size for p in paths)

        started = time.perf_counter()
        result = collect(tender, returned)
        collect_seconds = time.perf_counter() - started
        assert not result.problems, result.problems[:3]
        marks = sum(len(r.marks) for r in result.accepted.values())
        assert marks == BIDDERS * CRITERIA * EVALUATORS

        base_seconds, base_count = baseline(paths)
        assert base_count == marks
        read_seconds, render_seconds = phases(tender, paths)
        floor_seconds = template_floor(tender, len(issued))

        with zipfile.ZipFile(paths[0]) as archive:
            sheet = next(i for i in archive.infolist() if i.filename.endswith("sheet2.xml"))

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load {load}")
    print(
        f"panel: {EVALUATORS} evaluators x {BIDDERS} bidders x {CRITERIA} criteria "
        f"= {marks:,} marks"
    )
    print(f"returns: {len(paths)} files, {size / 1e6:.1f} MB; marking sheet "
          f"{sheet.file_size / 1e6:.1f} MB unzipped")  # fmt: skip
    print(f"templates: {templates_seconds:.2f} s for {len(issued)} workbooks "
          f"({templates_seconds / len(issued) * 1000:.0f} ms each); floor (XlsxWriter, plain "
          f"values of the Marking sheets) {floor_seconds:.2f} s; "
          f"ratio {templates_seconds / floor_seconds:.1f}x")  # fmt: skip
    print(f"collect:   {collect_seconds:.2f} s, {marks / collect_seconds:,.0f} marks/s; "
          f"floor (calamine read of the mark column into numpy, no checks) "
          f"{base_seconds:.2f} s, {marks / base_seconds:,.0f} marks/s; "
          f"ratio {collect_seconds / base_seconds:.1f}x")  # fmt: skip
    print(f"  of which: read and check the returns (guard, seal, structure, marks) "
          f"{read_seconds:.2f} s ({read_seconds / base_seconds:.1f}x the floor); "
          f"moderation workbook ({len(paths)} x 2 + 9 columns x {BIDDERS * CRITERIA:,} rows) "
          f"{render_seconds:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
