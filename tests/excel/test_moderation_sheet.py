"""The moderation workbook: side by side marks, spread, flag, median, and carried consensus."""

from __future__ import annotations

import io
import math
import zipfile
from typing import Any

import openpyxl
import pytest

from tender.excel import layout
from tender.excel.guard import Refused
from tender.excel.moderation_sheet import Consensus, header, read_consensus, write_moderation
from tender.inputs import load_tender

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
    assert found[("B", "Q1")] == Consensus(6.0, "Agreed", "Moderation!J3", "Moderation!K3")
    assert found[("A", "Q1")].value == ""


def test_a_workbook_that_is_not_a_moderation_workbook_is_refused(tender: Any, panel: Any) -> None:
    data = panel.issued["E1"].read_bytes()
    with pytest.raises(Refused) as caught:
        read_consensus(data, "E1.xlsx", tender, 100)
    assert str(caught.value).startswith(
        "E1.xlsx: sheets: found sheets 'Cover', 'Marking', 'Identity'"
    )
