"""One reading of a workbook: the cells read are the cells vetted, as a person sees them.

Each trick below once let a forged mark through, or would have: the guard vetted one part
while a spreadsheet library read another, or a format showed the evaluator one number
while another was stored. Every refusal names the file.
"""

from __future__ import annotations

import datetime
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tender.excel import guard
from tender.excel.cells import read_sheets
from tender.excel.moderation_sheet import read_consensus
from tender.excel.returns import Expected, Refused, read_return
from tests.workbooks import parts, rebuild

MARKING = "xl/worksheets/sheet2.xml"
RELS = "xl/_rels/workbook.xml.rels"


def edit(data: bytes, name: str, change: Any) -> bytes:
    return rebuild([(n, change(c) if n == name else c) for n, c in parts(data)])


def forged(sheet: bytes) -> bytes:
    """The Marking sheet with F2's mark replaced by a formula whose cached value is 9."""
    return re.sub(rb'<c r="F2"[^>]*>.*?</c>', b'<c r="F2"><f>4+5</f><v>9</v></c>', sheet, count=1)


def refused(data: bytes, expected: Expected) -> list[str]:
    with pytest.raises(Refused) as caught:
        read_return(data, "E1.xlsx", expected)
    messages = [str(p) for p in caught.value.problems]
    assert all(m.startswith("E1.xlsx: ") for m in messages)
    return messages


def mark_f2(data: bytes, expected: Expected) -> float:
    return read_return(data, "E1.xlsx", expected).marks[0]


def test_a_filled_return_reads_its_marks(filled: bytes, expected: Expected) -> None:
    assert mark_f2(filled, expected) == 4


def test_a_relationship_through_dot_dot_to_a_forged_copy_is_refused(
    filled: bytes, expected: Expected
) -> None:
    # The guard once normalised the target to the real sheet and vetted that, while
    # python-calamine opened the part literally named with '..': the forged copy.
    sheet = dict(parts(filled))[MARKING]
    data = rebuild([*parts(filled), ("xl/worksheets/x/../sheet2.xml", forged(sheet))])
    data = edit(
        data,
        RELS,
        lambda c: c.replace(b"/xl/worksheets/sheet2.xml", b"worksheets/x/../sheet2.xml"),
    )
    (message,) = refused(data, expected)
    assert message == (
        "E1.xlsx: 'xl/worksheets/x/../sheet2.xml': found a part name that is not plain (a '.' "
        "or '..' segment, a backslash, percent-encoding or an unusual character); expected part "
        "names as Excel writes them, such as xl/worksheets/sheet1.xml"
    )


def test_a_relationship_through_dot_dot_is_refused_even_to_a_plain_part(
    filled: bytes, expected: Expected
) -> None:
    sheet = dict(parts(filled))[MARKING]
    data = rebuild([*parts(filled), ("xl/worksheets/sheet9.xml", forged(sheet))])
    data = edit(
        data,
        RELS,
        lambda c: c.replace(b"/xl/worksheets/sheet2.xml", b"worksheets/x/../sheet9.xml"),
    )
    (message,) = refused(data, expected)
    assert message == (
        "E1.xlsx: xl/_rels/workbook.xml.rels: found a relationship to "
        "'worksheets/x/../sheet9.xml'; expected a plain part name, such as "
        "worksheets/sheet1.xml, of a part in the file"
    )


@pytest.mark.parametrize(
    "target",
    [
        b"./worksheets/sheet2.xml",
        b"worksheets//sheet2.xml",
        b"worksheets\\sheet2.xml",
        b"worksheets/sheet%32.xml",
        b"/xl/worksheets/../worksheets/sheet2.xml",
    ],
)
def test_any_target_a_reader_would_have_to_normalise_is_refused(
    filled: bytes, expected: Expected, target: bytes
) -> None:
    data = edit(filled, RELS, lambda c: c.replace(b"/xl/worksheets/sheet2.xml", target))
    (message,) = refused(data, expected)
    assert "found a relationship to" in message


def test_a_copy_under_the_same_name_in_other_letters_is_refused(
    filled: bytes, expected: Expected
) -> None:
    sheet = dict(parts(filled))[MARKING]
    data = rebuild([*parts(filled), ("xl/worksheets/Sheet2.xml", forged(sheet))])
    (message,) = refused(data, expected)
    assert message == (
        "E1.xlsx: 'xl/worksheets/Sheet2.xml': found two parts whose names differ only in "
        "letter case ('xl/worksheets/sheet2.xml'); expected each part stored once"
    )


@pytest.mark.parametrize(
    "name",
    [
        "xl/worksheets/./sheet9.xml",
        "xl/worksheets/../sheet9.xml",
        "xl\\worksheets\\sheet9.xml",
        "xl/worksheets/sheet%39.xml",
        "/xl/worksheets/sheet9.xml",
        "xl//worksheets/sheet9.xml",
        "xl/worksheets/shéet9.xml",
    ],
)
def test_a_part_whose_name_is_not_plain_is_refused(
    filled: bytes, expected: Expected, name: str
) -> None:
    data = rebuild([*parts(filled), (name, b"<worksheet/>")])
    (message,) = refused(data, expected)
    assert "found a part name that is not plain" in message


def test_a_sheet_pointing_at_a_part_outside_the_worksheets_is_refused(
    filled: bytes, expected: Expected
) -> None:
    sheet = dict(parts(filled))[MARKING]
    data = rebuild([*parts(filled), ("xl/media/sheet2.xml", forged(sheet))])
    data = edit(data, RELS, lambda c: c.replace(b"/xl/worksheets/sheet2.xml", b"media/sheet2.xml"))
    (message,) = refused(data, expected)
    assert message == (
        "E1.xlsx: xl/workbook.xml: found sheet 'Marking' stored as 'xl/media/sheet2.xml'; "
        "expected a worksheet under xl/worksheets/"
    )


def test_two_sheets_sharing_one_part_are_refused(filled: bytes, expected: Expected) -> None:
    data = edit(
        filled, RELS, lambda c: c.replace(b"/xl/worksheets/sheet1.xml", b"/" + MARKING.encode())
    )
    (message,) = refused(data, expected)
    assert "two sheets named 'Marking' or sharing a part" in message


def test_the_main_document_must_be_the_workbook_vetted(filled: bytes, expected: Expected) -> None:
    data = edit(
        filled,
        "_rels/.rels",
        lambda c: c.replace(b'Target="xl/workbook.xml"', b'Target="xl/book.xml"'),
    )
    (message,) = refused(data, expected)
    assert message == (
        "E1.xlsx: _rels/.rels: found a main document at 'xl/book.xml'; "
        "expected the workbook at xl/workbook.xml"
    )


def test_two_relationships_with_one_id_are_refused(filled: bytes, expected: Expected) -> None:
    data = edit(filled, RELS, lambda c: c.replace(b'Id="rId3"', b'Id="rId2"'))
    (message,) = refused(data, expected)
    assert "found two relationships with id 'rId2'" in message


def test_a_macro_project_under_an_innocent_name_is_refused(
    filled: bytes, expected: Expected
) -> None:
    rel = (
        b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/'
        b'relationships/vbaProject" Target="media/image1.png"/>'
    )
    data = rebuild([*parts(filled), ("xl/media/image1.png", guard.OLE2_MAGIC + bytes(100))])
    data = edit(data, RELS, lambda c: c.replace(b"</Relationships>", rel + b"</Relationships>"))
    (message,) = refused(data, expected)
    assert message == (
        "E1.xlsx: xl/_rels/workbook.xml.rels: found macros (a VBA project); "
        "expected a workbook without macros or external content"
    )


def test_an_external_hyperlink_on_a_sheet_is_refused(panel: Any, expected: Expected) -> None:
    def link(wb: Any) -> None:
        wb["Marking"]["G2"].hyperlink = "https://example.com/evidence"

    data = Path(panel.fill("E1", edit=link)).read_bytes()
    (message,) = refused(data, expected)
    assert message == (
        "E1.xlsx: xl/worksheets/_rels/sheet2.xml.rels: found a link to an external resource; "
        "expected no external links"
    )


def test_a_cell_stored_twice_is_refused(filled: bytes, expected: Expected) -> None:
    def twice(sheet: bytes) -> bytes:
        return re.sub(rb'(<c r="F2"[^>]*>.*?</c>)', rb'\1<c r="F2"><v>9</v></c>', sheet, count=1)

    data = edit(filled, MARKING, twice)
    (message,) = refused(data, expected)
    assert message == (
        "E1.xlsx: Marking!F2: found a cell stored twice or out of order; "
        "expected each cell once, in order, as Excel writes them"
    )


def fill(panel: Any, change: Any) -> bytes:
    return Path(panel.fill("E1", edit=change)).read_bytes()


def styled(cell: str, value: Any, number_format: str) -> Any:
    def change(wb: Any) -> None:
        wb["Marking"][cell] = value
        wb["Marking"][cell].number_format = number_format

    return change


@pytest.mark.parametrize(
    ("value", "number_format", "found"),
    [
        (9, '"4"', "the number 9 shown through the format '\"4\"'"),
        (9, ";;;", "the number 9 shown through the format ';;;'"),
        (4.4, "0", "the number 4.4 shown through the format '0'"),
        (4.0000000001, "General", "the number 4.0000000001 shown through the format 'General'"),
        (9, '[>5]"4";0', "the number 9 shown through the format '[>5]\"4\";0'"),
    ],
)
def test_a_number_its_format_disguises_is_not_a_mark(
    panel: Any, expected: Expected, value: float, number_format: str, found: str
) -> None:
    (message,) = refused(fill(panel, styled("F5", value, number_format)), expected)
    assert message == (
        f"E1.xlsx: Marking!F5: found {found}, which displays something else; expected a "
        "number shown as stored (clear the cell's number format, or use General)"
    )


def test_a_plain_number_format_that_shows_the_value_is_read(panel: Any, expected: Expected) -> None:
    ret = read_return(fill(panel, styled("F2", 7, "0.00")), "E1.xlsx", expected)
    assert ret.marks[0] == 7


def test_text_hidden_by_its_format_is_refused(panel: Any, expected: Expected) -> None:
    (message,) = refused(fill(panel, styled("G2", "seen by nobody", ";;;")), expected)
    assert message.startswith("E1.xlsx: Marking!G2: found text shown differently by the cell's")


@pytest.mark.parametrize("hide", ["row", "column"])
def test_a_mark_in_a_hidden_row_or_column_is_refused(
    panel: Any, expected: Expected, hide: str
) -> None:
    def change(wb: Any) -> None:
        if hide == "row":
            wb["Marking"].row_dimensions[3].hidden = True
        else:
            wb["Marking"].column_dimensions["F"].hidden = True

    messages = refused(fill(panel, change), expected)
    assert messages[0].startswith("E1.xlsx: Marking!")
    assert "found a value in a hidden row or column" in messages[0]


def test_a_date_formatted_mark_reads_as_a_date(panel: Any, expected: Expected) -> None:
    (message,) = refused(fill(panel, styled("F3", 42500, "dd/mm/yyyy")), expected)
    assert message.startswith("E1.xlsx: Marking!F3: found a date or time (2016-05-10")


def test_dates_follow_the_workbooks_date_system(filled: bytes) -> None:
    package = guard.vet(filled, "E1.xlsx")
    assert not package.date1904
    grids = read_sheets(package, ["Marking"])
    assert grids["Marking"][1][5] == 4


def test_a_moderation_workbook_copy_under_another_case_is_refused(
    panel: Any, tmp_path: Path
) -> None:

    collection = panel.collect_all()
    assert collection.moderation_path is not None
    data = collection.moderation_path.read_bytes()
    sheet = next(n for n, _ in parts(data) if n.startswith("xl/worksheets/sheet1"))
    copy = sheet.replace("sheet1", "SHEET1")
    data = rebuild([*parts(data), (copy, dict(parts(data))[sheet])])
    with pytest.raises(Refused) as caught:
        read_consensus(data, "moderation.xlsx", panel.tender, 1000)
    assert str(caught.value).startswith("moderation.xlsx: ")
    assert "differ only in letter case" in str(caught.value)


def test_a_consensus_its_format_disguises_is_refused(panel: Any) -> None:
    import openpyxl

    collection = panel.collect_all()
    assert collection.moderation_path is not None
    wb = openpyxl.load_workbook(collection.moderation_path)
    ws = wb["Moderation"]
    column = next(c.column_letter for c in ws[1] if c.value == "Consensus mark")
    ws[f"{column}2"] = 9
    ws[f"{column}2"].number_format = '"4"'
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(Refused) as caught:
        read_consensus(out.getvalue(), "moderation.xlsx", panel.tender, 1000)
    assert str(caught.value).startswith(
        f"moderation.xlsx: Moderation!{column}2: found the number 9"
    )


def test_an_issue_date_typed_as_a_date_is_read_as_one(panel: Any, expected: Expected) -> None:
    def change(wb: Any) -> None:
        wb["Cover"]["B10"] = datetime.date(2016, 11, 20)

    ret = read_return(fill(panel, change), "E1.xlsx", expected)
    assert ret.declaration["date"].startswith("2016-11-20")


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_a_return_resaved_by_libreoffice_reads_the_same_marks(
    panel: Any, expected: Expected, tmp_path: Path
) -> None:
    import subprocess

    def note(wb: Any) -> None:
        wb["Marking"]["G2"] = "evidence & <more> _x0041_ as typed"

    source = panel.fill("E1", edit=note)
    out = tmp_path / "lo"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    original = read_return(source.read_bytes(), "E1.xlsx", expected)
    resaved = read_return((out / source.name).read_bytes(), "E1.xlsx", expected)
    assert resaved.marks == original.marks
    assert resaved.justifications[1:] == original.justifications[1:]
    assert resaved.justifications[0] == "evidence & <more> _x0041_ as typed"
