"""The scanned read of a sheet is the parsed read: the same values, the same refusals.

`cells` reads a sheet from its scanned tokens only when every row and cell is in a plain
shape and reads without a problem; anything else goes to the parser. So for any sheet,
reading with the scan and without it must give the same grid, or the same problems.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tender.excel import cells, guard, layout, sheet_scan
from tender.excel.returns import Expected, read_return
from tests.workbooks import parts, rebuild, with_shared_strings

MARKING = "xl/worksheets/sheet2.xml"


def outcome(data: bytes, *, scan: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The grids read from a workbook, or the problems it is refused with."""
    with monkeypatch.context() as patch:
        if not scan:
            patch.setattr(cells.sheet_scan, "scan", lambda xml: None)
        try:
            package = guard.vet(data, "E1.xlsx")
            return cells.read_sheets(package, layout.TEMPLATE_SHEETS)
        except guard.Refused as exc:
            return [str(p) for p in exc.problems]


def with_sheet(data: bytes, change: Any) -> bytes:
    return rebuild([(n, change(c) if n == MARKING else c) for n, c in parts(data)])


def test_a_plain_sheet_is_scanned_into_rows_and_cells() -> None:
    xml = (
        b'<worksheet xmlns="x"><sheetData><row r="1"><c r="A1" s="1" t="inlineStr"><is><t>'
        b'Tom &amp; Jo</t></is></c><c r="B1"><v>7</v></c></row></sheetData></worksheet>'
    )
    scanned = sheet_scan.scan(xml)
    assert scanned is not None
    assert scanned.skeleton == b'<worksheet xmlns="x"><sheetData/></worksheet>'
    row, first, second, end = scanned.tokens
    assert row[sheet_scan.ROW] == "1"
    assert first[sheet_scan.COLUMN : sheet_scan.COLUMN + 2] == ("A", "1")
    style, kind, empty, stored, inline_tag, inline = sheet_scan.cell_tail(first[2])
    assert (style, kind, empty, stored, inline_tag) == ("1", "inlineStr", "", "", "<is>")
    assert sheet_scan.unescaped(inline) == "Tom & Jo"
    assert sheet_scan.cell_tail(second[2])[3] == "7"
    assert end[sheet_scan.END] == "</row>"


def test_a_rows_height_is_read_from_its_tail() -> None:
    assert sheet_scan.row_tail(' spans="1:7" ht="48" customHeight="1"') == ("48", "1")
    assert sheet_scan.row_tail("") == (None, None)


@pytest.mark.parametrize(
    "xml",
    [
        b"<worksheet><sheetData/></worksheet>",  # no rows to scan
        b"<worksheet><sheetData><row r='1'></row></sheetData></worksheet>",
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>\xff</v></c></row></sheetData></worksheet>',
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>\x07</v></c></row></sheetData></worksheet>',
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>]]></v></c></row></sheetData></worksheet>',
    ],
)
def test_a_sheet_a_scan_cannot_read_exactly_is_left_to_the_parser(xml: bytes) -> None:
    scanned = sheet_scan.scan(xml)
    assert scanned is None or any(t[sheet_scan.OTHER] for t in scanned.tokens)


def test_a_filled_return_is_read_from_the_scan(
    filled: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    parse = cells._Reader._parse

    def spy(self: Any, part: str) -> Any:
        parsed.append(part)
        return parse(self, part)

    monkeypatch.setattr(cells._Reader, "_parse", spy)
    grids = outcome(filled, scan=True, monkeypatch=monkeypatch)
    assert grids[layout.MARKING][1][layout.MARK_INDEX] == 4
    assert MARKING not in parsed


EDITS = [
    # each once read differently, or a shape the scan must leave to the parser
    (rb'<c r="F2"([^>]*)><v>4</v>', rb'<c r="F2"\1><f>4+5</f><v>9</v>'),
    (rb'<c r="F2"', rb'<c r="F3"'),  # a cell filed under another row
    (rb'<row r="3"', rb'<row r="2"'),  # a row stored twice
    (rb'<row r="2"', rb'<row r="2" hidden="1"'),
    (rb'<row r="2"', rb'<row r="2" ht="0" customHeight="1"'),
    (rb"</row><row", rb"</row> x <row"),
    (rb"<t>Bidder</t>", rb"<t>Bid&amp;der _x0041_</t>"),
    (rb"<t>Bidder</t>", rb"<t>Bid&#65;der</t>"),
    (rb"<t>Bidder</t>", rb"<t>Bid\rder</t>"),
    (rb"<t>Bidder</t>", rb'<t xml:space="preserve"> Bidder </t>'),
    (rb"<t>Bidder</t>", rb"<r><t>Bid</t></r><r><t>der</t></r>"),
    (rb'(<c r="F2"[^>]*) t="n"', rb'\1 t="s"'),
    (rb'(<c r="F2"[^>]*) t="n"', rb'\1 t="inlineStr"'),
    (rb'(<c r="F2") s="\d+"', rb'\1 s="999"'),
    (rb'(<c r="A2") s="\d+"', rb'\1 s="0"'),
    (rb"<sheetData>", rb"<sheetData/><sheetData>"),
    (rb"</sheetData>", rb"</sheetData><sheetData></sheetData>"),
    (rb"<cols>", rb"<cols><col min='6' max='6' hidden='1'/>"),
    (rb"<worksheet ", rb"<worksheet><x></y>"),
    (rb'<c r="B2".*?</c>', b""),  # a gap along a row
    (rb'<c r="G3".*?</c>', rb'<c r="H3"><v>1</v></c>'),  # a row wider than the others
    (rb'(<c r="G2".*?</c>)', rb'\1<c r="H2" s="1"/>'),  # an empty cell past the widest value
    # what the guard refuses, read from the scanned tokens or from the whole sheet
    (rb'<c r="G2"', rb'<c r="AZ2"'),  # a cell far to the right
    (rb'(<c r="G2".*?</c>)', rb'\1<c r="ZZZ2"/>'),  # an empty one
    (
        rb'<row r="[0-9]+"(?:(?!<row ).)*</sheetData>',
        rb'<row r="99999"><c r="A99999"><v>1</v></c></row></sheetData>',
    ),  # a row far below
    (rb"</sheetData>", rb"</sheetData><extLst><f>1+1</f></extLst>"),  # a formula after the rows
    (rb"</sheetData>", rb'</sheetData><c r="A1"><v>1</v></c>'),  # a cell after the rows
    (rb"</sheetData>", rb'</sheetData><row r="90000"/>'),  # a row after the rows
    (rb"</sheetData>", rb'</sheetData><x:c r="A1" xmlns:x="y"/>'),  # a prefixed cell
    (rb"<sheetData>", rb'<dimension ref="A1:XFD1048576"/><sheetData>'),  # a second used range
    # the last row's last cell empty; the last row moved down, a gap of rows before it
    (rb'<c r="(G[0-9]+)"(?:(?!<c ).)*</row></sheetData>', rb'<c r="\1" s="1"/></row></sheetData>'),
    (
        rb'<row r="[0-9]+"(?:(?!<row ).)*</sheetData>',
        rb'<row r="999"><c r="B999"><v>1</v></c></row></sheetData>',
    ),
]


@pytest.mark.parametrize(("pattern", "replacement"), EDITS)
def test_an_edited_sheet_reads_the_same_with_or_without_the_scan(
    filled: bytes, monkeypatch: pytest.MonkeyPatch, pattern: bytes, replacement: bytes
) -> None:
    assert re.search(pattern, dict(parts(filled))[MARKING])
    data = with_sheet(filled, lambda xml: re.sub(pattern, replacement, xml, count=1))
    assert data != filled
    assert outcome(data, scan=True, monkeypatch=monkeypatch) == outcome(
        data, scan=False, monkeypatch=monkeypatch
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    at=st.floats(min_value=0, max_value=1),
    cut=st.integers(min_value=0, max_value=12),
    insert=st.sampled_from(
        [
            b"",
            b"<",
            b">",
            b"&",
            b"&amp;",
            b'"',
            b"</c>",
            b"</row>",
            b"<v>1</v>",
            b" ",
            b"\n",
            b'<c r="A2"/>',
            b'<row r="9">',
            b"\xc3",
            b"_x0007_",
        ]
    ),
)
def test_a_damaged_sheet_reads_the_same_with_or_without_the_scan(
    filled: bytes, monkeypatch: pytest.MonkeyPatch, at: float, cut: int, insert: bytes
) -> None:
    def damage(xml: bytes) -> bytes:
        start = xml.index(b"<sheetData>")
        end = xml.index(b"</sheetData>") + len(b"</sheetData>")
        where = start + int(at * (end - start))
        return xml[:where] + insert + xml[where + cut :]

    data = with_sheet(filled, damage)
    assert outcome(data, scan=True, monkeypatch=monkeypatch) == outcome(
        data, scan=False, monkeypatch=monkeypatch
    )


FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|\]\]>")  # XML 1.0 Char


@settings(max_examples=300, deadline=None)
@given(
    body=st.lists(
        st.sampled_from([b"a", b"]", b">", b"\xef", b"\xbf", b"\xbe", b"\t", b"\n", b"\r"])
        | st.binary(min_size=1, max_size=3),
        max_size=12,
    ).map(b"".join)
)
def test_a_sheet_with_a_character_xml_forbids_is_left_to_the_parser(body: bytes) -> None:
    xml = b"<worksheet><sheetData>" + body + b"</sheetData></worksheet>"
    forbidden = FORBIDDEN.search(body) is not None
    assert sheet_scan._only_characters(body) is not forbidden
    if forbidden:
        assert sheet_scan.scan(xml) is None


def test_each_byte_is_allowed_in_a_scanned_text_exactly_when_xml_allows_it() -> None:
    allowed = [b for b in range(256) if sheet_scan._only_characters(b"x" + bytes([b]) + b"x")]
    assert allowed == [9, 10, 13, *range(0x20, 0x100)]


def placed(body: bytes) -> sheet_scan.Placed | None:
    scanned = sheet_scan.scan(b"<worksheet><sheetData>" + body + b"</sheetData></worksheet>")
    assert scanned is not None
    return sheet_scan.placed(scanned)


def test_scanned_rows_and_cells_are_placed_in_bulk() -> None:
    rows = placed(
        b'<row r="2" ht="20"><c r="A2"><v>1</v></c><c r="C2" s="1"/></row>'
        b'<row r="5"></row><row r="7"><c r="AB7"><v>2</v></c></row>'
    )
    assert rows == sheet_scan.Placed(
        numbers=[2, 5, 7],
        row_tails=[' ht="20"', "", ""],
        counts=[2, 0, 1],
        letters=["A", "C", "AB"],
        columns=[0, 2, 27],
        tails=["><v>1</v></c>", ' s="1"/>', "><v>2</v></c>"],
    )


@pytest.mark.parametrize(
    "body",
    [
        b'<c r="A1"><v>1</v></c><row r="1"></row>',  # a cell before any row
        b'<row r="1"></row><c r="A1"><v>1</v></c>',  # a cell between rows
        b'<row r="1"><c r="A2"><v>1</v></c></row>',  # filed under another row
        b'<row r="1"><row r="2"></row></row>',  # a row inside a row
        b'<row r="1"></row></row>',  # an end outside a row
        b'<row r="1">',  # a row not ended
        b'<row r="2"></row><row r="2"></row>',  # a row twice
        b'<row r="3"></row><row r="2"></row>',  # rows falling
        b'<row r="1"><c r="B1"/><c r="A1"/></row>',  # cells falling along a row
        b'<row r="1"><c r="B1"/><c r="B1"/></row>',  # a cell twice
        b'<row r="1"> </row>',  # a character no token covers
    ],
)
def test_a_token_out_of_place_leaves_the_sheet_to_the_parser(body: bytes) -> None:
    assert placed(body) is None


def test_the_guard_counts_and_bounds_a_scanned_sheet_as_it_scans_the_whole_of_it(
    filled: bytes,
) -> None:
    package = guard.vet(filled, "E1.xlsx")
    part = package.sheets[layout.MARKING]
    rows = guard._scanned_rows(package.scans[part])
    assert rows is not None
    xml = package.parts[part]
    assert len(rows.letters) == len(re.findall(rb"<c[\s>/]", xml))
    assert rows.numbers == [int(r) for r in re.findall(rb'<row r="([0-9]+)"', xml)]
    assert max(rows.columns) == layout.MARKING_HEADER.index("Justification")


def test_a_return_saved_with_shared_strings_reads_as_with_inline_ones(
    filled: bytes, expected: Expected, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Excel and LibreOffice store a sheet's texts once, in xl/sharedStrings.xml
    shared = with_shared_strings(filled)
    assert b' t="s"><v>' in dict(parts(shared))[MARKING]
    inline, read = (
        read_return(filled, "E1.xlsx", expected),
        read_return(shared, "E1.xlsx", expected),
    )
    assert (read.marks, read.justifications) == (inline.marks, inline.justifications)
    assert outcome(shared, scan=True, monkeypatch=monkeypatch) == outcome(
        shared, scan=False, monkeypatch=monkeypatch
    )


@pytest.mark.parametrize(
    ("pattern", "replacement"),
    [
        (rb'(<c r="G2" s=")[0-9]+(" t="s">)', rb"\g<1>0\2"),  # another style
        (rb'(<c r="G2" s=")[0-9]+(" t="s">)', rb"\g<1>999\2"),  # a style that is not there
        (rb'(<c r="G2"[^>]*><v>)[0-9]+', rb"\g<1>99999"),  # a text that is not there
        (rb'(<c r="G2"[^>]*><v>)[0-9]+', rb"\g<1>+1"),  # an index not as Excel writes it
        (rb'(<c r="G2"[^>]*) t="s"', rb'\1 t="n"'),  # the index as a number
    ],
)
def test_an_edited_shared_string_reads_the_same_with_or_without_the_scan(
    filled: bytes, monkeypatch: pytest.MonkeyPatch, pattern: bytes, replacement: bytes
) -> None:
    shared = with_shared_strings(filled)
    assert re.search(pattern, dict(parts(shared))[MARKING])
    data = with_sheet(shared, lambda xml: re.sub(pattern, replacement, xml, count=1))
    assert outcome(data, scan=True, monkeypatch=monkeypatch) == outcome(
        data, scan=False, monkeypatch=monkeypatch
    )
