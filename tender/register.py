"""The contracts register row: the Local Government Transparency Code 2015's columns.

Councils publish every contract over £5,000 with these facts each quarter. The row is built
from the same publication facts as the OCDS package, so the two never disagree. A fact the
definition does not give is written as `[NOT SET: key]`, as the report does, rather than
refusing: the register is a spreadsheet the transparency officer completes and checks before
it is published (the VAT or the review date often come from finance later), and a visible
gap cannot be mistaken for a value. Text that could become a formula is neutralised. Pure.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .publication import Published
from .safety import csv_cell

COLUMNS = (
    "Reference number",
    "Title",
    "Department",
    "Description",
    "Supplier name",
    "Supplier details",
    "Supplier registration number",
    "Total value",
    "Value basis",
    "VAT not recoverable",
    "Start date",
    "End date",
    "Review date",
    "Procedure",
    "SME",
    "VCSE",
)
PROCEDURES = {
    "published_tender": "Published invitation to tender",
    "invitation_to_quote": "Invitation to quote",
}
VALUE_BASIS = {
    "awarded bid": "the awarded bid's price",
    "estimate": "the contract's estimated whole-life value",
    "lot estimate": "the lot's estimated whole-life value",
}


@dataclass(frozen=True)
class Row:
    """One register row: each column's text, the keys left unset, and of those the bids
    file's columns (`sme`, `address`, ...): a fact about the bidder, whatever its lot."""

    values: tuple[str, ...]
    not_set: tuple[str, ...]
    unset_columns: tuple[str, ...] = ()


def not_set(key: str) -> str:
    """The visible mark of a fact the definition or the bids file does not give."""
    return f"[NOT SET: {key}]"


def register_row(facts: Published) -> Row:
    """The awarded contract's row, in COLUMNS order; for a lot, the lot's contract
    (reference `<reference> lot <id>`, the lot's title)."""
    tender = facts.tender
    pub = tender.publication
    supplier = facts.supplier
    reference = tender.tender.reference
    if facts.lot is not None:
        reference = f"{reference} lot {facts.lot.lot_id}"
    gaps: list[str] = []
    bids = facts.bids_name

    columns: list[str] = []

    def given(value: str | None, key: str) -> str:
        if value is None:
            gaps.append(key)
            return not_set(key)
        return value

    def from_bids(value: str | None, column: str) -> str:
        if value is None:
            columns.append(column)
        return given(value, f"{bids} {column}")

    registration = (
        f"{supplier.scheme} {supplier.identifier}"
        if supplier.scheme and supplier.identifier
        else None
    )
    values = (
        reference,
        tender.tender.title,
        given(pub.department, "publication.department"),
        given(pub.description, "publication.description"),
        supplier.name,
        from_bids(supplier.address, "address"),
        from_bids(registration, "identifier_id"),
        given(_money(facts.award_value), facts.value_key),
        VALUE_BASIS[facts.value_from],
        given(_money(pub.vat_not_recoverable), "publication.vat_not_recoverable"),
        given(_day(facts.contract_start), "contract.start"),
        given(_day(facts.contract_end), "contract.initial_years"),
        given(_day(pub.review_date), "publication.review_date"),
        given(PROCEDURES.get(pub.procedure or ""), "publication.procedure"),
        from_bids(_yes_no(supplier.sme), "sme"),
        from_bids(_yes_no(supplier.vcse), "vcse"),
    )
    return Row(values, tuple(gaps), tuple(columns))


def register_csv(*contracts: Published) -> bytes:
    """contracts-register.csv: the header and a row per awarded contract (one per awarded
    lot of a procurement divided into lots), UTF-8, "\\n"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for facts in contracts:
        if facts.awarded is not None:
            writer.writerow([csv_cell(v) for v in register_row(facts).values])
    return buffer.getvalue().encode("utf-8")


def _money(amount: Decimal | None) -> str | None:
    """Plain digits for a spreadsheet: 135000 or 1234.50 (no symbol, no separators)."""
    if amount is None:
        return None
    if amount == amount.to_integral_value():
        return str(amount.quantize(Decimal(1)))
    return str(amount.quantize(Decimal("0.01")))


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _yes_no(flag: bool | None) -> str | None:
    return None if flag is None else ("Yes" if flag else "No")
