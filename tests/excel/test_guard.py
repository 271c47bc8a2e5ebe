"""The pre-parse guard: every hostile container and XML trick is refused before parsing."""

from __future__ import annotations

import io
import re
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tender.excel import guard
from tender.excel.guard import Limits, Refused


def rezip(
    data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """A copy of an xlsx with some parts replaced or added."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def refusal(data: bytes, name: str = "E1.xlsx", limits: Limits | None = None) -> str:
    with pytest.raises(Refused) as caught:
        guard.vet(data, name, limits)
    return str(caught.value)


@pytest.fixture
def template(panel) -> bytes:  # type: ignore[no-untyped-def]
    return Path(panel.issued["E1"]).read_bytes()


def test_an_issued_template_passes_with_its_sheets_mapped(template: bytes) -> None:
    package = guard.vet(template, "E1.xlsx")
    assert list(package.sheets) == ["Cover", "Marking", "Identity"]
    assert package.states["Identity"] == "veryHidden"
    assert package.modified == "1980-01-01T00:00:00Z"


def test_a_filled_return_saved_by_openpyxl_passes(panel) -> None:  # type: ignore[no-untyped-def]
    package = guard.vet(panel.fill("E2").read_bytes(), "E2.xlsx")
    assert package.sheets["Marking"].startswith("xl/worksheets/")


def test_text_is_not_a_workbook() -> None:
    message = refusal(b"<html><body>Please find my marks attached</body></html>" * 4)
    assert message == (
        "E1.xlsx: found a file that is not an Excel workbook; expected an Excel Workbook "
        "(.xlsx): open it and use File > Save As > Excel Workbook"
    )


def test_an_ole2_file_is_encrypted_or_legacy() -> None:
    message = refusal(guard.OLE2_MAGIC + bytes(504))
    assert "found an encrypted (password-protected) workbook or a legacy .xls file" in message


@pytest.mark.parametrize("suffix", [".ods", ".xls", ".csv", ".numbers"])
def test_other_formats_are_refused_with_the_fix(template: bytes, suffix: str) -> None:
    message = refusal(template, f"E1{suffix}")
    assert message.endswith(
        "expected an Excel Workbook (.xlsx): open it and use File > Save As > Excel Workbook"
    )


def test_a_truncated_file_is_damaged(template: bytes) -> None:
    message = refusal(template[: len(template) // 2])
    assert "found a damaged or truncated zip archive" in message


def test_a_file_over_the_size_cap_is_refused(template: bytes) -> None:
    message = refusal(template, limits=Limits(max_file_bytes=1000))
    assert f"found a file of {len(template):,} bytes; expected at most 1,000 bytes" in message


def test_a_part_declaring_more_than_the_cap_is_refused_unread(template: bytes) -> None:
    message = refusal(template, limits=Limits(max_part_bytes=2000))
    assert "found a part expanding to" in message
    assert "expected at most 2,000 bytes" in message


def test_a_high_ratio_part_is_a_zip_bomb(template: bytes) -> None:
    bomb = rezip(template, add={"xl/media/filler.xml": b"<a>" + b"0" * (3 << 20) + b"</a>"})
    started = time.process_time()  # CPU time: a busy machine does not count
    message = refusal(bomb)
    assert time.process_time() - started < 1
    assert "to 1; expected at most 100 to 1 (a zip bomb?)" in message


def test_parts_adding_up_past_the_total_cap_are_refused(template: bytes) -> None:
    message = refusal(template, limits=Limits(max_total_bytes=5000))
    assert "expected at most 5,000 bytes in all" in message


def test_duplicate_entries_are_refused(template: bytes) -> None:
    out = io.BytesIO(template)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on a duplicate name
        with zipfile.ZipFile(out, "a") as archive:
            archive.writestr("xl/worksheets/sheet2.xml", b"<worksheet/>")
    message = refusal(out.getvalue())
    assert "found two zip entries sharing a name or data; expected each part stored once" in message


def test_two_directory_entries_at_one_offset_are_refused(template: bytes) -> None:
    source = zipfile.ZipFile(io.BytesIO(template))
    infos = source.infolist()
    # Point the second central-directory entry at the first entry's local header.
    raw = bytearray(template)
    cd_start = raw.rfind(b"PK\x01\x02", 0, len(raw))
    first_cd = raw.find(b"PK\x01\x02")
    second_cd = raw.find(b"PK\x01\x02", first_cd + 4)
    assert cd_start >= second_cd > first_cd
    raw[second_cd + 42 : second_cd + 46] = infos[0].header_offset.to_bytes(4, "little")
    message = refusal(bytes(raw))
    assert "sharing a name or data" in message or "damaged" in message


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("xl/vbaProject.bin", "macros (a VBA project)"),
        ("xl/externalLinks/externalLink1.xml", "links to other workbooks"),
        ("xl/connections.xml", "external data connections"),
        ("xl/embeddings/oleObject1.bin", "embedded files"),
        ("xl/activeX/activeX1.xml", "ActiveX controls"),
    ],
)
def test_macros_and_external_content_are_refused(template: bytes, name: str, what: str) -> None:
    message = refusal(rezip(template, add={name: b"<x/>"}))
    assert f"E1.xlsx: {name}: found {what}; expected a workbook without macros" in message


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol3;</t></si></sst>"""

XXE_CORE = b"""<?xml version="1.0"?>
<!DOCTYPE cp [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>&xxe;</dc:creator></cp:coreProperties>"""


def test_billion_laughs_in_shared_strings_is_refused(template: bytes) -> None:
    message = refusal(rezip(template, add={"xl/sharedStrings.xml": BILLION_LAUGHS}))
    assert message == (
        "E1.xlsx: xl/sharedStrings.xml: found a DTD or entity declaration; "
        "expected plain XML as Excel writes it (no DTD)"
    )


def test_xxe_in_core_properties_is_refused(template: bytes) -> None:
    # openpyxl parses docProps with lxml when installed, which drops the entity silently.
    message = refusal(rezip(template, replace={"docProps/core.xml": XXE_CORE}))
    assert "docProps/core.xml: found a DTD or entity declaration" in message


def test_comments_and_processing_instructions_are_refused(template: bytes) -> None:
    sheet = part(template, "xl/worksheets/sheet2.xml").replace(
        b"<sheetData>", b"<!-- x --><sheetData>", 1
    )
    message = refusal(rezip(template, replace={"xl/worksheets/sheet2.xml": sheet}))
    assert "found XML comments, CDATA or processing instructions" in message


def test_a_giant_attribute_is_refused(template: bytes) -> None:
    sheet = part(template, "xl/worksheets/sheet2.xml").replace(
        b"<sheetData>", b'<sheetData x="' + b"a" * 70_000 + b'">', 1
    )
    message = refusal(rezip(template, replace={"xl/worksheets/sheet2.xml": sheet}))
    assert "found an XML tag longer than the limit" in message


def test_a_far_cell_is_refused_before_any_parser(template: bytes) -> None:
    sheet = part(template, "xl/worksheets/sheet2.xml").replace(
        b"</sheetData>",
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    message = refusal(rezip(template, replace={"xl/worksheets/sheet2.xml": sheet}))
    assert "Marking!row 1048576: found a row far outside the template" in message


def test_a_lying_dimension_is_refused(template: bytes) -> None:
    sheet = part(template, "xl/worksheets/sheet2.xml").replace(
        b"<sheetViews>", b'<dimension ref="A1:XFD1048576"/><sheetViews>', 1
    )
    message = refusal(rezip(template, replace={"xl/worksheets/sheet2.xml": sheet}))
    assert "Marking!XFD1048576: found the sheet's used range reaching XFD1048576" in message


def test_a_formula_with_a_forged_cached_value_is_refused(template: bytes) -> None:
    sheet = part(template, "xl/worksheets/sheet2.xml")
    # after E2 in row 2: a formula whose cached value (9) a naive reader would take
    row_end = sheet.find(b"</row>", sheet.find(b'<row r="2"'))
    sheet = sheet[:row_end] + b'<c r="F2"><f>1+1</f><v>9</v></c>' + sheet[row_end:]
    message = refusal(rezip(template, replace={"xl/worksheets/sheet2.xml": sheet}))
    assert message == (
        "E1.xlsx: Marking!F2: found a formula; expected a value typed in (formulas are not read)"
    )


def outcome(data: bytes) -> str:
    """'package' or 'refused' (with a reason); any other exception fails the test."""
    try:
        guard.vet(data, "any.xlsx")
    except Refused as exc:
        return "refused" if exc.problems else "refused without a reason"
    return "package"


@given(st.binary(max_size=2000))
def test_any_bytes_give_a_package_or_a_refusal(data: bytes) -> None:
    assert outcome(data) in ("package", "refused")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # bytes, never mutated
@given(st.data())
def test_damaged_templates_give_a_package_or_a_refusal(
    template: bytes, data: st.DataObject
) -> None:
    damaged = bytearray(template)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        damaged[position] = data.draw(st.integers(0, 255))
    assert outcome(bytes(damaged)) in ("package", "refused")


def with_cell(template: bytes, cell: bytes) -> bytes:
    sheet = part(template, "xl/worksheets/sheet2.xml")
    row_end = sheet.find(b"</row>", sheet.find(b'<row r="2"'))
    return rezip(
        template, replace={"xl/worksheets/sheet2.xml": sheet[:row_end] + cell + sheet[row_end:]}
    )


def test_a_cell_far_to_the_right_in_an_ordinary_row_is_refused(template: bytes) -> None:
    message = refusal(with_cell(template, b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>'))
    assert message == (
        "E1.xlsx: Marking!XFD2: found a cell far outside the template; "
        "expected columns A to AN, rows up to 20,000"
    )


def test_a_cell_far_below_its_row_is_refused(template: bytes) -> None:
    message = refusal(with_cell(template, b'<c r="F1048576" t="inlineStr"><is><t>x</t></is></c>'))
    assert message.startswith("E1.xlsx: Marking!F1048576: found a cell far outside the template")


def test_attributes_in_another_order_are_checked_one_by_one(template: bytes) -> None:
    message = refusal(with_cell(template, b'<c t="inlineStr" r="AAA2"><is><t>x</t></is></c>'))
    assert message == (
        "E1.xlsx: Marking!AAA2: found a cell reaching AAA2; "
        "expected at most column AN and row 20,000"
    )
    fine = with_cell(template, b'<c t="inlineStr" r="H2"><is><t>x</t></is></c>')
    assert guard.vet(fine, "E1.xlsx").sheets["Marking"]


def test_the_column_limit_pattern() -> None:
    import re

    pattern = re.compile(b"^" + guard._beyond("AN") + b"$")
    columns = ("AN", "AO", "AZ", "B", "BA", "ZZ", "AAA", "Z")
    assert [c for c in columns if pattern.match(c.encode())] == ["AO", "AZ", "BA", "ZZ", "AAA"]


def test_defusedxml_is_the_second_layer_for_the_parts_the_guard_parses() -> None:
    with pytest.raises(Refused) as caught:
        guard._parse(BILLION_LAUGHS, "E1.xlsx", "xl/workbook.xml")
    (problem,) = caught.value.problems
    assert problem.where == "xl/workbook.xml"
    assert problem.found.startswith("damaged XML (EntitiesForbidden")


def test_a_file_with_another_extension_is_refused_by_name(template: bytes) -> None:
    assert refusal(template, "notes.docx") == (
        "notes.docx: found a .docx file; expected an Excel Workbook (.xlsx): "
        "open it and use File > Save As > Excel Workbook"
    )


@pytest.mark.parametrize(
    ("cell", "found"),
    [
        (
            b'<c r="xfd2" t="inlineStr"><is><t>x</t></is></c>',
            "found cells without a cell reference",
        ),
        (b'<c\tr="XFD2" t="inlineStr"><is><t>x</t></is></c>', "XFD2: found a cell reaching XFD2"),
        (b'<c  r="F1048576"><v>1</v></c>', "F1048576: found a cell reaching F1048576"),
    ],
)
def test_unusual_spelling_of_references_gets_the_full_check(
    template: bytes, cell: bytes, found: str
) -> None:
    assert found in refusal(with_cell(template, cell))


def test_cells_with_a_namespace_prefix_are_refused(template: bytes) -> None:
    cell = b'<x:c xmlns:x="urn:x" r="XFD1048576"><x:v>1</x:v></x:c>'
    assert refusal(with_cell(template, cell)) == (
        "E1.xlsx: Marking: found cells written with a namespace prefix; "
        "expected a workbook saved by Excel"
    )


def test_a_header_claiming_an_unknown_zip_version_is_damaged(template: bytes) -> None:
    # Found by the property above: zipfile raises NotImplementedError, not BadZipFile.
    directory = template.rfind(b"PK\x01\x02")
    damaged = bytearray(template)
    damaged[directory + 6] = 64  # "version needed to extract" 6.4
    assert outcome(bytes(damaged)) == "refused"


@pytest.mark.parametrize(
    "content",
    [
        '<?xml version="1.0" encoding="UTF-16"?><worksheet/>'.encode("utf-16"),
        b'<?xml version="1.0" encoding="ISO-8859-1"?><worksheet/>',
        b"<worksheet>\x00</worksheet>",
    ],
)
def test_a_part_in_another_encoding_is_refused(template: bytes, content: bytes) -> None:
    # The byte scans for DTDs and entities are sound only over UTF-8.
    message = refusal(rezip(template, replace={"xl/worksheets/sheet2.xml": content}))
    assert message == (
        "E1.xlsx: xl/worksheets/sheet2.xml: found XML in an encoding other than UTF-8; "
        "expected a workbook saved by Excel"
    )


# Every bound holds at its exact limit and refuses one past it, so widening or narrowing
# any of them fails a test.


def test_the_file_size_bound_is_exact(template: bytes) -> None:
    guard.vet(template, "E1.xlsx", Limits(max_file_bytes=len(template)))
    assert "found a file of" in refusal(template, limits=Limits(max_file_bytes=len(template) - 1))


def test_the_part_and_total_size_bounds_are_exact(template: bytes) -> None:
    infos = zipfile.ZipFile(io.BytesIO(template)).infolist()
    largest = max(i.file_size for i in infos)
    total = sum(i.file_size for i in infos)
    guard.vet(template, "E1.xlsx", Limits(max_part_bytes=largest, max_total_bytes=total))
    assert "found a part expanding to" in refusal(
        template, limits=Limits(max_part_bytes=largest - 1)
    )
    assert "in all" in refusal(template, limits=Limits(max_total_bytes=total - 1))


def test_the_part_count_bound_is_exact(template: bytes) -> None:
    count = len(zipfile.ZipFile(io.BytesIO(template)).infolist())
    guard.vet(template, "E1.xlsx", Limits(max_parts=count))
    assert refusal(template, limits=Limits(max_parts=count - 1)) == (
        f"E1.xlsx: found {count} parts; expected at most {count - 1}"
    )


def test_the_compression_ratio_bound_is_exact(template: bytes) -> None:
    filler = b"<a>" + b"0" * ((2 << 20) - 7) + b"</a>"
    data = rezip(template, add={"xl/media/filler.xml": filler})
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/media/filler.xml")
    ratio = info.file_size / info.compress_size
    text = 3 << 20  # the filler is one long text run
    guard.vet(data, "E1.xlsx", Limits(max_ratio=ratio, max_text_bytes=text))
    assert "(a zip bomb?)" in refusal(
        data, limits=Limits(max_ratio=ratio * 0.999, max_text_bytes=text)
    )


def test_the_tag_and_text_bounds_are_exact(template: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(template))
    xml = [archive.read(n) for n in archive.namelist() if n.endswith((".xml", ".rels"))]
    # bytes after the opening '<' or '>': a tag or text of exactly the limit is refused
    longest_tag = max(len(m) for x in xml for m in re.findall(rb"<([^>]*)", x))
    longest_text = max(len(m) for x in xml for m in re.findall(rb">([^<]*)", x))
    guard.vet(
        template, "E1.xlsx", Limits(max_tag_bytes=longest_tag + 1, max_text_bytes=longest_text + 1)
    )
    assert "an XML tag longer than the limit" in refusal(
        template, limits=Limits(max_tag_bytes=longest_tag)
    )
    assert "a text run longer than the limit" in refusal(
        template, limits=Limits(max_text_bytes=longest_text)
    )


def with_row(template: bytes, number: int, first_attribute: bool = True) -> bytes:
    sheet = part(template, "xl/worksheets/sheet2.xml")
    row = (
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (number, number)
        if first_attribute
        else b'<row spans="1:1" r="%d"><c t="inlineStr" r="A%d"><is><t>x</t></is></c></row>'
        % (number, number)
    )
    return rezip(
        template,
        replace={"xl/worksheets/sheet2.xml": sheet.replace(b"</sheetData>", row + b"</sheetData>")},
    )


@pytest.mark.parametrize("first_attribute", [True, False], ids=["as Excel writes", "any order"])
def test_the_row_bound_is_exact(template: bytes, first_attribute: bool) -> None:
    limits = Limits(max_rows=5000)
    guard.vet(with_row(template, 5000, first_attribute), "E1.xlsx", limits)
    message = refusal(with_row(template, 5001, first_attribute), limits=limits)
    assert "Marking!row 5001: found a row far outside the template" in message


def test_the_column_bound_is_exact(template: bytes) -> None:
    limits = Limits(max_columns=40)  # A to AN
    guard.vet(
        with_cell(template, b'<c r="AN2" t="inlineStr"><is><t>x</t></is></c>'), "E1.xlsx", limits
    )
    message = refusal(
        with_cell(template, b'<c r="AO2" t="inlineStr"><is><t>x</t></is></c>'), limits=limits
    )
    assert "Marking!AO2: found a cell far outside the template" in message


def test_the_bounds_a_return_is_held_to(panel) -> None:  # type: ignore[no-untyped-def]
    from tender.excel import layout
    from tender.panel import panel_files
    from tender.workflows.collect import expected_returns

    expected = expected_returns(panel.tender, panel_files(panel.tender))
    assert len(expected.rows) == 24
    # the issued rows and the slack, but never fewer than 1,000 rows; 40 columns
    assert (expected.limits.max_rows, expected.limits.max_columns) == (1000, layout.MAX_COLUMNS)
    assert layout.MAX_COLUMNS == 40
    assert layout.ROW_SLACK == 200


@given(
    content=st.lists(st.sampled_from([b"<", b">", b"a", b"bb" * 40]), max_size=60).map(b"".join),
    padding=st.sampled_from([0, 1 << 16]),
    limit=st.integers(min_value=1, max_value=90),
)
def test_the_longest_tag_and_text_are_found_as_the_searches_would(
    content: bytes, padding: int, limit: int
) -> None:
    # small parts and large ones (numpy) must agree with '<' or '>' then `limit` bytes
    content = b"x" * padding + content
    longest_tag, longest_text = guard._longest_runs(content)
    assert (longest_tag >= limit) == bool(re.search(rb"<[^<>]{%d}" % limit, content))
    assert (longest_text >= limit) == bool(re.search(rb">[^<>]{%d}" % limit, content))


@given(
    runs=st.lists(st.tuples(st.integers(0, 90), st.integers(0, 90)), min_size=1, max_size=30),
    tail=st.integers(0, 90),
    stray=st.sampled_from([b"", b"<", b">"]),
    at=st.floats(0, 1),
)
def test_a_large_part_of_tags_and_texts_is_measured_as_a_small_one(
    runs: list[tuple[int, int]], tail: int, stray: bytes, at: float
) -> None:
    # < tag > text < tag > text ..., past the size numpy measures, perhaps with a stray
    # delimiter: the longest runs are those of each '<' or '>' to the next, one by one
    body = b"".join(b"<" + b"t" * tag + b">" + b"x" * text for tag, text in runs) + b"y" * tail
    content = b"<a>b" * (1 << 14) + body
    where = int(at * len(content))
    content = content[:where] + stray + content[where:]
    found = re.findall(rb"([<>])([^<>]*)", content)
    tags = max((len(r) for d, r in found if d == b"<"), default=0)
    texts = max((len(r) for d, r in found if d == b">"), default=0)
    assert guard._longest_runs(content) == (tags, texts)
