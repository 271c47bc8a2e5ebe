"""Workbook surgery for tests: a return's parts out, edited parts back into a zip."""

from __future__ import annotations

import io
import zipfile

Entries = list[tuple[str, bytes]]


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
