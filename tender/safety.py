"""Neutralise text before it lands in someone else's spreadsheet.

Bidder names and evaluators' justifications come from outside. In CSV a cell starting
with = + - @ or a control character is a formula to Excel (OWASP CSV injection); in
XLSX openpyxl writes any string starting with '=' as a live formula.
"""

from __future__ import annotations

import re
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_cell(value: Any) -> Any:
    """A CSV field: text starting with a formula trigger gets a leading apostrophe.

    Numbers pass through unchanged so they stay numeric.
    """
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def clean_text(text: str) -> str:
    """Replace C0 control characters (which openpyxl refuses) with U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


def set_text(cell: Any, text: str) -> None:
    """Write `text` into an openpyxl cell as a string, never as a formula."""
    cell.value = clean_text(text)
    cell.data_type = "s"
    if text.startswith(TRIGGERS):
        cell.quotePrefix = True
