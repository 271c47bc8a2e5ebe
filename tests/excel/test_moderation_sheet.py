"""The moderation workbook: side by side marks, spread, flag, median, and carried consensus."""

from __future__ import annotations

import io
import math
import zipfile
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string

from tender.excel import guard, layout
from tender.excel.guard import Refused
from tender.excel.moderation_sheet import (
    Consensus,
    header,
    moderation_structure,
    read_consensus,
    write_moderation,
)
from tender.excel.returns import open_sheets
from tender.excel.templates import scale_validation
from tender.inputs import load_tender
from tender.safety import TRIGGERS

NAN = math.nan


@pytest.fixture
def tender(reference: Any) -> Any:
    return load_tender(reference)


def rows() -> list[layout.Row]:
    return [
        layout.Row("A", "Alpha", "Q1", "Quality", ""),
        layout.Row("B", "=cmd|' /C calc'!A0", "Q1", "Quality", ""),
    ]


def sheet(data: bytes) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(io.BytesIO(data))["Moderation"].iter_rows(values_only=True))


def test_header_pairs_each_evaluators_mark_with_their_justification() -> None:
    assert header(["E1", "E2"]) == [
        "Bidder ID", "Bidder", "Criterion ID", "Criterion",
        "E1 mark", "E1 justification", "E2 mark", "E2 justification",
        "Spread", "Discuss?", "Median (starting point)", "Consensus mark", "Rationale",
        "Feedback to the bidder",
    ]  # fmt: skip


def test_spread_flag_and_median_are_computed_per_row(tender: Any) -> None:
    data = write_moderation(
        tender, rows(), ["E1", "E2", "E3"],
        [[4, 9], [5, 7], [4, 4]], [["a", "b"], ["c", "d"], ["e", ""]], threshold=3,
    )  # fmt: skip
    first, second = sheet(data)[1:]
    assert first[10:15] == (1, None, 4, None, None)  # spread 5-4, no flag, median of 4,5,4
    assert second[10:13] == (5, "DISCUSS", 7)
    assert second[9] is None  # E3 gave no justification for B


def test_a_missing_mark_is_left_out_of_spread_and_median(tender: Any) -> None:
    data = write_moderation(tender, rows()[:1], ["E1", "E2"], [[6], [NAN]], [["x"], [""]], 3)
    (row,) = sheet(data)[1:]
    assert (row[4], row[6], row[8], row[10]) == (6, None, 0, 6)


def test_text_from_outside_is_written_as_text_never_a_formula(tender: Any) -> None:
    data = write_moderation(tender, rows(), ["E1"], [[4, 5]], [["=1+1", "@SUM(A1)"]], 3)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml
    ws = openpyxl.load_workbook(io.BytesIO(data))["Moderation"]
    assert (ws["B3"].data_type, ws["B3"].value) == ("s", "=cmd|' /C calc'!A0")
    assert (ws["F2"].data_type, ws["F2"].value) == ("s", "=1+1")


def test_consensus_is_read_back_by_ids_and_carried_into_a_new_version(tender: Any) -> None:
    carried = {("B", "Q1"): Consensus(6, "Agreed", "x", "y")}
    data = write_moderation(tender, rows(), ["E1"], [[4, 5]], [["a", "b"]], 3, carried)
    found = read_consensus(data, "moderation.xlsx", tender, 100)
    assert found[("B", "Q1")] == Consensus(
        6.0, "Agreed", "Moderation!J3", "Moderation!K3", "", "Moderation!L3"
    )
    assert found[("A", "Q1")].value == ""


def test_a_workbook_that_is_not_a_moderation_workbook_is_refused(tender: Any, panel: Any) -> None:
    data = panel.issued["E1"].read_bytes()
    with pytest.raises(Refused) as caught:
        read_consensus(data, "E1.xlsx", tender, 100)
    assert str(caught.value).startswith(
        "E1.xlsx: sheets: found sheets 'Cover', 'Marking', 'Identity'"
    )


def column(ws: Any, letter: str) -> Any:
    """The column's dimensions, also where they are shared by a run of like columns."""
    index = column_index_from_string(letter)
    found = [d for d in ws.column_dimensions.values() if d.min <= index <= d.max]
    assert len(found) == 1, letter
    return found[0]


def workbook(tender: Any, **overrides: Any) -> bytes:
    """Two bidders, three evaluators; B's marks spread 5 apart (flagged), A's 1 apart."""
    args: dict[str, Any] = {
        "tender": tender,
        "rows": rows(),
        "evaluators": ["E1", "E2", "E3"],
        "marks": [[4, 9], [5, 7], [4, 4]],
        "justifications": [["a", "b"], ["c", "d"], ["e", "f"]],
        "threshold": 3,
    }
    return write_moderation(**(args | overrides))


def test_only_the_consensus_and_rationale_are_open_to_the_chair(tender: Any) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(workbook(tender)))["Moderation"]
    assert ws.protection.sheet
    # The chair may still filter, sort and resize; nothing else.
    protection = ws.protection
    assert (protection.autoFilter, protection.sort) == (False, False)
    assert (protection.formatColumns, protection.formatRows) == (False, False)
    assert (protection.formatCells, protection.insertRows, protection.deleteRows) == (True,) * 3
    for letter in "NO":  # consensus and rationale, after 3 evaluators' 6 columns
        assert column(ws, letter).protection.locked is False
        assert column(ws, letter).fill.fgColor.rgb.endswith("FFF2CC")
        for row in (2, 3):
            assert ws[f"{letter}{row}"].protection.locked is False
    for ref in ("A2", "B2", "E2", "F2", "K2", "L3", "M2", "N1", "O1"):
        assert ws[ref].protection.locked is not False


def test_the_consensus_is_validated_against_the_scale(tender: Any) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(workbook(tender)))["Moderation"]
    (rule,) = ws.data_validations.dataValidation
    assert (str(rule.sqref), rule.type) == ("N2:N3", "whole")
    assert rule.operator in (None, "between")  # "between" is the default, so may be left out
    assert (rule.formula1, rule.formula2) == ("0", "10")
    assert rule.allow_blank
    assert rule.showErrorMessage
    assert rule.error == "Enter a mark from 0 to 10 (whole marks)."


def test_the_sheet_is_set_up_for_reading_filtering_and_printing(tender: Any) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(workbook(tender)))["Moderation"]
    assert ws.freeze_panes == "E2"
    assert ws.auto_filter.ref == "A1:P3"  # the feedback to the bidder is the last column
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    # A4 at a legible scale, not squeezed onto one page: a wide panel runs across pages
    # with the bidder's id and name repeated
    assert str(ws.page_setup.paperSize) == "9"
    assert ws.page_setup.scale == 70
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_cols == "$A:$B"
    sizes = (9, 24, 9, 24, 7, 40, 7, 40, 7, 40, 9, 9, 11, 11, 45)
    widths = dict(zip("ABCDEFGHIJKLMNO", sizes, strict=True))
    wide = {"B", "D", "F", "H", "J", "O"}  # names, criteria, justifications, rationale
    for letter in "ABCDEFGHIJKLMNO":
        dimension = column(ws, letter)
        assert math.floor(dimension.width) == widths[letter], letter
        assert bool(dimension.alignment.wrap_text) == (letter in wide), letter
    # each row is as tall as its text, so nothing prints over the row below
    assert ws.row_dimensions[2].height >= 30
    assert ws["A1"].font.b
    assert ws["L3"].value == "DISCUSS"
    assert ws["L3"].font.b
    assert ws["L3"].fill.fgColor.rgb.endswith("F8CBAD")


def test_the_identity_sheet_is_very_hidden_and_protected(tender: Any) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(workbook(tender)))
    assert wb.sheetnames == ["Moderation", "Identity"]
    ws = wb["Identity"]
    assert ws.sheet_state == "veryHidden"
    assert ws.protection.sheet
    fields = dict(ws.iter_rows(values_only=True))
    assert fields == {
        "format": "tender-moderation-workbook",
        "layout_version": "1",
        "tender_reference": "MBC-PEST-2016",
        "structure": moderation_structure(rows(), ["E1", "E2", "E3"]),
    }


def test_the_same_inputs_give_the_same_bytes(tender: Any) -> None:
    first = workbook(tender)
    assert workbook(tender) == first
    core = zipfile.ZipFile(io.BytesIO(first)).read("docProps/core.xml")
    assert b"1980-01-01T00:00:00Z" in core
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {
        (1980, 1, 1, 0, 0, 0)
    }


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x","y")',
        "@SUM(A1)",
        "+1+1",
        "-2",
        "＝1+1",
        "\tindented",
        "line one\r\nline two",
        "a literal _x0041_ stays as typed",
    ],
)
def test_a_justification_that_looks_like_a_formula_is_text_and_reads_back_equal(
    tender: Any, text: str
) -> None:
    carried = {("A", "Q1"): Consensus(5, text, "x", "y")}
    data = workbook(tender, justifications=[[text, "b"], ["c", "d"], ["e", "f"]], carried=carried)
    archive = zipfile.ZipFile(io.BytesIO(data))
    for part in archive.namelist():
        if part.startswith("xl/worksheets/"):
            assert b"<f>" not in archive.read(part)
            assert b"<f " not in archive.read(part)
    ws = openpyxl.load_workbook(io.BytesIO(data))["Moderation"]
    assert (ws["F2"].data_type, ws["O2"].data_type) == ("s", "s")
    if text.startswith(TRIGGERS):
        assert ws["F2"].quotePrefix
        assert ws["O2"].quotePrefix
    assert read_consensus(data, "moderation.xlsx", tender, 100)[("A", "Q1")].rationale == (
        text.strip()
    )
    package = guard.vet(data, "moderation.xlsx", guard.Limits(max_columns=200))
    values = open_sheets(package, ["Moderation"])["Moderation"]
    assert values[1][5] == text


def test_carried_consensus_keeps_what_the_chair_typed_even_when_it_is_not_a_mark(
    tender: Any,
) -> None:
    """Moderate refuses anything but a mark on the scale; collect must not lose it first."""
    carried = {
        ("A", "Q1"): Consensus(7.5, "", "x", "y"),
        ("B", "Q1"): Consensus("=1+1", "", "x", "y"),
    }
    data = workbook(tender, carried=carried)
    found = read_consensus(data, "moderation.xlsx", tender, 100)
    assert (found[("A", "Q1")].value, found[("B", "Q1")].value) == (7.5, "=1+1")
    ws = openpyxl.load_workbook(io.BytesIO(data))["Moderation"]
    assert (ws["N3"].data_type, ws["N3"].quotePrefix, ws["N3"].protection.locked) == (
        "s",
        True,
        False,
    )


def test_a_justification_longer_than_a_cell_holds_is_cut_to_excels_limit(tender: Any) -> None:
    long = "x" * 40_000
    data = workbook(tender, justifications=[[long, "b"], ["c", "d"], ["e", "f"]])
    package = guard.vet(data, "moderation.xlsx", guard.Limits(max_columns=200))
    values = open_sheets(package, ["Moderation"])["Moderation"]
    assert values[1][5] == "x" * 32_767
    assert values[1][7] == "c"


def test_a_workbook_for_no_rows_still_has_its_header_and_identity(tender: Any) -> None:
    data = write_moderation(tender, [], ["E1"], [[]], [[]], 3)
    assert read_consensus(data, "moderation.xlsx", tender, 100) == {}
    assert sheet(data) == [tuple(header(["E1"]))]


@pytest.mark.parametrize(
    ("step", "maximum", "kind"), [(1, 10, "whole"), (0.5, 5, "list"), (0.25, 100, "decimal")]
)
def test_the_consensus_is_held_to_the_same_rule_as_the_marking_template(
    tender: Any, step: float, maximum: float, kind: str
) -> None:
    scale = tender.quality.scale.model_copy(update={"step": step, "maximum": maximum})
    changed = tender.model_copy(
        update={"quality": tender.quality.model_copy(update={"scale": scale})}
    )
    ws = openpyxl.load_workbook(io.BytesIO(workbook(changed)))["Moderation"]
    (rule,) = ws.data_validations.dataValidation
    template = scale_validation(scale, "N2:N3")
    assert (rule.type, rule.formula1, rule.formula2, rule.error) == (
        template.type,
        template.formula1,
        template.formula2,
        template.error,
    )
    assert rule.type == kind
