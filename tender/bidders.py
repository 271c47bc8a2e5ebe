"""What a bidder id and a bidder name may be: one rule, used by every reader of the bid list.

Ids travel through every file the tool writes and reads back (marks, moderated marks,
workbooks, letters' file names), so they are held to a safe alphabet rather than escaped
on the way out: a CSV cell can never start with a formula trigger, and no look-alike from
another script can pass for another bidder's id. Names are printed, never parsed: they are
cleaned once, here, where they enter (one Unicode normalisation, control characters made
visible), and everything downstream compares the cleaned name. Pure; no I/O.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import shorten
from .model import ID_PATTERN, SUPPLIER_COLUMNS
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


_ID_FIRST = string.ascii_letters + string.digits
_ID_OTHER = _ID_FIRST + "_.-"
_ID_LONGEST = 40
_ID_BYTES = (_ID_OTHER + "\n").encode()  # what a joined list of sound ids is made of
_IS_FIRST = np.zeros(256, dtype=bool)
_IS_FIRST[list(_ID_FIRST.encode())] = True


def all_ids_sound(ids: npt.NDArray[np.object_]) -> bool:
    """Whether every id follows `ID_PATTERN` and none repeats, checked in bulk.

    The usual case, a sound list, is decided on the ids joined by newlines as one byte
    string: every byte from the id alphabet, each line 1 to 40 bytes starting with a
    letter or digit, then one hash of the ids for repeats; a few passes over the bytes
    rather than a match per id. Anything else (an empty list, text that is not ASCII, a
    newline inside an id, a value that is not text) answers False and goes to
    `id_problems`, which names each problem. A property test holds this to the pattern.
    """
    if ids.size == 0:
        return False
    try:
        joined = "\n".join(ids).encode("ascii")
    except (TypeError, UnicodeEncodeError):
        return False
    if joined.translate(None, _ID_BYTES):
        return False
    data = np.frombuffer(joined, dtype=np.uint8)
    breaks = np.flatnonzero(data == ord("\n"))
    if breaks.size != ids.size - 1:
        return False
    starts = np.concatenate(([0], breaks + 1))
    ends = np.append(breaks, data.size)
    lengths = ends - starts
    if lengths.min() < 1 or lengths.max() > _ID_LONGEST or not _IS_FIRST[data[starts]].all():
        return False
    return bool(pd.Index(ids).is_unique)


def as_text(values: pd.Series) -> pd.Series:
    """The column as text, a missing value (None, NaN) as '': pandas' `astype(str)` keeps a
    missing value missing, which no text check can then read."""
    return values.astype(object).where(values.notna(), "").astype(str)


def id_problems(ids: pd.Series, first_line: int, limit: int = 200) -> list[IdProblem]:
    """Every empty, malformed or repeated bidder id, in file order, at most `limit`.

    `first_line` is the file line of position 0, for "first at line N". Linear in the number
    of rows, so a file of a million bad ids is refused as fast as a good one is read.
    """
    text = as_text(ids).reset_index(drop=True)
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


MAX_DETAIL = 500  # characters: a 300-character legal name passes, a pasted document does not
# org-id.guide list codes, as OCDS party identifiers use them (GB-COH, GB-CHC, GB-PPON …)
SCHEME_PATTERN = re.compile(r"[A-Z]{2}-[A-Z0-9]{2,12}")
SCHEME_NAMES = {
    "GB-COH": "Companies House",
    "GB-CHC": "Charity Commission for England and Wales",
    "GB-SC": "Scottish Charity Regulator",
    "GB-NIC": "Charity Commission for Northern Ireland",
    "GB-PPON": "Public Procurement Organisation Number",
}
# Companies House numbers: eight digits, or two letters and six digits (SC, NI, OC, …)
COMPANY_NUMBER = re.compile(r"[0-9]{8}|[A-Z]{2}[0-9]{6}")
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]{0,63}")
# one @, no spaces, a dot in the domain: enough to catch a name or phone number in the column
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
REG31_ITEMS = {
    "address": "the supplier's contact postal address (Procurement Regulations 2024 reg 31(2)(b))",
    "email": "the supplier's contact email address (Procurement Regulations 2024 reg 31(2)(b))",
    "identifier_id": "the supplier's unique identifier (Procurement Regulations 2024 reg 31(2)(c))",
}


@dataclass(frozen=True)
class Supplier:
    """One bidder as the law names it; '' where the bids file does not say."""

    bidder_id: str
    bidder: str
    line: int
    legal_name: str = ""
    address: str = ""
    email: str = ""
    identifier_scheme: str = ""
    identifier_id: str = ""

    @property
    def name(self) -> str:
        """The legal name where given, else the name the bid was made under."""
        return self.legal_name or self.bidder

    @property
    def identifier(self) -> str:
        """'01234567 (Companies House, GB-COH)', or '' when none was given."""
        if not self.identifier_id:
            return ""
        known = SCHEME_NAMES.get(self.identifier_scheme)
        scheme = f"{known}, {self.identifier_scheme}" if known else self.identifier_scheme
        return f"{self.identifier_id} ({scheme})"

    def missing_for_reg31(self) -> list[str]:
        """The bids columns a reg 31 assessment summary needs and this supplier lacks."""
        return [column for column in REG31_ITEMS if not getattr(self, column)]


@dataclass(frozen=True)
class DetailProblem:
    """One bad supplier detail: its 0-based row, its column, found and expected."""

    position: int
    column: str
    found: str
    expected: str


def clean_detail(value: str) -> str:
    """A supplier detail as printed: `clean_name`, with line breaks in an address as ', '."""
    lines = [clean_name(line) for line in re.split(r"\r\n|\r|\n", value)]
    return ", ".join(line for line in lines if line)


def detail_problem(column: str, value: str, scheme: str) -> tuple[str, str] | None:
    """(found, expected) when `value` (cleaned, non-empty) cannot be `column`'s; else None."""
    if len(value) > MAX_DETAIL:
        return f"{len(value)} characters", f"at most {MAX_DETAIL} characters"
    if column == "email" and not EMAIL.fullmatch(value):
        return f"{shorten(value)}", "one email address, such as tenders@example.co.uk"
    if column == "identifier_scheme" and not SCHEME_PATTERN.fullmatch(value):
        return (
            f"{shorten(value)}",
            "an org-id.guide scheme code in capitals, such as GB-COH (Companies House) "
            "or GB-PPON (the central digital platform's number)",
        )
    if column == "identifier_id" and scheme == "GB-COH" and not COMPANY_NUMBER.fullmatch(value):
        hint = " (a spreadsheet may have dropped leading zeros)" if value.isdigit() else ""
        return (
            f"{shorten(value)}{hint}",
            "a Companies House number: eight digits, or two letters and six digits, "
            "such as 01234567 or SC123456",
        )
    if column == "identifier_id" and not IDENTIFIER.fullmatch(value):
        return f"{shorten(value)}", "up to 64 letters, digits, '.', '/' or '-', with no spaces"
    return None


def supplier_map(bids: pd.DataFrame, first_line: int = 2) -> dict[str, Supplier]:
    """{bidder_id: Supplier} for a checked bids table (the first row of a repeated id)."""
    out: dict[str, Supplier] = {}
    for supplier in suppliers(bids, first_line)[0]:
        out.setdefault(supplier.bidder_id, supplier)
    return out


def _vet_details(position: int, present: list[str], values: dict[str, str]) -> list[DetailProblem]:
    """One row's detail problems; ``values`` is normalised in place, a refused detail emptied."""
    values["identifier_scheme"] = values.get("identifier_scheme", "").upper()
    if values.get("identifier_scheme") == "GB-COH":
        values["identifier_id"] = values.get("identifier_id", "").upper()
    problems: list[DetailProblem] = []
    refused = set()
    for column in present:
        value = values[column]
        wrong = detail_problem(column, value, values["identifier_scheme"]) if value else None
        if wrong is not None:
            problems.append(DetailProblem(position, column, *wrong))
            values[column] = ""
            refused.add(column)
    return problems + _identifier_pair(position, values, refused)


def _identifier_pair(
    position: int, values: dict[str, str], refused: set[str]
) -> list[DetailProblem]:
    """A scheme without an identifier, or an identifier without a scheme (then dropped)."""
    scheme, number = values.get("identifier_scheme", ""), values.get("identifier_id", "")
    if scheme and not number and "identifier_id" not in refused:
        return [
            DetailProblem(
                position,
                "identifier_id",
                "nothing",
                f"the supplier's identifier in scheme {scheme}, or no scheme",
            )
        ]
    if number and not scheme:
        values["identifier_id"] = ""
        if "identifier_scheme" not in refused:
            return [
                DetailProblem(
                    position,
                    "identifier_scheme",
                    "nothing",
                    "the scheme of the identifier, such as GB-COH for a Companies House number",
                )
            ]
    return []


def suppliers(
    bids: pd.DataFrame, first_line: int = 2
) -> tuple[list[Supplier], list[DetailProblem]]:
    """Every row's supplier details, and every detail that is not what its column holds.

    A refused detail is left out of the record (read as not given), so a check can list
    every problem at once; a scheme without an identifier, or the reverse, is a problem on
    the one missing.
    """
    present = [c for c in SUPPLIER_COLUMNS if c in bids.columns]
    ids = bids["bidder_id"].astype(str).tolist() if "bidder_id" in bids else []
    names = bids["bidder"].astype(str).tolist() if "bidder" in bids else [""] * len(ids)
    columns = {c: bids[c].fillna("").astype(str).map(clean_detail).tolist() for c in present}
    out: list[Supplier] = []
    problems: list[DetailProblem] = []
    for position, (bidder_id, bidder) in enumerate(zip(ids, names, strict=True)):
        values = {c: columns[c][position] for c in present}
        problems.extend(_vet_details(position, present, values))
        out.append(Supplier(bidder_id, bidder, position + first_line, **values))
    return out, problems
