"""Attacks on the returned-workbook reader found by attacking it, one test each.

Every workbook is made at test time from a real filled return (the `PanelKit`), then edited
part by part. Each test states the correct behaviour: a refusal naming the file and the cell,
or acceptance. Classes: numbers and ids only Python reads that way; formats, colours, fonts,
conditional formatting and drawings that change what a cell shows; rows and columns any
reader hides; crashes and quadratic scans; and real re-saves that must still be read.

What a person sees was checked with LibreOffice 7.4 (soffice --convert-to csv with "as
shown", and --convert-to pdf); Excel was not available.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tender.excel import guard
from tender.excel.guard import Refused
from tender.excel.returns import Expected, read_return
from tests.workbooks import parts, rebuild

MARKING = "xl/worksheets/sheet2.xml"
IDENTITY = "xl/worksheets/sheet3.xml"
STYLES = "xl/styles.xml"
WORKBOOK = "xl/workbook.xml"
MAIN_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
Change = Callable[[bytes], bytes]
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)


# ---------------------------------------------------------------- helpers


def edit(data: bytes, *changes: tuple[str, Change]) -> bytes:
    entries = parts(data)
    for name, change in changes:
        entries = [(n, change(c) if n == name else c) for n, c in entries]
    return rebuild(entries)


def put(ref: str, xml: bytes) -> tuple[str, Change]:
    """Replace cell `ref` of the Marking sheet with `xml`."""
    pattern = rb'<c r="' + ref.encode() + rb'"[^>]*>.*?</c>'
    return MARKING, lambda sheet: re.sub(pattern, xml, sheet, count=1)


# The first style `styles()` adds: the template's own count of cell formats, found when
# the styles part is edited (edits apply in order, styles first). Tests name the styles
# they add 6, 7, ...; `style_ref` maps them onto the template's numbering.
_BASE = [6]


def style_ref(style: int) -> int:
    return style - 6 + _BASE[0]


def mark(xml_value: bytes, style: int | None = None) -> tuple[str, Change]:
    def change(sheet: bytes) -> bytes:
        s = b"" if style is None else b' s="%d"' % style_ref(style)
        cell = b'<c r="F2"' + s + b' t="n"><v>' + xml_value + b"</v></c>"
        return re.sub(rb'<c r="F2"[^>]*>.*?</c>', cell, sheet, count=1)

    return MARKING, change


def styles(*formats: bytes, fonts: bytes = b"", dxfs: bytes = b"") -> tuple[str, Change]:
    """Cell styles 6, 7, ... with the given number format codes (custom ids from 164).

    A code given as b"id:N" uses built-in format N; b"font:F code" uses font F.
    """

    def change(xml: bytes) -> bytes:
        cell_xfs = xml[xml.find(b"<cellXfs") : xml.find(b"</cellXfs>")]
        _BASE[0] = len(re.findall(rb"<xf[\s>/]", cell_xfs))
        custom, xfs = [], []
        for number, code in enumerate(formats, start=164):
            font = b"0"
            if code.startswith(b"font:"):
                font, code = code[5:].split(b" ", 1)
            if code.startswith(b"id:"):
                fmt_id = code[3:]
            else:
                fmt_id = b"%d" % number
                custom.append(b'<numFmt numFmtId="%s" formatCode="%s"/>' % (fmt_id, code))
            xfs.append(
                b'<xf numFmtId="%s" fontId="%s" fillId="0" borderId="0" xfId="0" '
                b'applyNumberFormat="1" applyFont="1"/>' % (fmt_id, font)
            )
        xml = xml.replace(
            b'<numFmts count="0"/>',
            b'<numFmts count="%d">%s</numFmts>' % (len(custom), b"".join(custom)),
        )
        xml = xml.replace(b"</cellXfs>", b"".join(xfs) + b"</cellXfs>")
        if fonts:
            xml = xml.replace(b"</fonts>", fonts + b"</fonts>")
        if dxfs:
            xml = xml.replace(b"<tableStyles", dxfs + b"<tableStyles")
        return xml

    return STYLES, change


def sub_marking(old: bytes, new: bytes) -> tuple[str, Change]:
    return MARKING, lambda sheet: sheet.replace(old, new, 1)


def row_3(extra: bytes, before: bytes = b"") -> tuple[str, Change]:
    """Row 3 of the Marking sheet with `extra` attributes (and `before` ahead of it)."""
    return MARKING, lambda sheet: re.sub(
        rb'<row r="3"([^>]*)>', before + rb'<row r="3"\1' + extra + b">", sheet, count=1
    )


def col_f(change: Callable[[bytes], bytes]) -> tuple[str, Change]:
    """Column F's <col> element, changed."""
    return MARKING, lambda sheet: re.sub(
        rb'<col [^>]*min="6" max="6"/>', lambda m: change(m.group()), sheet, count=1
    )


def after_sheet_data(xml: bytes) -> tuple[str, Change]:
    return MARKING, lambda sheet: sheet.replace(b"</sheetData>", b"</sheetData>" + xml, 1)


def refused(data: bytes, expected: Expected) -> list[str]:
    with pytest.raises(Refused) as caught:
        read_return(data, "E1.xlsx", expected)
    messages = [str(p) for p in caught.value.problems]
    assert messages
    assert all(m.startswith("E1.xlsx: ") for m in messages), messages
    return messages


def names(messages: list[str], where: str) -> bool:
    return any(m.startswith(f"E1.xlsx: {where}") for m in messages)


def libreoffice(source: Path, out: Path) -> bytes:
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (out / source.name).read_bytes()


# ------------------------------------------------- 1. a mark other than the one shown


@pytest.mark.parametrize(
    "stored", ["1_0", "\u0661\u0660", "\uff19"], ids=["underscore", "arabic-indic", "full-width"]
)
def test_a_stored_number_only_python_reads_that_way_is_refused(
    filled: bytes, expected: Expected, stored: str
) -> None:
    data = edit(filled, mark(stored.encode()))
    assert names(refused(data, expected), "Marking!F2")


@pytest.mark.parametrize("how", ["cell style s=6_0", "format id 9_164"])
def test_a_style_or_format_id_only_python_reads_that_way_is_refused(
    filled: bytes, expected: Expected, how: str
) -> None:
    if how == "cell style s=6_0":
        data = edit(filled, styles(b"&quot;4&quot;", *[b"id:0"] * 100))
        first = b"%d" % style_ref(6)  # 'N_0': N to LibreOffice, N0 to Python's int()
        data = edit(data, put("F2", b'<c r="F2" s="' + first + b'_0" t="n"><v>9</v></c>'))
    else:

        def change(xml: bytes) -> bytes:
            xml = xml.replace(
                b'<numFmts count="0"/>',
                b'<numFmts count="1"><numFmt numFmtId="9164" formatCode="General"/></numFmts>',
            )
            return xml.replace(
                b"</cellXfs>",
                b'<xf numFmtId="9_164" fontId="0" fillId="0" borderId="0" xfId="0" '
                b'applyNumberFormat="1"/></cellXfs>',
            )

        data = edit(filled, (STYLES, change), mark(b"7", 6))
    assert names(refused(data, expected), "Marking!F2")


def test_a_conditional_format_that_changes_the_number_shown_is_refused(
    filled: bytes, expected: Expected
) -> None:
    dxf = b'<dxfs count="1"><dxf><numFmt numFmtId="200" formatCode="&quot;4&quot;"/></dxf></dxfs>'
    rule = (
        b'<conditionalFormatting sqref="F2"><cfRule type="expression" dxfId="0" priority="1">'
        b"<formula>TRUE</formula></cfRule></conditionalFormatting>"
    )
    data = edit(filled, styles(dxfs=dxf), mark(b"9"), after_sheet_data(rule))
    assert names(refused(data, expected), "Marking!F2")


DRAWING = (
    b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"'
    b' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor>'
    b"<xdr:from><xdr:col>5</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>"
    b"<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>6</xdr:col><xdr:colOff>0"
    b"</xdr:colOff><xdr:row>2</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
    b'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="TextBox 1"/>'
    b'<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/>'
    b'<a:ext cx="100000" cy="100000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
    b'</a:prstGeom><a:solidFill><a:srgbClr val="FFF2CC"/></a:solidFill><a:ln><a:noFill/>'
    b'</a:ln></xdr:spPr><xdr:txBody><a:bodyPr anchor="b"/><a:lstStyle/><a:p><a:pPr algn="r"/>'
    b"<a:r><a:t>4</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/>"
    b"</xdr:twoCellAnchor></xdr:wsDr>"
)


def test_a_shape_drawn_over_the_mark_is_refused(filled: bytes, expected: Expected) -> None:
    def sheet(xml: bytes) -> bytes:
        xml = xml.replace(
            MAIN_NS,
            MAIN_NS + b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships"',
            1,
        )
        return xml.replace(b"</worksheet>", b'<drawing r:id="rId1"/></worksheet>')

    types = (
        b'<Override PartName="/xl/drawings/drawing1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.drawing+xml"/></Types>'
    )
    rels = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/drawing" Target="/xl/drawings/drawing1.xml"/></Relationships>'
    )
    data = edit(
        filled,
        mark(b"9"),
        (MARKING, sheet),
        ("[Content_Types].xml", lambda c: c.replace(b"</Types>", types)),
    )
    data = rebuild(
        [
            *parts(data),
            ("xl/worksheets/_rels/sheet2.xml.rels", rels),
            ("xl/drawings/drawing1.xml", DRAWING),
        ]
    )
    messages = refused(data, expected)
    assert any("Marking" in m or "drawing" in m for m in messages)


DATA_BAR = (
    b'<conditionalFormatting sqref="F2"><cfRule type="dataBar" priority="1">'
    b'<dataBar showValue="0"><cfvo type="min"/><cfvo type="max"/><color rgb="FF638EC6"/>'
    b"</dataBar></cfRule></conditionalFormatting>"
)
WHITE_FONT = b'<font><color rgb="FFFFFFFF"/><sz val="11"/></font>'


@pytest.mark.parametrize("how", ["data bar without value", "[White] format", "white font"])
def test_a_mark_nobody_can_see_is_refused(filled: bytes, expected: Expected, how: str) -> None:
    change = {
        "data bar without value": [mark(b"9"), after_sheet_data(DATA_BAR)],
        "[White] format": [styles(b"[White]0"), mark(b"9", 6)],
        "white font": [styles(b"font:3 id:0", fonts=WHITE_FONT), mark(b"9", 6)],
    }[how]
    assert names(refused(edit(filled, *change), expected), "Marking!F2")


@pytest.mark.parametrize("code", [b"#", b"#,#", b"0;-0;#"])
def test_a_zero_mark_its_format_shows_as_blank_is_refused(
    filled: bytes, expected: Expected, code: bytes
) -> None:
    data = edit(filled, styles(code), mark(b"0", 6))
    assert names(refused(data, expected), "Marking!F2")


@pytest.mark.parametrize("code", [b".", b"[Red].", b"0[$-409]", b"General[$-809]"])
def test_a_format_showing_other_text_than_the_mark_is_refused(
    filled: bytes, expected: Expected, code: bytes
) -> None:
    data = edit(filled, styles(code), mark(b"7", 6))
    assert names(refused(data, expected), "Marking!F2")


@pytest.mark.parametrize(
    "col",
    [
        lambda c: c.replace(b'max="6"', b'max="6.0" hidden="1"'),
        lambda c: re.sub(rb'width="[^"]*"', b'width="0.01"', c),
    ],
    ids=["max 6.0 hidden", "width 0.01"],
)
def test_marks_in_a_column_nobody_can_see_are_refused(
    filled: bytes, expected: Expected, col: Callable[[bytes], bytes]
) -> None:
    data = edit(filled, col_f(col))
    assert names(refused(data, expected), "Marking!F")


@pytest.mark.parametrize("value", [b"t", b"on", b"2", b"01"])
@pytest.mark.parametrize("what", ["row", "column", "row stored twice"])
def test_a_row_or_column_any_reader_hides_is_refused(
    filled: bytes, expected: Expected, what: str, value: bytes
) -> None:
    if what == "row":
        change = row_3(b' hidden="%s"' % value)
    elif what == "column":
        change = col_f(lambda c: c.replace(b"/>", b' hidden="%s"/>' % value))
    else:
        change = row_3(b"", before=b'<row r="3" hidden="1"></row>')
    assert names(refused(edit(filled, change), expected), "Marking!")


def test_the_date_system_is_read_as_libreoffice_reads_it(panel: Any, expected: Expected) -> None:
    import datetime

    def typed(wb: Any) -> None:
        wb["Cover"]["B10"] = datetime.date(2016, 11, 20)
        wb["Cover"]["B10"].number_format = "yyyy-mm-dd"

    data = Path(panel.fill("E1", edit=typed)).read_bytes()
    data = edit(
        data, (WORKBOOK, lambda c: c.replace(b"<workbookPr/>", b'<workbookPr date1904="on"/>'))
    )
    try:
        outcome = read_return(data, "E1.xlsx", expected).declaration["date"]
    except Refused as exc:  # refusing the unusual flag is as good
        outcome = "refused" if "xl/workbook.xml" in str(exc) else str(exc)
    assert outcome in ("2020-11-21", "refused")


@pytest.mark.parametrize("row_hidden", [False, True], ids=["sheet hidden", "and a row hidden"])
def test_marks_on_a_hidden_marking_sheet_are_refused(
    filled: bytes, expected: Expected, row_hidden: bool
) -> None:
    changes: list[tuple[str, Change]] = [
        (
            WORKBOOK,
            lambda c: c.replace(
                b'name="Marking" sheetId="2" state="visible"',
                b'name="Marking" sheetId="2" state="hidden"',
            ),
        )
    ]
    if row_hidden:
        changes.append(row_3(b' hidden="1"'))
    assert names(refused(edit(filled, *changes), expected), "Marking")


B2 = b"<is><t>Goodwin Pest Management</t></is>"


@pytest.mark.parametrize("how", ["text format with a literal", "run after the text"])
def test_a_locked_cell_shown_as_something_else_is_refused(
    filled: bytes, expected: Expected, how: str
) -> None:
    if how == "text format with a literal":
        code = b"&quot;Company B" + b" " * 100 + b"&quot;@"
        changes = [
            styles(code),
            (MARKING, lambda s: re.sub(rb'<c r="B2"[^>]*>', b'<c r="B2" s="%d" t="inlineStr">'
                                       % style_ref(6), s, count=1)),
        ]  # fmt: skip
    else:
        shown = B2.replace(b"</t></is>", b"</t><r><t> (withdrawn: mark 0)</t></r></is>")
        changes = [(MARKING, lambda s: s.replace(B2, shown, 1))]
    assert names(refused(edit(filled, *changes), expected), "Marking!B2")


# ------------------------------------- 2. crashes, hangs and memory (not a `Refused`)


@pytest.mark.parametrize(
    ("date1904", "serial"),
    [(True, b"2958000"), (False, b"2958465.99999999")],
    ids=["1904 system", "rounded past 9999"],
)
def test_a_date_past_year_9999_is_refused_not_a_crash(
    filled: bytes, expected: Expected, date1904: bool, serial: bytes
) -> None:
    changes = [styles(b"id:22"), mark(serial, 6)]
    if date1904:
        changes.append(
            (WORKBOOK, lambda c: c.replace(b"<workbookPr/>", b'<workbookPr date1904="1"/>'))
        )
    assert names(refused(edit(filled, *changes), expected), "Marking!F2")


@pytest.mark.parametrize(
    ("code", "value"),
    [(b"id:2", b"1e30"), (b"id:1", b"1e30"), (b"0.00000000000000", b"1e16")],
    ids=["built-in 0.00", "built-in 0", "fourteen places"],
)
def test_a_huge_number_in_a_fixed_format_is_refused_not_a_crash(
    filled: bytes, expected: Expected, code: bytes, value: bytes
) -> None:
    data = edit(filled, styles(code), mark(value, 6))
    assert names(refused(data, expected), "Marking!F2")


def test_a_non_ascii_seal_is_refused_not_a_crash(filled: bytes, expected: Expected) -> None:
    def accented(sheet: bytes) -> bytes:
        return re.sub(rb"(<t>hmac</t>.*?<t>)", lambda m: m.group(1) + "é".encode(), sheet)

    data = edit(filled, (IDENTITY, accented))
    (message,) = refused(data, expected)
    assert "Identity" in message


def test_a_lone_surrogate_in_the_identity_is_refused_not_a_crash(
    filled: bytes, expected: Expected
) -> None:
    data = edit(filled, (IDENTITY, lambda s: s.replace(b"<t>E1</t>", b"<t>E1_xD800_</t>", 1)))
    (message,) = refused(data, expected)
    assert "Identity" in message


def test_a_lone_surrogate_in_a_justification_does_not_crash_collect(
    panel: Any, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from tender.cli import cli

    good = Path(panel.fill("E1")).read_bytes()
    bad = edit(good, put("G2", b'<c r="G2" t="inlineStr"><is><t>x _xD800_ y</t></is></c>'))
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "E1.xlsx").write_bytes(bad)
    (folder / "E2.xlsx").write_bytes(Path(panel.fill("E2")).read_bytes())
    result = CliRunner().invoke(cli, ["collect", str(panel.reference), str(folder)])
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    assert "Traceback" not in result.output + result.stderr
    assert "E2" in result.stdout


def seconds(data: bytes) -> float:
    """CPU seconds to vet `data`: this process's own time, so a busy machine does not count."""
    start = time.process_time()
    with contextlib.suppress(Refused):
        guard.vet(data, "E1.xlsx")
    return time.process_time() - start


@pytest.mark.parametrize("scan", ["text runs", "tags"])
def test_the_xml_scans_are_not_quadratic(filled: bytes, scan: str) -> None:
    if scan == "text runs":
        blob = b">" * 204_799 + b"<" + b"<a>" * 70_000  # the tail keeps each scan going
    else:
        blob = (b"<" * 65_535 + b">") * 4
    data = edit(filled, ("docProps/app.xml", lambda c: c + blob))
    assert len(data) < 20_000
    assert seconds(data) < 1.0


def test_finding_formulas_is_not_quadratic(filled: bytes) -> None:
    data = edit(
        filled, (MARKING, lambda s: s.replace(b"<sheetData>", b"<f/>" * 50_000 + b"<sheetData>"))
    )
    assert seconds(data) < 1.0


MEASURE = """
import pickle, resource, sys, time
from pathlib import Path
from tender.excel.returns import Refused, read_return
expected = pickle.loads(Path(sys.argv[2]).read_bytes())
data = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.process_time()  # CPU time: other processes on a busy machine do not count
try:
    read_return(data, "E1.xlsx", expected)
except Refused:
    pass
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(time.process_time() - start, (peak - before) // 1024)
"""


@pytest.mark.slow
def test_a_small_file_cannot_take_a_gigabyte_to_read(
    filled: bytes, expected: Expected, tmp_path: Path
) -> None:
    import pickle
    import random

    rng = random.Random(1)
    xfs = b"".join(b'<xf numFmtId="%d"/>' % rng.randrange(100_000) for _ in range(2_000_000))
    data = edit(filled, (STYLES, lambda s: s.replace(b"</cellXfs>", xfs + b"</cellXfs>")))
    assert len(data) < 10 << 20
    (tmp_path / "E1.xlsx").write_bytes(data)
    (tmp_path / "expected.pkl").write_bytes(pickle.dumps(expected))
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path / "E1.xlsx"), str(tmp_path / "expected.pkl")],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed, megabytes = run.stdout.split()
    assert float(elapsed) < 5, run.stdout
    assert int(megabytes) < 500, run.stdout


# ------------------------------------------------- 3. legitimate workbooks refused


@needs_soffice
@pytest.mark.parametrize("change", ["a note on a cell", "a filter left on"])
def test_a_return_resaved_by_libreoffice_with_a_note_or_filter_is_accepted(
    panel: Any, expected: Expected, tmp_path: Path, change: str
) -> None:
    from openpyxl.comments import Comment

    def note(wb: Any) -> None:
        wb["Marking"]["G4"].comment = Comment("check with the chair", "E1")

    def autofilter(wb: Any) -> None:
        wb["Marking"].auto_filter.ref = "A1:G25"

    source = panel.fill("E1", edit=note if change == "a note on a cell" else autofilter)
    original = read_return(source.read_bytes(), "E1.xlsx", expected)
    resaved = read_return(libreoffice(source, tmp_path / "lo"), "E1.xlsx", expected)
    assert resaved.marks == original.marks


@needs_soffice
def test_a_return_with_a_data_bar_resaved_by_libreoffice_is_refused_with_the_fix(
    panel: Any, expected: Expected, tmp_path: Path
) -> None:
    # Conditional formatting can show a number, a colour or a bar instead of the value
    # (a data bar may hide the value outright), so a marking sheet carrying any is refused,
    # with the fix named, rather than read as if the format were not there.
    from openpyxl.formatting.rule import DataBarRule

    def bars(wb: Any) -> None:
        rule = DataBarRule(
            start_type="num", start_value=0, end_type="num", end_value=10, color="FF638EC6"
        )
        wb["Marking"].conditional_formatting.add("F2:F25", rule)

    source = panel.fill("E1", edit=bars)
    for data in (source.read_bytes(), libreoffice(source, tmp_path / "lo")):
        (message,) = refused(data, expected)
        assert message.startswith("E1.xlsx: Marking!F2:F25: found conditional formatting")
        assert message.endswith("remove the conditional formatting and save again")


@pytest.fixture
def moderation(panel: Any) -> bytes:

    collection = panel.collect_all()
    assert collection.moderation_path is not None
    return collection.moderation_path.read_bytes()


@needs_soffice
def test_a_moderation_workbook_resaved_by_libreoffice_is_read(
    panel: Any, moderation: bytes, tmp_path: Path
) -> None:
    from tender.excel.moderation_sheet import read_consensus

    source = tmp_path / "moderation.xlsx"
    source.write_bytes(moderation)
    resaved = libreoffice(source, tmp_path / "lo")
    assert read_consensus(resaved, "moderation.xlsx", panel.tender, 1000) == read_consensus(
        moderation, "moderation.xlsx", panel.tender, 1000
    )


def test_a_filtered_moderation_workbook_reads_the_same(panel: Any, moderation: bytes) -> None:
    import openpyxl

    from tender.excel.moderation_sheet import read_consensus

    wb = openpyxl.load_workbook(io.BytesIO(moderation))
    for row in range(3, 10):
        wb["Moderation"].row_dimensions[row].hidden = True
    out = io.BytesIO()
    wb.save(out)
    assert len(read_consensus(out.getvalue(), "moderation.xlsx", panel.tender, 1000)) == len(
        read_consensus(moderation, "moderation.xlsx", panel.tender, 1000)
    )


# ------------------------------------------------------------- what held


@pytest.mark.parametrize(
    "code",
    [b"0.0", b"[Red]0", b"[$-409]0", b"#,##0", b"0;-0", b"@", b"[Blue]General"],
)
def test_formats_that_show_the_mark_as_stored_are_read(
    filled: bytes, expected: Expected, code: bytes
) -> None:
    assert read_return(edit(filled, styles(code), mark(b"7", 6)), "E1.xlsx", expected).marks[0] == 7


@pytest.mark.parametrize(
    "code",
    [
        b"0%", b"# ?/?", b"0.0E+00", b"0,", b"[&gt;5]0", b"0;0", b"[$$-409]0",
        b"0\\ ", b"&quot;4&quot;", b"0;-0;;@", b"[h]", b"0_)", b"0*x", b"[DBNum1]0",
    ],
)  # fmt: skip
def test_formats_that_change_the_mark_are_refused(
    filled: bytes, expected: Expected, code: bytes
) -> None:
    assert names(refused(edit(filled, styles(code), mark(b"7", 6)), expected), "Marking!F2")


def test_a_lone_surrogate_in_a_rationale_does_not_crash_moderate(panel: Any) -> None:
    import openpyxl
    from click.testing import CliRunner

    from tender.cli import cli

    for evaluator in ("E1", "E2", "E3"):
        panel.fill(evaluator)
    runner = CliRunner()
    assert runner.invoke(cli, ["collect", str(panel.reference), str(panel.returned)]).exit_code == 0
    workbook = panel.project / "bids" / "pest-control-2016" / "moderation.xlsx"
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Moderation"]
    for row in range(2, ws.max_row + 1):
        ws.cell(row, 14).value = ws.cell(row, 13).value  # consensus := median
    ws.cell(2, 15).value = "agreed _xD800_ at the meeting"
    wb.save(workbook)
    result = runner.invoke(cli, ["moderate", str(panel.reference), str(workbook)])
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    assert "Traceback" not in result.output + result.stderr


# ------------------------------------------------- 7. rows the reader sees and programs do not

_MAIN_URI = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _decoy_rows(sheet: bytes) -> bytes:
    """The sheet's rows with F2 marked 0, in a <sheetData> of another namespace (which
    Excel and LibreOffice ignore), ahead of the real rows, whose <sheetData> names its
    namespace so it is not spelt `<sheetData>`."""
    start = sheet.index(b"<sheetData>") + len(b"<sheetData>")
    rows = sheet[start : sheet.index(b"</sheetData>")]
    decoy = re.sub(rb'(<c r="F2"[^>]*>)<v>4</v>', rb"\1<v>0</v>", rows, count=1)
    assert decoy != rows
    return (
        sheet[: start - len(b"<sheetData>")]
        + b'<decoy xmlns="urn:decoy"><sheetData>'
        + decoy
        + b'</sheetData></decoy><sheetData xmlns="'
        + _MAIN_URI
        + b'">'
        + sheet[start:]
    )


def test_rows_in_another_namespace_are_not_read_as_the_marks(
    filled: bytes, expected: Expected
) -> None:
    # LibreOffice 7.4 (--convert-to csv) and openpyxl show F2 = 4 here, as filled
    data = edit(filled, (MARKING, _decoy_rows))
    assert read_return(data, "E1.xlsx", expected).marks[0] == 4


def test_a_second_block_of_rows_is_refused(filled: bytes, expected: Expected) -> None:
    # openpyxl reads both blocks, the second F2 last; no reader should pick one silently
    second = b'<sheetData><row r="2"><c r="F2" t="n"><v>0</v></c></row></sheetData>'
    data = edit(filled, after_sheet_data(second))
    assert names(refused(data, expected), "Marking")
