"""`tender price-templates`'s twin: one sealed pricing workbook per bidder, each issue logged.

Built from the schedule of rates and the bidder list only (no quality content), in a
folder of their own (`bids/<tender>/price-templates/`), never beside the marking
templates. Issue numbers are read from the log and the new issues logged under the
tender's lock, as the marking templates' are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..audit import EVENTS, Entry, PriceTemplateIssued, of_event
from ..errors import TenderError
from ..files import os_errors
from ..inputs import load_tender, project_root
from ..model import Schedule, Tender
from ..panel import bidder_list, load_key, panel_files, protected_files
from ..seal import seal

if TYPE_CHECKING:
    from ..excel.price_templates import PriceRow

EVENT = EVENTS[PriceTemplateIssued]


@dataclass(frozen=True)
class IssuedPrices:
    """One pricing workbook written: for which bidder, where, and what identifies it."""

    bidder_id: str
    path: Path
    issue: int
    template_id: str
    sha256: str


def schedule_of(tender: Tender) -> Schedule:
    """The tender's schedule of rates, which pricing workbooks are made from.

    Raises:
        TenderError: when the price model is not a schedule priced by rates.
    """
    spec = tender.price.model
    if not isinstance(spec, Schedule) or spec.basis != "rates":
        raise TenderError(
            f"{tender.source}: price.model: found {spec.name}"
            + (f" with basis {spec.basis}" if isinstance(spec, Schedule) else "")
            + "; expected a schedule priced by rates (name: schedule, basis: rates) for "
            "pricing workbooks"
        )
    return spec


def price_folder(tender: Tender) -> Path:
    """Where pricing workbooks are issued: apart from the marking templates."""
    return panel_files(tender).folder / "price-templates"


def price_templates(
    definition: str | Path | Tender,
    out: Path | None = None,
    bidders: list[str] | None = None,
    *,
    now: str | None = None,
) -> list[IssuedPrices]:
    """Write one sealed pricing workbook per bidder (or per bidder named) and log each issue.

    Raises:
        TenderError: no schedule of rates, or a bidder id not in the bids file.
    """
    from ..audit import append_log, read_log
    from ..excel.price_templates import price_rows, price_structure
    from ..files import Gate
    from ..lock import tender_lock

    tender = definition if isinstance(definition, Tender) else load_tender(definition)
    spec = schedule_of(tender)
    everyone = dict(bidder_list(tender))
    chosen = bidders or list(everyone)
    unknown = [b for b in chosen if b not in everyone]
    if unknown:
        raise TenderError(
            f"bidder {', '.join(unknown)} is not in the bids file ({', '.join(everyone)})"
        )
    files = panel_files(tender)
    rows = price_rows(spec)
    structure = price_structure(tender, rows)
    folder = out or price_folder(tender)
    paths = {b: folder / f"{tender.slug}-prices-{b}.xlsx" for b in chosen}
    creating = [] if files.key.exists() else [files.key]
    gate = Gate(
        tuple(p for p in protected_files(tender) if p not in creating),
        project_root(tender),
        named={out: "--out"} if out else {},
        appends=(files.log,),
    )
    gate.check([*paths.values(), *creating])
    with tender_lock(files.folder):
        key = load_key(files, create=True)
        issues = _issued_so_far(read_log(files.log))
        rendered: dict[Path, bytes] = {}
        issued: list[IssuedPrices] = []
        for bidder_id in chosen:
            issue = issues.get(bidder_id, 0) + 1
            bidder = (bidder_id, everyone[bidder_id])
            data, item = _issue(tender, spec, key, bidder, issue, paths[bidder_id], rows, structure)
            rendered[item.path] = data
            issued.append(item)
        with os_errors(folder, "write the pricing workbooks"):
            gate.write(rendered)
        for item in issued:
            append_log(
                files.log,
                EVENT,
                at=now or _now(),
                bidder_id=item.bidder_id,
                issue=item.issue,
                template_id=item.template_id,
                file=item.path.name,
                sha256=item.sha256,
                structure=structure,
                rows=len(rows),
            )
        return issued


def _issue(
    tender: Tender,
    spec: Schedule,
    key: bytes,
    bidder: tuple[str, str],
    issue: int,
    path: Path,
    rows: list[PriceRow],
    structure: str,
) -> tuple[bytes, IssuedPrices]:
    """One bidder's sealed workbook, identified by tender, bidder and issue number."""
    from ..audit import sha256_bytes
    from ..excel.price_templates import PRICING_FORMAT, PRICING_LAYOUT, write_price_template

    bidder_id = bidder[0]
    template_id = seal(
        key,
        {"tender": tender.tender.reference, "bidder": bidder_id, "issue": str(issue)},
    )[:16]
    identity = {
        "format": PRICING_FORMAT,
        "layout_version": PRICING_LAYOUT,
        "tender_reference": tender.tender.reference,
        "bidder_id": bidder_id,
        "issue": str(issue),
        "template_id": template_id,
        "structure": structure,
    }
    data = write_price_template(tender, spec, bidder, rows, identity, seal(key, identity))
    return data, IssuedPrices(bidder_id, path, issue, template_id, sha256_bytes(data))


def _issued_so_far(entries: list[Entry]) -> dict[str, int]:
    issues: dict[str, int] = {}
    for entry in of_event(entries, PriceTemplateIssued):
        bidder = entry["bidder_id"]
        issues[bidder] = max(issues.get(bidder, 0), entry["issue"])
    return issues


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")
