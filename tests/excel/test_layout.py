"""Layout: rows issued, and the structure fingerprint that changes with any locked content."""

from __future__ import annotations

from pathlib import Path

from tender.excel import layout
from tender.inputs import load_tender


def test_rows_are_bidders_by_criteria_in_file_and_definition_order(reference: Path) -> None:
    tender = load_tender(reference)
    rows = layout.marking_rows(tender, [("B", "Beta"), ("A", "Alpha")])
    assert [(r.bidder_id, r.criterion_id) for r in rows] == [
        ("B", "Q1"), ("B", "Q2"), ("B", "Q3"), ("B", "Q4"),
        ("A", "Q1"), ("A", "Q2"), ("A", "Q3"), ("A", "Q4"),
    ]  # fmt: skip
    assert rows[0].locked() == (
        "B",
        "Beta",
        "Q1",
        "Performance measurement",
        tender.quality.criteria[0].guidance,
    )


def test_the_fingerprint_changes_with_any_locked_content(reference: Path) -> None:
    tender = load_tender(reference)
    base = layout.structure_fingerprint(tender, layout.marking_rows(tender, [("A", "Alpha")]))
    renamed = layout.structure_fingerprint(tender, layout.marking_rows(tender, [("A", "Alfa")]))
    assert len(base) == 64
    assert base != renamed
    assert base == layout.structure_fingerprint(
        tender, layout.marking_rows(tender, [("A", "Alpha")])
    )


def test_column_letters() -> None:
    assert [layout.column_letter(i) for i in (0, 5, 25, 26, 701, 702)] == [
        "A",
        "F",
        "Z",
        "AA",
        "ZZ",
        "AAA",
    ]
