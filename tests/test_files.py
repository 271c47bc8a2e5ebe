"""Files on disk: atomic writes, reproducible packages, the write gate, bounded reads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tender import files, outputs


def test_outputs_still_offers_the_file_helpers() -> None:
    assert outputs.write_atomic is files.write_atomic
    assert outputs.reproducible_zip is files.reproducible_zip
    assert outputs.OutputLockedError is files.OutputLockedError


def test_reproducible_zip_fixes_entry_times(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("a.xml", b"<a/>")
    data = files.reproducible_zip(buffer.getvalue())
    (entry,) = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert entry.date_time == files.FIXED_ZIP_TIME
    files.write_atomic(tmp_path / "a.zip", data)
    assert (tmp_path / "a.zip").read_bytes() == data
