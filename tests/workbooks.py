"""Workbook surgery for tests: a return's parts out, edited parts back into a zip."""

from __future__ import annotations

import io
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
