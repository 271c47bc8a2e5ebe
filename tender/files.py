"""Files on disk: atomic writes, reproducible packages, and the one gate every write passes.

Standard library only (no pandas, no scoring), so every adapter can use it. Outputs are
written to a temporary file beside the target, flushed to disk and renamed into place, so
a failed run leaves earlier files whole.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

from .errors import TenderError

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_ISO_TIME = "1980-01-01T00:00:00Z"


class OutputLockedError(TenderError):
    """An output file could not be replaced (typically: open in Excel on Windows)."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temporary file in the same folder and a rename.

    Raises:
        OutputLockedError: when the rename is refused; the new content is kept beside it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o640)
    except BaseException:
        os.unlink(temp)
        raise
    try:
        os.replace(temp, path)
    except PermissionError:
        raise OutputLockedError(
            f"{path}: could not be replaced (is it open in Excel? close it and run again); "
            f"the new version is in {temp}"
        ) from None
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite an OOXML package (xlsx, docx) with fixed entry times and creation stamps."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_ISO_TIME.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()
