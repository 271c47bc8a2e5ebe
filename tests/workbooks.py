"""Workbook surgery for tests: a return's parts out, edited parts back into a zip."""

from __future__ import annotations

import io
import re
import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tender.excel.returns import Expected

Entries = list[tuple[str, bytes]]


def refusals(data: bytes, expected: Expected, name: str = "E1.xlsx") -> list[str]:
    """Every problem `read_return` refuses the return with, as printed; [] if it is read."""
    from tender.excel.returns import Refused, read_return

    try:
        read_return(data, name, expected)
    except Refused as exc:
        return [str(p) for p in exc.problems]
    return []


class Filled(bytes):
    """A filled return, named rather than dumped when an example fails."""

    def __repr__(self) -> str:
        return "<E1's filled return>"


def parts(data: bytes) -> Entries:
    """Every zip entry of a workbook, in order, as (name, bytes)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return [(info.filename, archive.read(info)) for info in archive.infolist()]


def rebuild(entries: Entries) -> bytes:
    """A workbook from (name, bytes) entries, deflated, with a fixed time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in entries:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


SHARED_STRINGS = "xl/sharedStrings.xml"
_INLINE = re.compile(
    rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="inlineStr"><is><t>([^<]*)</t></is></c>'
)


def with_shared_strings(
    data: bytes, sheets: tuple[str, ...] = ("xl/worksheets/sheet2.xml",)
) -> bytes:
    """The workbook with the inline strings of `sheets` stored as shared strings, each text
    once, as Excel and LibreOffice save them (xl/sharedStrings.xml, its relationship and
    its content type added)."""
    texts: dict[bytes, int] = {}

    def share(match: re.Match[bytes]) -> bytes:
        index = texts.setdefault(match.group(2), len(texts))
        return match.group(1) + b' t="s"><v>%d</v></c>' % index

    entries = [(n, _INLINE.sub(share, c) if n in sheets else c) for n, c in parts(data)]
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    items = b"".join(b"<si><t>%s</t></si>" % t for t in texts)
    table = b'<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (
        main, len(texts), len(texts), items)  # fmt: skip
    relationship = (
        b'<Relationship Id="rIdShared" Target="sharedStrings.xml" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
        b'formats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    edits = {
        "xl/_rels/workbook.xml.rels": (b"</Relationships>", relationship),
        "[Content_Types].xml": (b"</Types>", override),
    }
    out = []
    for name, content in entries:
        if name in edits:
            old, new = edits[name]
            content = content.replace(old, new)
        out.append((name, content))
    return rebuild([*out, (SHARED_STRINGS, table)])
