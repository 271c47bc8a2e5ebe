"""A sheet's default column width and row height apply to every column and row without
one of its own: a mark column whose <col> was removed under a default too narrow to show a
digit, or a mark row without a height under a default height of zero, shows nothing of the
mark, and must be refused naming the cell."""

from __future__ import annotations

import re

import pytest

from tender.excel.returns import Expected
from tests.workbooks import parts, rebuild, refusals

MARKING = "xl/worksheets/sheet2.xml"


def edited(data: bytes, *changes: tuple[bytes, bytes]) -> bytes:
    def change(xml: bytes) -> bytes:
        for pattern, replacement in changes:
            xml, count = re.subn(pattern, replacement, xml, count=1)
            assert count == 1, pattern
        return xml

    return rebuild([(n, change(c) if n == MARKING else c) for n, c in parts(data)])


problems = refusals


NO_COL_F = (rb'<col [^>]*min="6" max="6"/>', b"")
NO_HEIGHT_2 = (rb'<row r="2" ht="48" customHeight="1"', b'<row r="2"')

HIDING = {
    "default column width 0": [
        NO_COL_F,
        (rb"<sheetFormatPr ", b'<sheetFormatPr defaultColWidth="0" '),
    ],
    "default column width 1": [
        NO_COL_F,
        (rb"<sheetFormatPr ", b'<sheetFormatPr defaultColWidth="1" '),
    ],
    "base column width 0": [NO_COL_F, (rb'baseColWidth="8"', b'baseColWidth="0"')],
    "default row height 0": [NO_HEIGHT_2, (rb'defaultRowHeight="15"', b'defaultRowHeight="0"')],
}


@pytest.mark.parametrize("how", list(HIDING))
def test_a_mark_under_a_default_size_that_hides_it_is_refused(
    filled: bytes, expected: Expected, how: str
) -> None:
    found = problems(edited(filled, *HIDING[how]), expected)
    assert any(m.startswith("E1.xlsx: Marking!F2: ") for m in found), found


SHOWING = {
    "no col, the default width": [NO_COL_F],
    "no height, the default height": [NO_HEIGHT_2],
    "a wide default": [NO_COL_F, (rb"<sheetFormatPr ", b'<sheetFormatPr defaultColWidth="9" ')],
}


@pytest.mark.parametrize("how", list(SHOWING))
def test_a_mark_under_a_default_size_that_shows_it_is_read(
    filled: bytes, expected: Expected, how: str
) -> None:
    assert problems(edited(filled, *SHOWING[how]), expected) == []
