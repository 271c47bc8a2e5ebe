"""The pricing workbook's layout: its rows, its fingerprint and the rules its cover states."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tender.excel.price_templates import price_rows, price_structure, rules_text
from tender.inputs import load_tender
from tender.model import Schedule

ROOT = Path(__file__).resolve().parents[2]


def example() -> tuple[object, Schedule]:
    tender = load_tender(ROOT / "criteria" / "office-cleaning-2026.yaml")
    assert isinstance(tender.price.model, Schedule)
    return tender, tender.price.model


def test_each_row_s_quantity_is_volume_times_years() -> None:
    _, spec = example()
    rows = price_rows(spec)
    assert [(r.line_id, r.quantity) for r in rows] == [
        ("L1", Decimal(750)),
        ("L2", Decimal(36)),
        ("L3", Decimal(156)),
        ("L4", Decimal(120)),
    ]
    assert rows[2].locked() == ("L3", "Washroom deep clean", "visit", "156")


def test_the_fingerprint_changes_with_the_schedule() -> None:
    tender, spec = example()
    rows = price_rows(spec)
    longer = price_rows(spec.model_copy(update={"years": 4}))
    assert price_structure(tender, rows) == price_structure(tender, list(rows))  # type: ignore[arg-type]
    assert price_structure(tender, rows) != price_structure(tender, longer)  # type: ignore[arg-type]


def test_the_cover_states_the_tender_s_rules() -> None:
    _, spec = example()
    arithmetic, missing = rules_text(spec)
    assert arithmetic.startswith("The rate prevails")
    assert missing == (
        "A line without a rate is priced at the highest rate offered for it by the other "
        "compliant bids."
    )
    stated = spec.model_copy(update={"missing_line": spec.missing_line.model_copy(
        update={"rule": "stated", "rate": Decimal("12.50")})})  # fmt: skip
    assert rules_text(stated)[1] == "A line without a rate is priced at 12.50."
