"""Reading returned templates: each way a return can be wrong is named by file, sheet and cell."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tender.excel.returns import Expected, Refused, read_return
from tender.inputs import load_tender
from tender.panel import panel_files
from tender.workflows.collect import expected_returns
from tender.workflows.templates import issue_templates

SCALE = "a mark from 0 to 10 (whole marks)"


def problems(path: Path, expected: Expected) -> list[str]:
    with pytest.raises(Refused) as caught:
        read_return(path.read_bytes(), path.name, expected)
    return [str(p) for p in caught.value.problems]


def set_cell(sheet: str, cell: str, value: Any) -> Any:
    def edit(wb: Any) -> None:
        wb[sheet][cell] = value

    return edit


def test_a_complete_return_gives_the_evaluators_marks_in_row_order(
    panel: Any, expected: Expected
) -> None:
    path = panel.fill("E3")
    ret = read_return(path.read_bytes(), path.name, expected)
    assert ret.evaluator_id == "E3"
    assert ret.issue == 1
    assert len(ret.marks) == 24
    want = [panel.marks[("E3", r.bidder_id, r.criterion_id)] for r in expected.rows]
    assert ret.marks == want
    assert ret.justifications[0] == "E3: evidence for A/Q1 in the bid"
    assert ret.declaration["conflict"] == "No"


@pytest.mark.parametrize(
    ("value", "found"),
    [
        (11, "found 11"),
        (7.5, "found 7.5"),
        (-1, "found -1"),
        ("seven", "found 'seven' (text)"),
        ("7", "found '7' (text)"),
        (True, "found TRUE (a true/false value)"),
    ],
)
def test_a_mark_off_the_scale_or_not_a_number_names_the_cell(
    panel: Any, expected: Expected, value: Any, found: str
) -> None:
    path = panel.fill("E2", edit=set_cell("Marking", "F14", value))
    assert problems(path, expected) == [f"E2.xlsx: Marking!F14: {found}; expected {SCALE}"]


def test_a_date_in_a_mark_cell_is_not_a_mark(panel: Any, expected: Expected) -> None:
    import datetime

    path = panel.fill("E2", edit=set_cell("Marking", "F3", datetime.date(2016, 5, 10)))
    (message,) = problems(path, expected)
    assert message.startswith("E2.xlsx: Marking!F3: found a date or time (2016-05-10")


def test_a_formula_in_a_mark_cell_is_refused_not_its_value(panel: Any, expected: Expected) -> None:
    path = panel.fill("E1", edit=set_cell("Marking", "F5", "=3+4"))
    assert problems(path, expected) == [
        "E1.xlsx: Marking!F5: found a formula; expected a value typed in (formulas are not read)"
    ]


def test_a_missing_mark_and_a_missing_justification(panel: Any, expected: Expected) -> None:
    def edit(wb: Any) -> None:
        wb["Marking"]["F7"] = None
        wb["Marking"]["G9"] = "   "  # row 9 is bidder B, Q4, which E1 marked 6 (marks.csv)

    path = panel.fill("E1", edit=edit)
    assert problems(path, expected) == [
        "E1.xlsx: Marking!G9: found mark 6 with no justification; expected a justification by "
        "reference to the bid",
        f"E1.xlsx: Marking!F7: found no mark; expected {SCALE}",
    ]


def test_a_justification_is_optional_when_the_tender_says_so(panel: Any) -> None:
    text = panel.reference.read_text().replace(
        "require_justification: true", "require_justification: false"
    )
    panel.reference.write_text(text)
    tender = load_tender(panel.reference)
    expected = expected_returns(tender, panel_files(tender))
    path = panel.fill("E1", edit=set_cell("Marking", "G9", None))
    assert read_return(path.read_bytes(), path.name, expected).justifications[7] == ""


def test_a_blank_template_has_no_marks_rather_than_zeros(panel: Any, expected: Expected) -> None:
    def clear(wb: Any) -> None:
        for row in range(2, 26):
            wb["Marking"].cell(row, 6).value = None

    path = panel.fill("E1", edit=clear)
    assert problems(path, expected) == [
        "E1.xlsx: Marking: found no marks at all (a blank template); expected a mark in every row"
    ]


def test_a_deleted_row_names_the_first_cell_that_moved(panel: Any, expected: Expected) -> None:
    path = panel.fill("E2", edit=lambda wb: wb["Marking"].delete_rows(14))
    found = problems(path, expected)
    assert found[0] == (
        "E2.xlsx: Marking!C14: found 'Q2'; expected 'Q1' as issued (rows must not be inserted, "
        "deleted, moved or edited)"
    )


def test_a_renamed_bidder_is_an_edit_of_locked_content(panel: Any, expected: Expected) -> None:
    path = panel.fill("E2", edit=set_cell("Marking", "B6", "Someone Else Ltd"))
    assert problems(path, expected) == [
        "E2.xlsx: Marking!B6: found 'Someone Else Ltd'; expected 'Company B' as issued (rows must "
        "not be inserted, deleted, moved or edited)"
    ]


def test_a_renamed_sheet_is_refused(panel: Any, expected: Expected) -> None:
    def rename(wb: Any) -> None:
        wb["Marking"].title = "Marks"

    path = panel.fill("E1", edit=rename)
    assert problems(path, expected) == [
        "E1.xlsx: sheets: found sheets 'Cover', 'Marks', 'Identity'; expected the sheets as "
        "issued: 'Cover', 'Marking', 'Identity' (sheets must not be renamed, added or deleted)"
    ]


def test_merged_cells_over_the_marks_are_refused(panel: Any, expected: Expected) -> None:
    path = panel.fill("E1", edit=lambda wb: wb["Marking"].merge_cells("F2:G3"))
    assert problems(path, expected) == [
        "E1.xlsx: Marking!F2:G3: found merged cells; expected cells as issued, unmerged"
    ]


def test_a_workbook_from_another_tender_is_refused(
    panel: Any, expected: Expected, tmp_path: Path
) -> None:
    other = panel.project / "criteria" / "other.yaml"
    other.write_text(panel.reference.read_text().replace("MBC-PEST-2016", "SBC-WASTE-2017"))
    issued = issue_templates(load_tender(other), out=tmp_path / "other")
    path = panel.fill("E1", "other-E1.xlsx", template=issued[0].path)
    assert problems(path, expected) == [
        "other-E1.xlsx: Identity sheet: found a template for tender 'SBC-WASTE-2017'; expected a "
        "template for this tender, 'MBC-PEST-2016'"
    ]


def test_another_evaluators_template_signed_by_someone_else(panel: Any, expected: Expected) -> None:
    path = panel.fill("E1", signed="Martyn Jeynes")
    assert problems(path, expected) == [
        "E1.xlsx: Cover!B9: found 'Martyn Jeynes'; expected the name of evaluator E1, 'Alister "
        "Andrews' (is this another evaluator's template?)"
    ]


def test_a_forged_evaluator_id_breaks_the_seal(panel: Any, expected: Expected) -> None:
    def forge(wb: Any) -> None:
        ws = wb["Identity"]
        row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "evaluator_id")
        ws.cell(row, 2).value = "E2"

    path = panel.fill("E1", signed="Martyn Jeynes", edit=forge)
    assert problems(path, expected) == [
        "E1.xlsx: Identity sheet: found an identity that does not match its seal (edited, or "
        "issued from another copy of this tender); expected the identity exactly as issued"
    ]


def test_a_declared_conflict_stops_the_marks_until_the_chair_decides(
    panel: Any, expected: Expected
) -> None:
    path = panel.fill("E3", conflict="Yes", edit=set_cell("Cover", "B12", "Brother works at D"))
    assert problems(path, expected) == [
        "E3.xlsx: Cover!B11: found a declared conflict of interest ('Brother works at D'); "
        "expected No; the chair must decide on a declared conflict before these marks are used "
        "(record it in data.conflict_decisions)"
    ]


def test_an_incomplete_declaration_names_each_cell(panel: Any, expected: Expected) -> None:
    def blank(wb: Any) -> None:
        wb["Cover"]["B10"] = None
        wb["Cover"]["B11"] = "maybe"

    path = panel.fill("E3", signed="", edit=blank)
    assert problems(path, expected) == [
        "E3.xlsx: Cover!B9: found no name; expected the evaluator's full name, signing the "
        "declaration",
        "E3.xlsx: Cover!B10: found no date; expected the date of the declaration",
        "E3.xlsx: Cover!B11: found 'maybe'; expected No or Yes",
    ]


def test_a_template_for_an_old_bid_list_must_be_reissued(panel: Any) -> None:
    path = panel.fill("E1")
    bids = panel.project / "bids" / "pest-control-2016" / "bids.csv"
    bids.write_text(bids.read_text().replace("Company E", "Company E Ltd"))
    tender = load_tender(panel.reference)
    expected = expected_returns(tender, panel_files(tender))
    assert problems(path, expected) == [
        "E1.xlsx: Identity sheet: found a template issued for other bids or criteria (issue 1); "
        "expected a template for the current bids and criteria: issue templates again"
    ]


def test_a_file_that_is_not_a_workbook(panel: Any, expected: Expected) -> None:
    path = panel.returned / "E2.xlsx"
    path.write_text("Hi, marks are in the body of this email. Regards")
    assert problems(path, expected) == [
        "E2.xlsx: found a file that is not an Excel workbook; expected an Excel Workbook (.xlsx): "
        "open it and use File > Save As > Excel Workbook"
    ]


def test_a_return_is_never_modified_by_reading(panel: Any, expected: Expected) -> None:
    path = panel.fill("E2", edit=set_cell("Marking", "F14", 11))
    before = path.read_bytes(), path.stat().st_mtime_ns
    problems(path, expected)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(st.data())
def test_any_damage_to_a_return_is_a_refusal_never_a_crash(
    panel: Any, expected: Expected, data: Any
) -> None:
    good = panel.returned / "E1.xlsx"
    if not good.exists():
        panel.fill("E1")
    damaged = bytearray(good.read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    reasons: list[object] = []
    try:
        ret = read_return(bytes(damaged), "E1.xlsx", expected)
        reasons = ["read"] if all(math.isnan(m) or 0 <= m <= 10 for m in ret.marks) else []
    except Refused as exc:
        reasons = list(exc.problems)
    assert reasons


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=15)
@given(st.lists(st.integers(0, 10), min_size=24, max_size=24))
def test_any_marks_on_the_scale_read_back_exactly(
    panel: Any, expected: Expected, marks: list[int]
) -> None:
    def enter(wb: Any) -> None:
        for row, mark in enumerate(marks, start=2):
            wb["Marking"].cell(row, 6).value = mark

    path = panel.fill("E2", "E2-random.xlsx", edit=enter)
    ret = read_return(path.read_bytes(), path.name, expected)
    assert ret.marks == [float(m) for m in marks]
