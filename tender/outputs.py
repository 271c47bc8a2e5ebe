"""Write results: results.csv, results.json, results.xlsx (and evaluated-prices.csv, each evaluated
price line by line, when a schedule or parts price the bids); atomic, reproducible files.

Everything is rendered in memory first and only then written, each file to a temporary
file beside it and renamed into place, so a failed run leaves earlier results untouched.
The same inputs give byte-identical files: no clocks in results (run times go to the log).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import __version__, display
from .files import FIXED_ISO_TIME as FIXED_ISO_TIME  # re-exported: callers keep working
from .files import FIXED_ZIP_TIME as FIXED_ZIP_TIME
from .files import OutputLockedError as OutputLockedError
from .files import OutputRefused, reproducible_zip, write_files
from .files import _fsync_dir as _fsync_dir
from .files import write_atomic as write_atomic
from .model import ADJUSTMENT_ID, Components, Schedule
from .moderation import PROVISIONAL_RULE
from .price import FORMULAS
from .pricing import Pricing
from .safety import csv_cell, set_text, set_value
from .scoring import Evaluation

CSV_COLUMNS = [
    "bidder_id",
    "bidder",
    "price",
    "price_score",
    "quality_score",
    "total_score",
    "rank",
    "price_score_shown",
    "quality_score_shown",
    "total_score_shown",
    "flags",
    "notes",
]


OutputIsInputError = OutputRefused  # the name earlier callers catch


def write_all(files: Mapping[Path, bytes], inputs: Iterable[Path] = ()) -> list[Path]:
    """Write several already-rendered files atomically, in a stable order.

    Raises:
        OutputIsInputError: before writing anything, if any output is one of `inputs`, a
            link or not a regular file (`files.check_targets`, without a folder limit).
    """
    return write_files(files, inputs=inputs, root=None)


def results_document(ev: Evaluation) -> dict[str, Any]:
    """The results as one JSON-ready object: method, inputs, and one record per bid."""
    tender = ev.tender
    formula = FORMULAS[tender.price.formula.name]
    return {
        "tender": {
            "reference": tender.tender.reference,
            "title": tender.tender.title,
            "authority": tender.tender.authority,
        },
        "tool": {"name": "tender", "version": __version__},
        "provisional": ev.provisional,
        "consensus": PROVISIONAL_RULE if ev.provisional else "moderated marks",
        "method": {
            "price_weight": tender.weights.price,
            "quality_weight": tender.weights.quality,
            "price_formula": formula.name,
            "price_equation": formula.equation,
            "price_parameters": tender.price.formula.model_dump(mode="json", exclude={"name"}),
            "better_price": formula.better,
            "quality_score": f"Σ weight × mark ÷ scale maximum ({tender.quality.scale.maximum:g})",
            "near_tie_margin": tender.near_tie.margin,
            "tie_break": list(tender.ranking.tie_break),
            "display": "rounded half-up to 1 decimal place; a total shown is the sum of the "
            "scores shown; ranks and near-ties use unrounded scores",
        },
        "inputs": [{"path": p, "sha256": h} for p, h in sorted(ev.fingerprints.items())],
        "bids": ev.records(),
        **({"evaluated_prices": evaluated_prices(ev.pricing)} if ev.pricing else {}),
    }


def evaluated_prices(pricing: Pricing) -> dict[str, Any]:
    """How each evaluated price was reached, line by line, for results.json."""
    return {
        "model": pricing.model.model_dump(mode="json"),
        "bids": [
            {
                "bidder_id": bidder_id,
                "evaluated_price": _amount(pricing.evaluated[bid]),
                "working": pricing.working(bid),
                "lines": [
                    {
                        "line_id": line.line_id,
                        "rate": _amount(line.rate),
                        "quantity": _amount(line.quantity),
                        "extension": _amount(line.extension),
                        "basis": line.basis,
                        "note": line.note,
                    }
                    for line in pricing.trace(bid)
                ],
            }
            for bid, bidder_id in enumerate(pricing.bidder_ids)
        ],
    }


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


PRICE_TRACE_COLUMNS = [
    "bidder_id",
    "line_id",
    "description",
    "unit",
    "rate",
    "quantity",
    "extension",
    "basis",
    "note",
    "evaluated_price",
]


def render_price_trace(pricing: Pricing) -> bytes:
    """evaluated-prices.csv: every line of every bid's evaluated price, rate and extension."""
    described = _descriptions(pricing.model)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(PRICE_TRACE_COLUMNS)
    for bid, _ in enumerate(pricing.bidder_ids):
        total = _amount(pricing.evaluated[bid]) or ""
        for line in pricing.trace(bid):
            description, unit = described.get(line.line_id, ("", ""))
            writer.writerow(
                [
                    line.bidder_id,
                    line.line_id,
                    csv_cell(description),
                    csv_cell(unit),
                    _amount(line.rate) or "",
                    _amount(line.quantity) or "",
                    _amount(line.extension) or "",
                    line.basis,
                    csv_cell(line.note),
                    total,
                ]
            )
    return buffer.getvalue().encode("utf-8")


def _descriptions(spec: Schedule | Components) -> dict[str, tuple[str, str]]:
    if isinstance(spec, Components):
        return {part.id: (part.description, "") for part in spec.parts}
    if spec.basis == "adjustment":
        return {ADJUSTMENT_ID: ("percentage adjustment on the published schedule", "%")}
    return {line.id: (line.description, line.unit) for line in spec.lines}


def render_json(ev: Evaluation) -> bytes:
    """results.json: full precision, stable key order, UTF-8."""
    text = json.dumps(results_document(ev), indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _csv_row(record: dict[str, Any]) -> list[Any]:
    shown = record["display"]
    return [
        record["bidder_id"],
        record["bidder"],
        record["price"] or "",
        _full(record["price_score"]),
        _full(record["quality_score"]),
        _full(record["total_score"]),
        record["rank"] if record["rank"] is not None else "",
        shown["price_score"],
        shown["quality_score"],
        shown["total_score"],
        ";".join(record["flags"]),
        " ".join(record["notes"]),
    ]


def _full(value: float | None) -> Any:
    return "" if value is None else repr(value)


def render_csv(ev: Evaluation) -> bytes:
    """results.csv: one row per bid; text neutralised against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for record in ev.records():
        row = _csv_row(record)
        writer.writerow([csv_cell(v) if i in (1, 10, 11) else v for i, v in enumerate(row)])
    return buffer.getvalue().encode("utf-8")


def render_xlsx(ev: Evaluation) -> bytes:
    """results.xlsx: the table as shown (numbers rounded for display) plus full precision."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Results"
    bold = Font(bold=True)
    set_text(sheet.cell(1, 1), f"{ev.tender.tender.reference}: {ev.tender.tender.title}")
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    status = (
        f"PROVISIONAL: quality from the {PROVISIONAL_RULE}; no moderated marks"
        if ev.provisional
        else "Quality from the panel's moderated marks"
    )
    set_text(sheet.cell(2, 1), status)
    headers = [
        "Bidder id",
        "Organisation",
        "Price score",
        "Quality weighted score",
        "Total score",
        "Rank",
        "Flags",
        "Notes",
        "Price score (full)",
        "Quality score (full)",
        "Total (full)",
    ]
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(4, column)
        set_text(cell, header)
        cell.font = bold
    for offset, record in enumerate(ev.records()):
        row = 5 + offset
        shown = record["display"]
        values: list[Any] = [
            record["bidder_id"],
            record["bidder"],
            _shown_number(shown["price_score"]),
            _shown_number(shown["quality_score"]),
            _shown_number(shown["total_score"]),
            record["rank"],
            "; ".join(record["flags"]),
            " ".join(record["notes"]),
            record["price_score"],
            record["quality_score"],
            record["total_score"],
        ]
        for column, value in enumerate(values, start=1):
            set_value(sheet.cell(row, column), value)
        for column in (3, 4, 5):
            sheet.cell(row, column).number_format = "0.0"
        sheet.cell(row, 8).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip(
        "ABCDEFGHIJK", (10, 36, 12, 14, 12, 7, 22, 60, 18, 18, 18), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "C5"
    inputs = workbook.create_sheet("Inputs")
    for column, header in enumerate(("Input", "SHA-256"), start=1):
        set_text(inputs.cell(1, column), header)
        inputs.cell(1, column).font = bold
    for row, (path, digest) in enumerate(sorted(ev.fingerprints.items()), start=2):
        set_text(inputs.cell(row, 1), path)
        set_text(inputs.cell(row, 2), digest)
    set_text(inputs.cell(len(ev.fingerprints) + 3, 1), f"tender {__version__}")
    inputs.column_dimensions["A"].width = 44
    inputs.column_dimensions["B"].width = 68
    workbook.properties.creator = "tender"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return reproducible_zip(buffer.getvalue())


def _shown_number(text: str) -> Any:
    head = text.split(" ", 1)[0]
    try:
        return float(display.half_up(float(head)))
    except ValueError:
        return text


def write_results(
    ev: Evaluation,
    folder: Path,
    inputs: Iterable[Path] = (),
    *,
    root: Path | None = None,
    named: Mapping[Path, str] | None = None,
    appends: Iterable[Path] = (),
) -> list[Path]:
    """Render all result files, then write them atomically into `folder`.

    Every target (and each of `appends`, written by the caller afterwards) passes the write
    gate first (`files.check_targets`).

    Raises:
        OutputRefused: before writing anything.
    """
    files = render_results(ev, folder)
    return write_files(files, inputs=inputs, root=root, named=named, appends=appends)


def render_results(ev: Evaluation, folder: Path) -> dict[Path, bytes]:
    """results.csv, results.json and results.xlsx for `folder`, rendered in memory."""
    files = {
        folder / "results.csv": render_csv(ev),
        folder / "results.json": render_json(ev),
        folder / "results.xlsx": render_xlsx(ev),
    }
    if ev.pricing is not None:
        files[folder / "evaluated-prices.csv"] = render_price_trace(ev.pricing)
    return files
