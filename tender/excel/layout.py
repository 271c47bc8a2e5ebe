"""Where everything sits in the tool's workbooks: shared by the writers and the readers.

A marking template has three sheets: a cover (tender, evaluator, declaration, scale,
instructions), the marking sheet (one row per bidder × criterion) and a very hidden
identity sheet whose fields are sealed with a keyed HMAC. Changing anything here changes
LAYOUT_VERSION, so a return made from an older layout is recognised as such.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Tender

LAYOUT_VERSION = "1"
TEMPLATE_FORMAT = "tender-marking-template"
MODERATION_FORMAT = "tender-moderation-workbook"

COVER = "Cover"
MARKING = "Marking"
IDENTITY = "Identity"
TEMPLATE_SHEETS = (COVER, MARKING, IDENTITY)

# Marking sheet: row 1 is the header, marks start on row 2. Columns A-E are locked.
MARKING_HEADER = (
    "Bidder ID",
    "Bidder",
    "Criterion ID",
    "Criterion",
    "Guidance",
    "Mark",
    "Justification",
)
LOCKED_COLUMNS = 5
MARK_COLUMN = "F"
JUSTIFICATION_COLUMN = "G"
MARK_INDEX = 5
JUSTIFICATION_INDEX = 6
FIRST_ROW = 2

# Cover sheet: the declaration the evaluator completes, at fixed cells (label in A, answer in B).
DECLARATION = (
    ("name", 9, "Your full name"),
    ("date", 10, "Date of this declaration"),
    ("conflict", 11, "Do you have a conflict of interest with any bidder? (No / Yes)"),
    ("details", 12, "If Yes, the bidder and the nature of the interest"),
)
CONFLICT_ANSWERS = ("No", "Yes")

# Identity sheet: key in A, value in B, in this order; the last row is the seal.
IDENTITY_KEYS = (
    "format",
    "layout_version",
    "tender_reference",
    "evaluator_id",
    "issue",
    "template_id",
    "structure",
)
SEAL_KEY = "hmac"

# Moderation workbook.
MODERATION = "Moderation"
MODERATION_IDENTITY_KEYS = ("format", "layout_version", "tender_reference", "structure")

# Bounds of what the reader accepts before parsing: the issued shape plus some slack.
ROW_SLACK = 200
MAX_COLUMNS = 40


@dataclass(frozen=True)
class Row:
    """One marking row: what the evaluator marks (bidder × criterion)."""

    bidder_id: str
    bidder: str
    criterion_id: str
    criterion: str
    guidance: str

    def locked(self) -> tuple[str, str, str, str, str]:
        """The locked cells A-E of this row, as written."""
        return (self.bidder_id, self.bidder, self.criterion_id, self.criterion, self.guidance)


def marking_rows(tender: Tender, bidders: Sequence[tuple[str, str]]) -> list[Row]:
    """Every bidder × marked criterion, bidders in bids-file order, criteria in definition order.

    `bidders` holds (bidder_id, bidder name) pairs; prices never reach this function.
    """
    leaves = tender.quality.leaves()
    return [
        Row(bidder_id, name, leaf.id, leaf.title, leaf.guidance)
        for bidder_id, name in bidders
        for leaf in leaves
    ]


def structure_fingerprint(tender: Tender, rows: Sequence[Row]) -> str:
    """SHA-256 of the template's locked content: any edit to it changes this value."""
    body = {
        "layout_version": LAYOUT_VERSION,
        "tender_reference": tender.tender.reference,
        "scale": tender.quality.scale.model_dump(mode="json"),
        "header": list(MARKING_HEADER),
        "rows": [list(row.locked()) for row in rows],
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
