"""Results of a definition with lots: each lot's results files, and the allocation's.

`score` on a lots definition writes, under reports/<tender>/ (or --out), each lot's
results.csv, results.json and results.xlsx in lots/<lot id>/, exactly as a tender's, and
allocation.csv and allocation.json: who is awarded each lot, its rank and total there, and
the reason in the words the letters quote. Rendered in memory; the same inputs give the
same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from . import __version__, display
from .allocation import RULES
from .lots import LotsEvaluation, award_rules
from .outputs import render_results, results_document
from .safety import csv_cell

ALLOCATION_COLUMNS = (
    "lot_id",
    "lot_title",
    "bidder_id",
    "bidder",
    "rank",
    "total_score",
    "total_score_shown",
    "reason",
)


def lot_folder(folder: Path, lot_id: str) -> Path:
    """Where one lot's results go inside the tender's results folder."""
    return folder / "lots" / lot_id


def allocation_rows(lots: LotsEvaluation) -> list[dict[str, Any]]:
    """One row per lot, in lot order: the award, with full-precision and shown totals."""
    rows = []
    for lot, ev, award in zip(lots.tender.lots, lots.lots, lots.allocation.awards, strict=True):
        names = dict(zip(ev.table["bidder_id"], ev.table["bidder"], strict=True))
        rows.append(
            {
                "lot_id": lot.id,
                "lot_title": lot.title,
                "bidder_id": award.bidder_id,
                "bidder": None if award.bidder_id is None else str(names[award.bidder_id]),
                "rank": award.rank,
                "total_score": award.total,
                "total_score_shown": None if award.total is None else display.score(award.total),
                "reason": award.reason,
            }
        )
    return rows


def allocation_document(lots: LotsEvaluation) -> dict[str, Any]:
    """allocation.json: the award rules stated in advance and each lot's award."""
    rules = award_rules(lots.tender)
    identity = lots.tender.tender
    return {
        "tender": {
            "reference": identity.reference,
            "title": identity.title,
            "authority": identity.authority,
        },
        "tool": {"name": "tender", "version": __version__},
        "provisional": lots.provisional,
        "award": {
            "max_lots_per_bidder": rules.max_lots_per_bidder,
            "allocation": rules.allocation,
            "rule": RULES[rules.allocation],
        },
        "lots": allocation_rows(lots),
    }


def render_allocation_csv(lots: LotsEvaluation) -> bytes:
    """allocation.csv: one row per lot; text neutralised against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(ALLOCATION_COLUMNS)
    for row in allocation_rows(lots):
        total = row["total_score"]
        row["total_score"] = "" if total is None else repr(total)
        writer.writerow(["" if row[c] is None else csv_cell(row[c]) for c in ALLOCATION_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def lots_document(lots: LotsEvaluation) -> dict[str, Any]:
    """Every lot's results document (as `score --format json` prints a tender's) and the
    allocation, as one JSON-ready object."""
    return {
        "lots": [
            {"lot_id": lot.id, "lot_title": lot.title, **results_document(ev)}
            for lot, ev in zip(lots.tender.lots, lots.lots, strict=True)
        ],
        "allocation": allocation_document(lots),
    }


def render_lots_results(lots: LotsEvaluation, folder: Path) -> dict[Path, bytes]:
    """Each lot's results files in lots/<lot id>/, then allocation.csv and allocation.json."""
    files: dict[Path, bytes] = {}
    for lot_id, ev in zip(lots.lot_ids, lots.lots, strict=True):
        files.update(render_results(ev, lot_folder(folder, lot_id)))
    text = json.dumps(allocation_document(lots), indent=2, ensure_ascii=False, allow_nan=False)
    files[folder / "allocation.csv"] = render_allocation_csv(lots)
    files[folder / "allocation.json"] = (text + "\n").encode("utf-8")
    return files
