"""A corpus of hostile and broken returned workbooks, made at test time from a real return.

Every entry is one class of attack or damage: parser differentials (part names and
relationships a second reader would resolve differently), code and outside content under
any name, XML bombs and other encodings, formulas and forged cached values, cells a person
would not see as stored, shapes far outside the template, and plain damage. Each is put
beside a good return and collected through the CLI: the command must exit 1 naming the
file, never print a traceback, still collect the good return, and write no mark of the bad
one. The same corpus, as moderation workbooks, goes through `tender moderate`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tender.cli import cli
from tender.excel.guard import OLE2_MAGIC
from tests.workbooks import parts as entries
from tests.workbooks import rebuild as pack

# A corpus of hundreds of runs: the quick loop (`-m "not slow"`) leaves it to the full suite.
pytestmark = pytest.mark.slow

MARKING = "xl/worksheets/sheet2.xml"
RELS = "xl/_rels/workbook.xml.rels"
SHEET_RELS = "xl/worksheets/_rels/sheet2.xml.rels"
Entries = list[tuple[str, bytes]]


def replace(name: str, change: Callable[[bytes], bytes]) -> Callable[[Entries], Entries]:
    return lambda items: [(n, change(c) if n == name else c) for n, c in items]


def add(name: str, content: bytes | Callable[[Entries], bytes]) -> Callable[[Entries], Entries]:
    def apply(items: Entries) -> Entries:
        body = content(items) if callable(content) else content
        return [*items, (name, body)]

    return apply


def both(*changes: Callable[[Entries], Entries]) -> Callable[[Entries], Entries]:
    def apply(items: Entries) -> Entries:
        for change in changes:
            items = change(items)
        return items

    return apply


def marking(items: Entries) -> bytes:
    return dict(items)[MARKING]


def forged(items: Entries) -> bytes:
    return re.sub(
        rb'<c r="F2"[^>]*>.*?</c>', b'<c r="F2"><f>4+5</f><v>9</v></c>', marking(items), count=1
    )


def in_cell(xml: bytes) -> Callable[[bytes], bytes]:
    """Replace the mark cell F2 with `xml`."""
    return lambda sheet: re.sub(rb'<c r="F2"[^>]*>.*?</c>', xml, sheet, count=1)


def before(marker: bytes, xml: bytes) -> Callable[[bytes], bytes]:
    return lambda content: content.replace(marker, xml + marker, 1)


def relationship(kind: str, target: str, mode: str = "") -> Callable[[bytes], bytes]:
    extra = f' TargetMode="{mode}"' if mode else ""
    rel = f'<Relationship Id="rId99" Type="{kind}" Target="{target}"{extra}/>'.encode()
    return before(b"</Relationships>", rel)


def sheet_rels(rel: bytes) -> Callable[[Entries], Entries]:
    body = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + rel
        + b"</Relationships>"
    )
    return add(SHEET_RELS, body)


OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><sst>&lol2;</sst>'
)
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>'

# name → a change to the parts of a good return (or a function of the whole bytes)
ATTACKS: dict[str, Callable[[Entries], Entries]] = {
    # parser differentials
    "copy under a '..' name": both(
        add("xl/worksheets/x/../sheet2.xml", forged),
        replace(
            RELS, lambda c: c.replace(b"/xl/worksheets/sheet2.xml", b"worksheets/x/../sheet2.xml")
        ),
    ),
    "copy under a case variant": add("xl/worksheets/SHEET2.xml", forged),
    "relationship through '..'": both(
        add("xl/worksheets/sheet9.xml", forged),
        replace(
            RELS,
            lambda c: c.replace(
                b"/xl/worksheets/sheet2.xml", b"worksheets/../worksheets/sheet9.xml"
            ),
        ),
    ),
    "relationship with '//'": replace(
        RELS, lambda c: c.replace(b"/xl/worksheets/sheet2.xml", b"/xl//worksheets/sheet2.xml")
    ),
    "relationship with a backslash": replace(
        RELS, lambda c: c.replace(b"/xl/worksheets/sheet2.xml", b"worksheets\\sheet2.xml")
    ),
    "relationship percent-encoded": replace(
        RELS, lambda c: c.replace(b"/xl/worksheets/sheet2.xml", b"worksheets/sheet%32.xml")
    ),
    "sheet stored outside the worksheets": both(
        add("xl/media/sheet2.xml", forged),
        replace(RELS, lambda c: c.replace(b"/xl/worksheets/sheet2.xml", b"media/sheet2.xml")),
    ),
    "two sheets on one part": replace(
        RELS, lambda c: c.replace(b"/xl/worksheets/sheet1.xml", b"/xl/worksheets/sheet2.xml")
    ),
    "main document elsewhere": replace(
        "_rels/.rels", lambda c: c.replace(b'Target="xl/workbook.xml"', b'Target="xl/other.xml"')
    ),
    "two relationships with one id": replace(RELS, lambda c: c.replace(b'Id="rId3"', b'Id="rId2"')),
    "duplicate zip entry names in other case": add("[content_types].xml", b"<Types/>"),
    # code and outside content, by any name
    "macro project under an innocent name": both(
        add("xl/media/image1.png", OLE2_MAGIC + bytes(100)),
        replace(
            RELS,
            relationship(
                "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
                "media/image1.png",
            ),
        ),
    ),
    "macro part by name": add("xl/vbaProject.bin", OLE2_MAGIC + bytes(100)),
    "macro-enabled content type": replace(
        "[Content_Types].xml",
        before(
            b"</Types>",
            b'<Override PartName="/xl/workbook.xml" '
            b'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>',
        ),
    ),
    "external hyperlink on the sheet": sheet_rels(
        f'<Relationship Id="rId1" Type="{OFFICE}hyperlink" Target="https://example.com/x" '
        'TargetMode="External"/>'.encode()
    ),
    "external workbook link": both(
        add("xl/externalLinks/externalLink1.xml", b"<externalLink/>"),
        replace(RELS, relationship(OFFICE + "externalLink", "externalLinks/externalLink1.xml")),
    ),
    "embedded OLE object": sheet_rels(
        f'<Relationship Id="rId1" Type="{OFFICE}oleObject" Target="../media/a.bin"/>'.encode()
    ),
    "attached template": replace(
        RELS, relationship(OFFICE + "attachedTemplate", "http://x/t.xltx", "External")
    ),
    # XML bombs, outside entities, other encodings, markup tricks
    "billion laughs in shared strings": add("xl/sharedStrings.xml", LAUGHS),
    "XXE in core properties": replace("docProps/core.xml", lambda c: XXE),
    "UTF-16 sheet": replace(MARKING, lambda c: c.decode().encode("utf-16")),
    "declared Latin-1 sheet": replace(
        MARKING, lambda c: b'<?xml version="1.0" encoding="ISO-8859-1"?>' + c
    ),
    "comment in the sheet": replace(MARKING, before(b"<sheetData>", b"<!-- x -->")),
    "CDATA in the sheet": replace(
        MARKING, in_cell(b'<c r="F2" t="inlineStr"><is><t><![CDATA[9]]></t></is></c>')
    ),
    "processing instruction": replace(MARKING, before(b"<sheetData>", b"<?evil x?>")),
    "giant attribute": replace(
        MARKING, lambda c: c.replace(b"<sheetData>", b'<sheetData x="' + b"a" * 70_000 + b'">', 1)
    ),
    "deeply nested elements": replace(
        MARKING,
        before(b"</worksheet>", b"<extLst>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</extLst>"),
    ),
    "damaged XML": replace(MARKING, lambda c: c[: len(c) // 2]),
    "cells with a namespace prefix": replace(
        MARKING, lambda c: c.replace(b'<c r="F2"', b'<x:c xmlns:x="urn:x" r="F2"', 1)
    ),
    "strict OOXML namespace": replace(
        MARKING,
        lambda c: c.replace(
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        ),
    ),
    # formulas and values a person would not see as stored
    "formula with a forged cached value": replace(MARKING, lambda c: forged([(MARKING, c)])),
    "shared formula": replace(
        MARKING, in_cell(b'<c r="F2"><f t="shared" si="0" ref="F2:F3">4+5</f><v>9</v></c>')
    ),
    "formula string result": replace(MARKING, in_cell(b'<c r="F2" t="str"><v>9</v></c>')),
    "value hidden by its format": replace(
        "xl/styles.xml",
        lambda c: c.replace(
            b'<numFmts count="0"/>',
            b'<numFmts count="1"><numFmt numFmtId="164" formatCode=";;;"/></numFmts>',
        ).replace(
            b'<xf numFmtId="0" fontId="0" fillId="2" borderId="0" applyProtection="1"',
            b'<xf numFmtId="164" fontId="0" fillId="2" borderId="0" applyProtection="1"',
            1,
        ),
    ),
    "mark in a hidden row": replace(
        MARKING, lambda c: c.replace(b'<row r="2"', b'<row r="2" hidden="1"', 1)
    ),
    "mark in a zero-height row": replace(
        # the issued row has a height of its own (room for its text): set it to zero
        MARKING,
        lambda c: re.sub(rb'<row r="2"[^>]*>', b'<row r="2" ht="0" customHeight="1">', c, count=1),
    ),
    "style that does not exist": replace(MARKING, in_cell(b'<c r="F2" s="999"><v>4</v></c>')),
    "shared string that does not exist": replace(
        MARKING, in_cell(b'<c r="F2" t="s"><v>99999</v></c>')
    ),
    "error value as a mark": replace(MARKING, in_cell(b'<c r="F2" t="e"><v>#DIV/0!</v></c>')),
    "boolean as a mark": replace(MARKING, in_cell(b'<c r="F2" t="b"><v>1</v></c>')),
    "ISO date cell as a mark": replace(MARKING, in_cell(b'<c r="F2" t="d"><v>2016-11-20</v></c>')),
    "NaN as a mark": replace(MARKING, in_cell(b'<c r="F2"><v>NaN</v></c>')),
    "overflowing number as a mark": replace(MARKING, in_cell(b'<c r="F2"><v>1e309</v></c>')),
    "off-scale mark": replace(MARKING, in_cell(b'<c r="F2"><v>4.0000000001</v></c>')),
    # shape
    "cell stored twice": replace(
        MARKING,
        lambda c: re.sub(rb'(<c r="F2"[^>]*>.*?</c>)', rb'\1<c r="F2"><v>9</v></c>', c, count=1),
    ),
    "cell in the wrong row": replace(MARKING, in_cell(b'<c r="F3"><v>9</v></c>')),
    "row without a number": replace(MARKING, lambda c: c.replace(b'<row r="2"', b"<row", 1)),
    "far cell": replace(
        MARKING, before(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    ),
    "lying dimension": replace(
        MARKING, before(b"<sheetViews>", b'<dimension ref="A1:XFD1048576"/>')
    ),
    "merged cells": replace(
        MARKING,
        before(b"<pageMargins", b'<mergeCells count="1"><mergeCell ref="F2:G3"/></mergeCells>'),
    ),
    "no workbook relationships": lambda items: [(n, c) for n, c in items if n != RELS],
    "no package relationships": lambda items: [(n, c) for n, c in items if n != "_rels/.rels"],
    "zip bomb": add("xl/media/filler.xml", b"<a>" + b"0" * (3 << 20) + b"</a>"),
}
RAW: dict[str, Callable[[bytes], bytes]] = {
    "truncated zip": lambda data: data[: len(data) // 2],
    "not a zip": lambda data: b"<html>my marks are attached</html>" * 10,
    "encrypted or legacy .xls": lambda data: OLE2_MAGIC + bytes(504),
    "empty file": lambda data: b"",
}


# what each refusal must say: refused for its own reason, not by accident
REASONS = {
    "copy under a '..' name": "found a part name that is not plain",
    "copy under a case variant": "differ only in letter case",
    "relationship through '..'": "found a relationship to",
    "relationship with '//'": "found a relationship to",
    "relationship with a backslash": "found a relationship to",
    "relationship percent-encoded": "found a relationship to",
    "sheet stored outside the worksheets": "expected a worksheet under xl/worksheets/",
    "two sheets on one part": "or sharing a part",
    "main document elsewhere": "found a main document at",
    "two relationships with one id": "found two relationships with id",
    "duplicate zip entry names in other case": "differ only in letter case",
    "macro project under an innocent name": "found macros (a VBA project)",
    "macro part by name": "found macros (a VBA project)",
    "macro-enabled content type": "found a macro-enabled workbook",
    "external hyperlink on the sheet": "found a link to an external resource",
    "external workbook link": "found links to other workbooks",
    "embedded OLE object": "found embedded objects",
    "attached template": "found a link to a template",
    "billion laughs in shared strings": "found a DTD or entity declaration",
    "XXE in core properties": "found a DTD or entity declaration",
    "UTF-16 sheet": "found XML in an encoding other than UTF-8",
    "declared Latin-1 sheet": "found XML in an encoding other than UTF-8",
    "comment in the sheet": "found XML comments, CDATA or processing instructions",
    "CDATA in the sheet": "found XML comments, CDATA or processing instructions",
    "processing instruction": "found XML comments, CDATA or processing instructions",
    "giant attribute": "found an XML tag longer than the limit",
    "deeply nested elements": "found damaged XML",
    "damaged XML": "found damaged XML",
    "cells with a namespace prefix": "found cells written with a namespace prefix",
    "strict OOXML namespace": "found a sheet in another format",
    "formula with a forged cached value": "Marking!F2: found a formula",
    "shared formula": "Marking!F2: found a formula",
    "formula string result": "Marking!F2: found a cell of type 'str'",
    "value hidden by its format": "found text shown differently by the cell's format ';;;'",
    "mark in a hidden row": "found a value in a hidden row or column",
    "mark in a zero-height row": "found a value in a hidden row or column",
    "style that does not exist": "Marking!F2: found a cell style that does not exist",
    "shared string that does not exist": "Marking!F2: found a reference to text that does not",
    "error value as a mark": "Marking!F2: found '#DIV/0!'",
    "boolean as a mark": "Marking!F2: found TRUE (a true/false value)",
    "ISO date cell as a mark": "Marking!F2: found a cell of type 'd'",
    "NaN as a mark": "Marking!F2: found a damaged number 'NaN'",
    "overflowing number as a mark": "Marking!F2: found a damaged number '1e309'",
    "off-scale mark": "Marking!F2: found the number 4.0000000001",
    "cell stored twice": "Marking!F2: found a cell stored twice or out of order",
    "cell in the wrong row": "found a cell 'F3' filed under row '2'",
    "row without a number": "rows without a row number",
    "far cell": "found a row far outside the template",
    "lying dimension": "found the sheet's used range reaching XFD1048576",
    "merged cells": "Marking!F2:G3: found merged cells",
    "no workbook relationships": "xl/_rels/workbook.xml.rels: found no such part",
    "no package relationships": "_rels/.rels: found no such part",
    "zip bomb": "(a zip bomb?)",
    "truncated zip": "found a damaged or truncated zip archive",
    "not a zip": "found a file that is not an Excel workbook",
    "encrypted or legacy .xls": "found an encrypted (password-protected) workbook or a legacy",
    "empty file": "found a file that is not an Excel workbook",
}


def hostile(good: bytes, name: str) -> bytes:
    if name in RAW:
        return RAW[name](good)
    return pack(ATTACKS[name](entries(good)))


def make_kit(factory: pytest.TempPathFactory) -> Any:
    """Templates issued for a fresh copy of the reference project."""
    import shutil

    from tests.conftest import ROOT, PanelKit

    project = factory.mktemp("project")
    shutil.copytree(ROOT / "criteria", project / "criteria")
    shutil.copytree(
        ROOT / "bids" / "pest-control-2016",
        project / "bids" / "pest-control-2016",
        ignore=shutil.ignore_patterns("templates", "returned", "archive", "*.jsonl"),
    )
    return PanelKit(project, project / "criteria" / "pest-control-2016.yaml")


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One issued panel for the collect corpus (no E1 return is ever accepted in it)."""
    return make_kit(tmp_path_factory)


@pytest.mark.parametrize("attack", [*ATTACKS, *RAW])
def test_collect_refuses_each_hostile_return_and_keeps_the_good_one(
    kit: Any, tmp_path: Path, attack: str
) -> None:
    from click.testing import CliRunner

    good = kit.fill("E1").read_bytes()
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "E1.xlsx").write_bytes(hostile(good, attack))
    (folder / "E2.xlsx").write_bytes(kit.fill("E2").read_bytes())
    result = CliRunner().invoke(cli, ["collect", str(kit.reference), str(folder)])
    assert "Traceback" not in result.output + result.stderr
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.stdout
    assert "error: E1.xlsx" in result.stderr
    assert REASONS[attack] in result.stderr
    assert "received: 1 evaluator(s) (E2)" in result.stdout
    marks = kit.tender.resolve(kit.tender.data.marks)
    with open(marks, newline="") as handle:
        evaluators = {row["evaluator_id"] for row in csv.DictReader(handle)}
    assert evaluators == {"E2"}


def test_every_attack_states_its_reason() -> None:
    assert set(REASONS) == {*ATTACKS, *RAW}


def test_the_good_return_the_corpus_is_built_from_is_accepted(kit: Any) -> None:
    # The good return the corpus is built from is itself accepted.
    from tender.excel.returns import read_return
    from tender.panel import panel_files
    from tender.workflows.collect import expected_returns

    good = kit.fill("E1").read_bytes()
    expected = expected_returns(kit.tender, panel_files(kit.tender))
    assert read_return(pack(entries(good)), "E1.xlsx", expected).evaluator_id == "E1"


# The attacks that do not depend on the marking sheet's layout, as moderation workbooks.
MODERATION_ATTACKS = [
    "copy under a case variant",
    "duplicate zip entry names in other case",
    "macro part by name",
    "macro-enabled content type",
    "external workbook link",
    "attached template",
    "XXE in core properties",
    "UTF-16 sheet",
    "comment in the sheet",
    "giant attribute",
    "deeply nested elements",
    "damaged XML",
    "no workbook relationships",
    "no package relationships",
    "zip bomb",
    *RAW,
]


@pytest.fixture(scope="module")
def moderating(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, bytes]:
    """A panel of its own, every return collected, and its moderation workbook."""

    kit = make_kit(tmp_path_factory)
    collection = kit.collect_all()
    assert collection.moderation_path is not None
    return kit, collection.moderation_path.read_bytes()


@pytest.mark.parametrize("attack", MODERATION_ATTACKS)
def test_moderate_refuses_each_hostile_moderation_workbook(
    moderating: tuple[Any, bytes], tmp_path: Path, attack: str
) -> None:
    from click.testing import CliRunner

    kit, moderation_workbook = moderating

    moderated = Path(kit.tender.resolve(kit.tender.data.moderated))
    before = moderated.read_bytes()
    path = tmp_path / "moderation.xlsx"
    path.write_bytes(hostile(moderation_workbook, attack))
    result = CliRunner().invoke(cli, ["moderate", str(kit.reference), str(path)])
    assert "Traceback" not in result.output + result.stderr
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.stdout
    assert "moderation.xlsx" in result.stderr
    assert REASONS[attack] in result.stderr
    assert moderated.read_bytes() == before
