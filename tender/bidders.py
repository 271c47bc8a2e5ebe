"""What a bidder id and a bidder name may be: one rule, used by every reader of the bid list.

Ids travel through every file the tool writes and reads back (marks, moderated marks,
workbooks, letters' file names), so they are held to a safe alphabet rather than escaped
on the way out: a CSV cell can never start with a formula trigger, and no look-alike from
another script can pass for another bidder's id. Names are printed, never parsed: they are
cleaned once, here, where they enter (one Unicode normalisation, control characters made
visible), and everything downstream compares the cleaned name. Pure; no I/O.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import shorten
from .model import ID_PATTERN
from .safety import clean_text

ONCE = "each bidder once"
ID_RULE = (
    "an id of up to 40 letters A-Z, digits, '_', '.' or '-', starting with a letter or digit, "
    "such as A or 0042"
)


@dataclass(frozen=True)
class IdProblem:
    """One bad id: its 0-based position in the bid list, what was found and what is expected."""

    position: int
    found: str
    expected: str


def clean_name(name: str) -> str:
    """A name as every output shows it: NFC, control characters as U+FFFD, trimmed."""
    return clean_text(unicodedata.normalize("NFC", name)).strip()


def clean_names(names: pd.Series) -> pd.Series:
    """`clean_name` over a column (the common ASCII case is left as it is, trimmed)."""
    text = names.astype(str)
    plain = text.str.isascii() & ~text.str.contains(r"[\x00-\x1f\x7f]", regex=True)
    if bool(plain.all()):
        return text.str.strip()
    return text.where(plain, text.map(clean_name)).str.strip()


def id_problems(ids: pd.Series, first_line: int, limit: int = 200) -> list[IdProblem]:
    """Every empty, malformed or repeated bidder id, in file order, at most `limit`.

    `first_line` is the file line of position 0, for "first at line N". Linear in the number
    of rows, so a file of a million bad ids is refused as fast as a good one is read.
    """
    text = ids.astype(str).reset_index(drop=True)
    malformed = ~text.str.fullmatch(ID_PATTERN).astype(bool)
    repeated = text.duplicated() & ~malformed
    bad = np.flatnonzero((malformed | repeated).to_numpy())[:limit]
    if bad.size == 0:
        return []
    unique = text.drop_duplicates()
    first = pd.Series(unique.index, index=unique.to_numpy())
    out = []
    for position in bad.tolist():
        value = str(text.iat[position])
        if not malformed.iat[position]:
            line = int(first[value]) + first_line
            out.append(
                IdProblem(position, f"bidder_id {value!r} again (first at line {line})", ONCE)
            )
        elif value.strip() == "":
            out.append(IdProblem(position, "an empty bidder_id", ID_RULE))
        else:
            out.append(IdProblem(position, f"bidder_id {shorten(value)}", ID_RULE))
    return out
