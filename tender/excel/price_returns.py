"""Read a returned pricing workbook into rates, or refuse it with every problem found.

The same single reading of a workbook as the marking returns: the guard vets the raw
file, the cells are read from the very parts it vetted, as displayed (`cells`: no
formula, no cached value, no number its format disguises). Then the sealed identity (this
tender, a bidder of it, unedited, issued for the current schedule), the locked cells as
issued, and each rate. The tender's arithmetic rule is applied: the rate prevails, and an
extended total that differs from rate × quantity is corrected, each correction naming
its cell. A blank rate is a missing line, left to the tender's missing-line rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import Problem, shorten
from ..marks import ProblemList
from ..pricing import MAX_DECIMALS, MAX_WHOLE_DIGITS, tidy
from ..seal import is_sealed
from . import cells, guard
from .guard import Refused
from .price_templates import (
    COVER,
    IDENTITY,
    IDENTITY_KEYS,
    LOCKED_COLUMNS,
    PRICING,
    PRICING_FORMAT,
    PRICING_HEADER,
    PRICING_LAYOUT,
    PRICING_SHEETS,
    RATE_COLUMN,
    RATE_INDEX,
    SEAL_KEY,
    TOTAL_COLUMN,
    TOTAL_INDEX,
    PriceRow,
)

PLAIN = re.compile(rf"^\d{{1,{MAX_WHOLE_DIGITS}}}(\.\d{{1,{MAX_DECIMALS}}})?$")
ROW_SLACK = 50


@dataclass(frozen=True)
class Correction:
    """An extended total corrected to rate × quantity: the rate prevails."""

    cell: str
    line_id: str
    found: str
    corrected: Decimal

    def __str__(self) -> str:
        return (
            f"{self.cell} (line {self.line_id}): extended total {self.found} corrected to "
            f"{self.corrected:f}, rate × quantity (the rate prevails)"
        )


@dataclass(frozen=True)
class PriceReturn:
    """An accepted pricing return: the rates given (a blank line is absent) and corrections."""

    name: str
    bidder_id: str
    issue: int
    template_id: str
    saved_at: str | None
    rates: dict[str, Decimal]
    corrections: tuple[Correction, ...]


@dataclass(frozen=True)
class PriceExpected:
    """What a pricing return for this tender must look like."""

    reference: str
    bidder_ids: tuple[str, ...]
    rows: Sequence[PriceRow]
    structure: str
    key: bytes

    @property
    def limits(self) -> guard.Limits:
        return guard.Limits(max_rows=len(self.rows) + ROW_SLACK + 100, max_columns=20)


def read_price_return(data: bytes, name: str, expected: PriceExpected) -> PriceReturn:
    """Check a returned pricing workbook and read its rates.

    Raises:
        Refused: listing every problem found, each naming the sheet and cell.
    """
    package = guard.vet(data, name, expected.limits)
    _check_sheets(package)
    sheets = cells.read_sheets(package, PRICING_SHEETS)
    identity = _identity(sheets[IDENTITY], name, expected)
    grid = sheets[PRICING]
    _check_locked(grid, name, expected.rows)
    problems = ProblemList(name)
    rates: dict[str, Decimal] = {}
    corrections: list[Correction] = []
    for position, row in enumerate(expected.rows):
        number = position + 2
        values = grid[number - 1] if number - 1 < len(grid) else []
        rate = _amount(values, RATE_INDEX, f"{PRICING}!{RATE_COLUMN}{number}", problems)
        total_cell = f"{PRICING}!{TOTAL_COLUMN}{number}"
        total = _amount(values, TOTAL_INDEX, total_cell, problems)
        if rate is None:
            continue
        rates[row.line_id] = rate
        extension = tidy(rate * row.quantity)
        if total is not None and total != extension:
            corrections.append(Correction(total_cell, row.line_id, f"{total:f}", extension))
    if not rates and not problems.items:
        problems.add(PRICING, "no rates at all (a blank workbook)", "a rate for every line")
    if problems.items:
        raise Refused(problems.done())
    return PriceReturn(
        name=name,
        bidder_id=identity["bidder_id"],
        issue=int(identity["issue"]),
        template_id=identity["template_id"],
        saved_at=package.modified,
        rates=rates,
        corrections=tuple(corrections),
    )


def _check_sheets(package: guard.Package) -> None:
    found = list(package.sheets)
    if sorted(found) != sorted(PRICING_SHEETS):
        raise guard.refuse(
            package.name,
            "sheets",
            f"sheets {', '.join(repr(s) for s in found) or 'none'}",
            "the sheets as issued: " + ", ".join(repr(s) for s in PRICING_SHEETS),
        )
    guard.require_as_issued(package, (COVER, PRICING))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _identity(rows: list[list[Any]], name: str, expected: PriceExpected) -> dict[str, str]:
    fields = {_text(r[0]): _text(r[1]) for r in rows if len(r) >= 2 and _text(r[0])}
    where = f"{IDENTITY} sheet"
    if fields.get("format") != PRICING_FORMAT:
        raise guard.refuse(
            name,
            where,
            "no pricing identity",
            "a pricing workbook issued by `tender price-templates`",
        )
    if fields.get("tender_reference") != expected.reference:
        raise guard.refuse(
            name,
            where,
            f"a workbook for tender {shorten(fields.get('tender_reference', ''))}",
            f"a workbook for this tender, {expected.reference!r}",
        )
    identity = {key: fields.get(key, "") for key in IDENTITY_KEYS}
    if not is_sealed(expected.key, identity, fields.get(SEAL_KEY, "")):
        raise guard.refuse(
            name,
            where,
            "an identity that does not match its seal (edited, or issued from another copy "
            "of this tender)",
            "the identity exactly as issued",
        )
    if identity["layout_version"] != PRICING_LAYOUT:
        raise guard.refuse(
            name, where, f"layout {shorten(identity['layout_version'])}", f"layout {PRICING_LAYOUT}"
        )
    if identity["bidder_id"] not in expected.bidder_ids:
        raise guard.refuse(
            name, where, f"bidder {shorten(identity['bidder_id'])}", "a bidder of this tender"
        )
    if identity["structure"] != expected.structure:
        raise guard.refuse(
            name,
            where,
            f"a workbook issued for another schedule (issue {identity['issue']})",
            "a workbook for the current schedule: issue pricing workbooks again",
        )
    return identity


def _check_locked(grid: list[list[Any]], name: str, rows: Sequence[PriceRow]) -> None:
    """The header and every locked cell as issued, and nothing below the last line."""
    problems: list[Problem] = []
    header = tuple(_text(v) for v in (grid[0] if grid else [])[: len(PRICING_HEADER)])
    if header != PRICING_HEADER:
        problems.append(
            Problem(
                name,
                f"{PRICING}!A1",
                f"headers {shorten(' | '.join(header))}",
                "headers " + " | ".join(PRICING_HEADER),
            )
        )
    for position, row in enumerate(rows):
        index = position + 1
        got = [_text(v) for v in (grid[index] if index < len(grid) else [])[:LOCKED_COLUMNS]]
        got += [""] * (LOCKED_COLUMNS - len(got))
        for column, (found, issued) in enumerate(zip(got, row.locked(), strict=True)):
            if found != issued:
                problems.append(
                    Problem(
                        name,
                        f"{PRICING}!{'ABCD'[column]}{index + 1}",
                        shorten(found) if found else "an empty cell",
                        f"{issued!r} as issued (rows must not be inserted, deleted or edited)",
                    )
                )
                break
    for index in range(len(rows) + 1, len(grid)):
        if any(_text(v).strip() for v in grid[index]):
            problems.append(
                Problem(
                    name,
                    f"{PRICING}!A{index + 1}",
                    "content below the last issued line",
                    f"nothing below row {len(rows) + 1}",
                )
            )
            break
    if problems:
        raise Refused(problems)


def _amount(values: list[Any], index: int, cell: str, problems: ProblemList) -> Decimal | None:
    """A money cell as an exact Decimal of what it shows; None when blank."""
    value = values[index] if index < len(values) else ""
    expected = (
        f"an amount of 0 or more (at most {MAX_WHOLE_DIGITS} digits before the point and "
        f"{MAX_DECIMALS} after), typed as a number, or blank"
    )
    if isinstance(value, str):
        if not value.strip():
            return None
        problems.add(cell, f"{shorten(value)} (text)", expected)
        return None
    if isinstance(value, bool) or not isinstance(value, float) or not math.isfinite(value):
        problems.add(cell, shorten(value), expected)
        return None
    text = repr(value)
    text = text[:-2] if text.endswith(".0") else text
    if not PLAIN.match(text):
        problems.add(cell, text, expected)
        return None
    return Decimal(text)
