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
from datetime import UTC, datetime
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
from .notes import BidRecord
from .price import FORMULAS
from .pricing import Pricing
from .safety import TRIGGERS, clean_text, csv_cell
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
        "bids": [record.as_json() for record in ev.records()],
        **(
            {"evaluated_prices": evaluated_prices(ev.pricing, tender.tender.currency)}
            if ev.pricing
            else {}
        ),
    }


def evaluated_prices(pricing: Pricing, currency: str) -> dict[str, Any]:
    """How each evaluated price was reached, line by line, for results.json: exact amounts,
    and the working in words with its amounts as money."""
    return {
        "model": pricing.model.model_dump(mode="json"),
        "bids": [
            {
                "bidder_id": bidder_id,
                "evaluated_price": _amount(pricing.evaluated[bid]),
                "working": pricing.working(bid, currency),
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


def _csv_row(record: BidRecord) -> list[Any]:
    shown = record.display
    return [
        record.bidder_id,
        record.bidder,
        record.price or "",
        _full(record.price_score),
        _full(record.quality_score),
        _full(record.total_score),
        record.rank if record.rank is not None else "",
        shown.price_score,
        shown.quality_score,
        shown.total_score,
        ";".join(record.flags),
        " ".join(record.notes),
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
    """results.xlsx: the table as shown (numbers rounded for display) plus full precision.

    Written with XlsxWriter, not openpyxl: the file is only ever written, and XlsxWriter
    loads in a third of openpyxl's time, which every `tender score` pays.
    """
    import xlsxwriter  # type: ignore[import-untyped]

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, _XLSX_OPTIONS)
    workbook.set_properties({"author": "tender", "created": _XLSX_CREATED})
    cells = _Cells(workbook)
    sheet = workbook.add_worksheet("Results")
    title = f"{ev.tender.tender.reference}: {ev.tender.tender.title}"
    cells.text(sheet, 0, 0, title, "title")
    status = (
        f"PROVISIONAL: quality from the {PROVISIONAL_RULE}; no moderated marks"
        if ev.provisional
        else "Quality from the panel's moderated marks"
    )
    cells.text(sheet, 1, 0, status)
    for column, header in enumerate(_XLSX_HEADERS):
        cells.text(sheet, 3, column, header, "bold")
    for offset, record in enumerate(ev.records()):
        shown = record.display
        values: list[Any] = [
            record.bidder_id,
            record.bidder,
            _shown_number(shown.price_score),
            _shown_number(shown.quality_score),
            _shown_number(shown.total_score),
            record.rank,
            "; ".join(record.flags),
            " ".join(record.notes),
            record.price_score,
            record.quality_score,
            record.total_score,
        ]
        for column, value in enumerate(values):
            cells.value(sheet, 4 + offset, column, value, _COLUMN_STYLES.get(column, "plain"))
    for column, width in enumerate((10, 36, 12, 14, 12, 7, 22, 60, 18, 18, 18)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(4, 2)  # C5: headers and ids stay in view
    inputs = workbook.add_worksheet("Inputs")
    for column, header in enumerate(("Input", "SHA-256")):
        cells.text(inputs, 0, column, header, "bold")
    for row, (path, digest) in enumerate(sorted(ev.fingerprints.items()), start=1):
        cells.text(inputs, row, 0, path)
        cells.text(inputs, row, 1, digest)
    cells.text(inputs, len(ev.fingerprints) + 2, 0, f"tender {__version__}")
    inputs.set_column(0, 0, 44)
    inputs.set_column(1, 1, 68)
    workbook.close()
    return reproducible_zip(buffer.getvalue())


# Text is only ever written with write_string, so these options are a second guard: nothing
# in the results is turned into a formula, a link or a number behind our back.
_XLSX_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
_XLSX_CREATED = datetime(*FIXED_ZIP_TIME, tzinfo=UTC)  # no clock in the file
_XLSX_HEADERS = (
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
)
_XLSX_STYLES: dict[str, dict[str, Any]] = {
    "plain": {},
    "title": {"bold": True, "font_size": 13},
    "bold": {"bold": True},
    "one_decimal": {"num_format": "0.0"},
    "notes": {"text_wrap": True, "valign": "top"},
}
_COLUMN_STYLES = {2: "one_decimal", 3: "one_decimal", 4: "one_decimal", 7: "notes"}


class _Cells:
    """Writes the results workbook's cells: text always as a string, and marked as text (a
    leading apostrophe in Excel) when it starts like a formula; each format made once."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._formats: dict[tuple[str, bool], Any] = {}

    def _format(self, style: str, quoted: bool) -> Any:
        if (style, quoted) not in self._formats:
            properties = _XLSX_STYLES[style] | ({"quote_prefix": True} if quoted else {})
            self._formats[style, quoted] = self._workbook.add_format(properties)
        return self._formats[style, quoted]

    def text(self, sheet: Any, row: int, column: int, text: str, style: str = "plain") -> None:
        """Write `text` as a string, never a formula; control characters made visible; an
        empty text leaves the cell empty (its format kept), as a reader expects."""
        if not text:
            sheet.write_blank(row, column, None, self._format(style, False))
            return
        quoted = text.startswith(TRIGGERS)
        sheet.write_string(row, column, clean_text(text), self._format(style, quoted))

    def value(self, sheet: Any, row: int, column: int, value: Any, style: str = "plain") -> None:
        """A number as a number, text through `text`, nothing for a missing value."""
        if isinstance(value, str):
            self.text(sheet, row, column, value, style)
        elif value is not None:
            sheet.write_number(row, column, value, self._format(style, False))


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
