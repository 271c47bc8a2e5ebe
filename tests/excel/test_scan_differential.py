"""Cells built from every shape class the scan and the parser meet read the same, and read
only what the cell displays.

Each example writes one generated cell into F2 of a real filled return: a type (s, n, b, e,
str, inlineStr, d, none), a stored text (exponent, leading zero, '+', spaces, CR/LF,
entities and character references), a style whose number format shows the value, rounds
it, replaces it with literal text, hides it or makes it a date, extra attributes
(x14ac:dyDescent, a repeated one), attribute order, a namespace prefix, and a formula with
a cached value. The scanned read and the parsed read must agree exactly; and a number read
from the cell must be what its format displays, worked out here by hand per format.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tender.excel import cells, guard, layout
from tests.workbooks import parts, rebuild

MARKING = "xl/worksheets/sheet2.xml"
STYLES = "xl/styles.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# format code → what it displays for a number, by hand (None: not the number's digits)
FORMATS: dict[str, Any] = {
    "General": lambda d: d,
    "0": lambda d: d.quantize(Decimal(1)),
    "0.0": lambda d: d.quantize(Decimal("0.1")),
    "0.00": lambda d: d.quantize(Decimal("0.01")),
    "@": lambda d: d,
    "&quot;4&quot;": lambda d: None,  # literal text 4
    ";;;": lambda d: None,  # shows nothing
    "d-mmm-yy": lambda d: None,  # a date
    "0;-0;&quot;-&quot;": lambda d: d if d != 0 else None,  # zero shown as a dash
    "#": lambda d: d if d != 0 else None,  # zero shown as nothing
    "0%": lambda d: None,  # a hundred times the value
}
CODES = list(FORMATS)
STORED = ["4", "3.6", "04", "4.0", "4e0", "1E1", "+4", " 4", "4 ", "4\n", "4\r\n", "0",
          "-1", "4.25", "&#52;", "&#x34;", "4&amp;", "", "0x4", "١", "4_0", "inf", "nan",
          "1e400"]  # fmt: skip
FORMULA = re.compile(rb"<(?:x:)?f[ />]")


def with_formats(data: bytes) -> tuple[bytes, int]:
    """The return with one cell style per code in FORMATS; the first new style's index."""
    first = [0]

    def change(xml: bytes) -> bytes:
        first[0] = len(re.findall(rb"<xf ", xml[xml.find(b"<cellXfs") :]))
        custom = b"".join(
            b'<numFmt numFmtId="%d" formatCode="%s"/>' % (164 + i, c.encode())
            for i, c in enumerate(CODES)
        )
        xfs = b"".join(
            b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0"/>' % (164 + i)
            for i in range(len(CODES))
        )
        xml = xml.replace(b'<numFmts count="0"/>', b'<numFmts count="%d">%s</numFmts>' % (
            len(CODES), custom))  # fmt: skip
        return xml.replace(b"</cellXfs>", xfs + b"</cellXfs>")

    entries = [(n, change(c) if n == STYLES else c) for n, c in parts(data)]
    return rebuild(entries), first[0]


@st.composite
def cell_xml(draw: st.DrawFn, first_style: int) -> tuple[bytes, int | None, str, str]:
    """(the cell's XML, the FORMATS index of its style or None, its type, its stored text)."""
    kind = draw(
        st.sampled_from(["", "n"]) | st.sampled_from(["s", "b", "e", "str", "inlineStr", "d"])
    )
    stored = draw(st.sampled_from(STORED[:6]) | st.sampled_from(STORED))
    code = draw(st.none() | st.integers(0, len(CODES) - 1))
    attributes = [b'r="F2"']
    if code is not None:
        attributes.append(b's="%d"' % (first_style + code))
    if kind:
        attributes.append(b't="%s"' % kind.encode())
    extras = [b'x14ac:dyDescent="0.25"', b'cm="1"', b'vm="1"', b'ph="1"', b's="0"', b't="n"']
    extra = draw(st.just(b"") | st.sampled_from(extras))
    if extra:
        attributes.append(extra)
    if draw(st.booleans()):
        attributes = [attributes[0], *reversed(attributes[1:])]
    prefix = draw(st.sampled_from([b"", b"", b"x:"]))
    value = stored.encode()
    if kind == "inlineStr" and draw(st.booleans()):
        body = b"<%sis><%st>%s</%st></%sis>" % (prefix, prefix, value, prefix, prefix)
    else:
        body = b"<%sv>%s</%sv>" % (prefix, value, prefix)
    formula = draw(st.just(b"") | st.sampled_from([b"", b"<f>2+2</f>", b'<f t="shared" si="0"/>',
                                    b'<f t="array" ref="F2">2+2</f>']))  # fmt: skip
    if formula and prefix:
        formula = formula.replace(b"<f", b"<x:f").replace(b"</f>", b"</x:f>")
    xml = b"<%sc %s>%s%s</%sc>" % (prefix, b" ".join(attributes), formula, body, prefix)
    return xml, code, kind, stored


def read(data: bytes, *, scan: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        if not scan:
            patch.setattr(cells.sheet_scan, "scan", lambda xml: None)
        try:
            return cells.read_sheets(guard.vet(data, "E1.xlsx"), layout.TEMPLATE_SHEETS)
        except guard.Refused as exc:
            return [str(p) for p in exc.problems]


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_generated_cell_reads_the_same_scanned_or_parsed_and_as_displayed(
    filled: bytes, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    workbook, first = with_formats(filled)
    xml, code, _, stored = data.draw(cell_xml(first))
    namespaces = b' xmlns:x="%s" xmlns:x14ac="x14ac"' % MAIN.encode()
    changed = []
    for name, content in parts(workbook):
        if name == MARKING:
            content = content.replace(b"<worksheet ", b"<worksheet" + namespaces + b" ", 1)
            content = re.sub(rb'<c r="F2"[^>]*>.*?</c>', xml, content, count=1)
        changed.append((name, content))
    workbook = rebuild(changed)
    scanned = read(workbook, scan=True, monkeypatch=monkeypatch)
    assert scanned == read(workbook, scan=False, monkeypatch=monkeypatch)
    if isinstance(scanned, list) and scanned and isinstance(scanned[0], str):
        assert all(p.startswith("E1.xlsx: ") for p in scanned), scanned
        assert any(
            p.startswith(("E1.xlsx: Marking!F2: ", "E1.xlsx: Marking: ")) for p in scanned
        ), scanned
        event("refused")
        return
    value = scanned[layout.MARKING][1][layout.MARK_INDEX]
    event(f"read as {type(value).__name__}")
    if isinstance(value, float) and not isinstance(value, bool):
        assert not FORMULA.search(xml)
        text = stored.replace("&#52;", "4").replace("&#x34;", "4")
        shown = FORMATS[CODES[code]](Decimal(text)) if code is not None else Decimal(text)
        assert shown is not None, (xml, value)
        assert Decimal(shown) == Decimal(repr(value)), (xml, value)
    elif value != "":
        assert not FORMULA.search(xml)
