"""The award as open data: an OCDS 1.1 release package with the bids and UK extensions.

Typed records with the standard's own field names, built from the publication facts
(`publication.Published`) and turned into plain JSON data, empty fields left out. The
mapping, field by field, is in README.md ("Publication"). There is no OCDS field for a
bid's score or an evaluator's reasons, and none are published. Pure; no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from . import display
from .allocation import RULES
from .errors import Problem
from .model import Tender
from .ocds_schema import BIDS_EXTENSION, LOTS_EXTENSION, UK_EXTENSION
from .publication import Bidder, Published

VERSION = "1.1"
METHODS = {"published_tender": "open", "invitation_to_quote": "limited"}
METHOD_DETAILS = {
    "published_tender": "Published tender",
    "invitation_to_quote": "Invitation to quote",
}


@dataclass(frozen=True)
class Value:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Period:
    startDate: str | None = None
    endDate: str | None = None
    maxExtentDate: str | None = None


@dataclass(frozen=True)
class Identifier:
    scheme: str
    id: str
    legalName: str | None = None


@dataclass(frozen=True)
class Address:
    streetAddress: str


@dataclass(frozen=True)
class Details:
    scale: str | None = None  # OCDS guidance: "sme" or "large"
    vcse: bool | None = None  # UK extension


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    roles: list[str]
    identifier: Identifier | None = None
    address: Address | None = None
    details: Details | None = None


@dataclass(frozen=True)
class OrganizationReference:
    id: str
    name: str


@dataclass(frozen=True)
class Document:
    id: str
    documentType: str
    title: str
    description: str
    format: str | None = None
    datePublished: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class Bid:
    id: str
    status: str
    tenderers: list[OrganizationReference]
    value: Value | None = None
    documents: list[Document] = field(default_factory=list)
    relatedLots: list[str] = field(default_factory=list)  # lots extension


@dataclass(frozen=True)
class Bids:
    details: list[Bid]


@dataclass(frozen=True)
class Award:
    id: str
    title: str
    status: str
    suppliers: list[OrganizationReference]
    relatedBid: str
    date: str | None = None
    value: Value | None = None
    contractPeriod: Period | None = None
    standstillPeriod: Period | None = None
    assessmentSummariesDateSent: str | None = None
    mainProcurementCategory: str | None = None
    documents: list[Document] = field(default_factory=list)
    relatedLots: list[str] = field(default_factory=list)  # lots extension


@dataclass(frozen=True)
class Lot:
    id: str
    title: str
    status: str  # tenderStatus: complete (awarded) or unsuccessful (left unawarded)
    value: Value | None = None  # the lot's estimated value (lots[i].estimated_value)
    contractPeriod: Period | None = None


@dataclass(frozen=True)
class LotDetails:
    maximumLotsAwardedPerSupplier: int | None = None
    awardCriteriaDetails: str | None = None  # how lots are awarded, in words


@dataclass(frozen=True)
class TenderSection:
    id: str
    title: str
    status: str
    awardCriteria: str
    awardCriteriaDetails: str
    numberOfTenderers: int
    tenderers: list[OrganizationReference]
    description: str | None = None
    value: Value | None = None
    procurementMethod: str | None = None
    procurementMethodDetails: str | None = None
    mainProcurementCategory: str | None = None
    contractPeriod: Period | None = None
    lots: list[Lot] = field(default_factory=list)  # lots extension
    lotDetails: LotDetails | None = None


@dataclass(frozen=True)
class Release:
    ocid: str
    date: str
    tag: list[str]
    initiationType: str
    parties: list[Organization]
    buyer: OrganizationReference
    tender: TenderSection
    bids: Bids
    awards: list[Award]
    language: str = "en"


@dataclass(frozen=True)
class DocumentsWritten:
    """Which of the tender's documents exist, for the award's `documents`."""

    award_report: bool = False


def missing_keys(tender: Tender, source: str) -> list[Problem]:
    """The definition keys a release package cannot do without, each named."""
    pub = tender.publication
    out = []
    if pub.ocid_prefix is None:
        out.append(
            Problem(
                source,
                "publication.ocid_prefix",
                "nothing",
                "the publisher's OCDS prefix, such as ocds-h6vhtk (the ocid is the prefix, "
                "'-' and tender.reference)",
            )
        )
    if pub.uri is None:
        out.append(
            Problem(
                source,
                "publication.uri",
                "nothing",
                "the web address the release package will be published at (https://...)",
            )
        )
    return out


def ocid(tender: Tender) -> str:
    """`<ocid_prefix>-<tender.reference>`: one contracting process, one ocid."""
    assert tender.publication.ocid_prefix is not None
    return f"{tender.publication.ocid_prefix}-{tender.tender.reference}"


def release_package(facts: Published, written: DocumentsWritten) -> dict[str, Any]:
    """The release package as JSON data: publisher, one award release, its extensions."""
    return _package(facts.tender, [facts], written)


def lots_release_package(
    tender: Tender, lots: Sequence[Published], written: DocumentsWritten
) -> dict[str, Any]:
    """The release package of a procurement divided into lots: `tender` the whole
    definition, `lots` each lot's facts in lot order (`publication.published` with its
    `LotAward`). One release: `tender.lots`, every bid with its lot, an award per awarded
    lot; it declares the lots extension."""
    return _package(tender, list(lots), written)


def _package(tender: Tender, lots: list[Published], written: DocumentsWritten) -> dict[str, Any]:
    pub = tender.publication
    assert pub.uri is not None
    release = as_json(_release(tender, lots, written))
    digest = hashlib.sha256(json.dumps(release, sort_keys=True).encode()).hexdigest()
    release = {"ocid": release["ocid"], "id": f"{release['ocid']}-award-{digest[:12]}", **release}
    publisher = as_json(
        {
            "name": pub.publisher.name or tender.tender.authority,
            "scheme": pub.publisher.scheme,
            "uid": pub.publisher.uid,
            "uri": pub.publisher.uri,
        }
    )
    lotted = lots[0].lot is not None
    package: dict[str, Any] = {
        "uri": pub.uri,
        "version": VERSION,
        "extensions": (
            [BIDS_EXTENSION, LOTS_EXTENSION, UK_EXTENSION]
            if lotted
            else [BIDS_EXTENSION, UK_EXTENSION]
        ),
        "publishedDate": at(lots[0].published_on),
        "publisher": publisher,
    }
    if pub.license:
        package["license"] = pub.license
    package["releases"] = [release]
    return package


def _release(tender: Tender, lots: list[Published], written: DocumentsWritten) -> Release:
    facts = lots[0]
    buyer = _buyer(tender)
    bidders = _bidders_once(lots)
    refs = {b.bidder_id: _reference(b) for b in bidders}
    return Release(
        ocid=ocid(tender),
        date=at(facts.published_on),
        tag=["award"],
        initiationType="tender",
        parties=[buyer, *(_party(b) for b in bidders)],
        buyer=OrganizationReference(buyer.id, buyer.name),
        tender=_tender(tender, lots, list(refs.values())),
        bids=Bids([_bid(f, b, refs[b.bidder_id]) for f in lots for b in f.bidders]),
        awards=[_award(f, refs, written) for f in lots if f.awarded is not None],
    )


def _bidders_once(lots: list[Published]) -> list[Bidder]:
    """Each bidder once, in the order they first appear: as the lot it is awarded shows
    it (its supplier details), else its first lot."""
    out: dict[str, Bidder] = {}
    for facts in lots:
        for bidder in facts.bidders:
            known = out.get(bidder.bidder_id)
            if known is None or (bidder.is_supplier and not known.is_supplier):
                out[bidder.bidder_id] = bidder
    return list(out.values())


def _lot_ids(facts: Published) -> list[str]:
    return [] if facts.lot is None else [facts.lot.lot_id]


def _award(
    facts: Published, refs: dict[str, OrganizationReference], written: DocumentsWritten
) -> Award:
    tender = facts.tender
    supplier = facts.supplier
    return Award(
        id=_award_id(facts, supplier),
        title=f"{tender.tender.title}: award",
        status="pending",
        suppliers=[refs[supplier.bidder_id]],
        relatedBid=_bid_id(supplier, facts),
        date=at(facts.award_date) if facts.award_date else None,
        value=_value(tender, facts.award_value),
        contractPeriod=_contract_period(facts),
        standstillPeriod=(
            Period(at(facts.standstill.start), at(facts.standstill.end, end_of_day=True))
            if facts.standstill
            else None
        ),
        assessmentSummariesDateSent=(at(facts.summaries_sent) if facts.summaries_sent else None),
        mainProcurementCategory=tender.publication.category,
        documents=_documents(facts, written),
        relatedLots=_lot_ids(facts),
    )


def _buyer(tender: Tender) -> Organization:
    """The authority; it carries the publisher's identifier when it is the publisher."""
    publisher = tender.publication.publisher
    authority = tender.tender.authority
    identifier = None
    if publisher.name in (None, authority) and publisher.scheme and publisher.uid:
        identifier = Identifier(publisher.scheme, publisher.uid, authority)
    party_id = f"{identifier.scheme}-{identifier.id}" if identifier else "buyer"
    return Organization(party_id, authority, ["buyer"], identifier)


def _party_id(bidder: Bidder) -> str:
    return f"tenderer-{bidder.bidder_id}"


def _bid_id(bidder: Bidder, facts: Published) -> str:
    """`bid-<bidder_id>`; in a lot, `bid-<lot id>-<bidder_id>` (one bid per lot bid for)."""
    if facts.lot is None:
        return f"bid-{bidder.bidder_id}"
    return f"bid-{facts.lot.lot_id}-{bidder.bidder_id}"


def _award_id(facts: Published, supplier: Bidder) -> str:
    if facts.lot is None:
        return f"award-{supplier.bidder_id}"
    return f"award-{facts.lot.lot_id}-{supplier.bidder_id}"


def _reference(bidder: Bidder) -> OrganizationReference:
    return OrganizationReference(_party_id(bidder), bidder.name)


def _party(bidder: Bidder) -> Organization:
    identifier = (
        Identifier(bidder.scheme, bidder.identifier, bidder.name)
        if bidder.scheme and bidder.identifier
        else None
    )
    scale = None if bidder.sme is None else ("sme" if bidder.sme else "large")
    details = Details(scale, bidder.vcse) if scale or bidder.vcse is not None else None
    return Organization(
        id=_party_id(bidder),
        name=bidder.name,
        roles=["tenderer", "supplier"] if bidder.is_supplier else ["tenderer"],
        identifier=identifier,
        address=Address(bidder.address) if bidder.address else None,
        details=details,
    )


def _tender(
    tender: Tender, lots: list[Published], tenderers: list[OrganizationReference]
) -> TenderSection:
    pub = tender.publication
    facts = lots[0]
    lotted = facts.lot is not None
    each = [f.tender for f in lots]
    codes = {award_criteria(t) for t in each}
    return TenderSection(
        id=tender.tender.reference,
        title=tender.tender.title,
        status="complete",
        awardCriteria=codes.pop() if len(codes) == 1 else "ratedCriteria",
        awardCriteriaDetails=(
            " ".join(
                f"Lot {f.lot.lot_id}: {award_criteria_details(f.tender)}." for f in lots if f.lot
            )
            if lotted
            else award_criteria_details(tender)
        ),
        numberOfTenderers=len(tenderers),
        tenderers=tenderers,
        description=pub.description,
        value=_value(tender, tender.contract.estimated_value),
        procurementMethod=METHODS.get(pub.procedure or ""),
        procurementMethodDetails=METHOD_DETAILS.get(pub.procedure or ""),
        mainProcurementCategory=pub.category,
        contractPeriod=_contract_period(facts),
        lots=[_lot(f) for f in lots if f.lot is not None],
        lotDetails=_lot_details(tender) if lotted else None,
    )


def _lot(facts: Published) -> Lot:
    assert facts.lot is not None
    status = "complete" if facts.awarded is not None else "unsuccessful"
    value = _value(facts.tender, facts.tender.contract.estimated_value)
    return Lot(facts.lot.lot_id, facts.lot.title, status, value, _contract_period(facts))


def _lot_details(tender: Tender) -> LotDetails:
    """The definition's award rules (`award`) as the lots extension states them, in the
    allocation's own words (`allocation.RULES`)."""
    rules = tender.award
    cap = rules.max_lots_per_bidder if rules is not None else None
    if rules is None or cap is None:
        return LotDetails(None, "Each lot is awarded to its highest-ranked bid.")
    lots = f"{cap} lot" if cap == 1 else f"{cap} lots"
    words = f"At most {lots} per bidder; lots are awarded by {RULES[rules.allocation]}."
    return LotDetails(cap, words)


def award_criteria(tender: Tender) -> str:
    """The awardCriteria code (OCDS 1.1.5 codelist): price only, quality only, or rated."""
    if tender.weights.quality == 0:
        return "priceOnly"
    if tender.weights.price == 0:
        return "qualityOnly"
    return "ratedCriteria"


def award_criteria_details(tender: Tender) -> str:
    """The criteria and their weights in words: 'Price 60%; quality 40%: Q1 Title 12%, ...'."""
    parts = [f"{tender.price.criterion} {tender.weights.price:g}%"]
    criteria = ", ".join(
        f"{c.id} {c.title} {c.weight:g}%"
        + (
            " (" + ", ".join(f"{s.id} {s.title} {s.weight:g}%" for s in c.sub_criteria) + ")"
            if c.sub_criteria
            else ""
        )
        for c in tender.quality.criteria
    )
    parts.append(f"quality {tender.weights.quality:g}%: {criteria}")
    return "; ".join(parts)


def _bid(facts: Published, bidder: Bidder, ref: OrganizationReference) -> Bid:
    bid_id = _bid_id(bidder, facts)
    # Only the awarded bid's value is published, and only when it is a price paid by the
    # authority (an income offer is not the bid's value); others' prices stay confidential.
    # The bids extension has no field for why a bid was disqualified: the reason is the
    # description of a document of the bid (no text of it is published beyond that).
    documents = (
        [
            Document(
                id=f"{bid_id}-disqualification",
                documentType="evaluationReports",
                title="Why the bid was disqualified",
                description=display.sentence(f"The bid {bidder.reason}"),
                datePublished=at(facts.published_on),
            )
        ]
        if bidder.reason
        else []
    )
    value = _value(facts.tender, bidder.value)
    return Bid(bid_id, bidder.status, [ref], value, documents, _lot_ids(facts))


def _value(tender: Tender, amount: Decimal | None) -> Value | None:
    return None if amount is None else Value(amount, tender.tender.currency)


def _contract_period(facts: Published) -> Period | None:
    if facts.contract_start is None:
        return None
    return Period(
        at(facts.contract_start),
        at(facts.contract_end, end_of_day=True) if facts.contract_end else None,
        at(facts.max_extent, end_of_day=True) if facts.max_extent else None,
    )


def _documents(facts: Published, written: DocumentsWritten) -> list[Document]:
    tender = facts.tender
    out = []
    if written.award_report:
        out.append(
            Document(
                id="award-report",
                documentType="evaluationReports",
                title=f"{tender.tender.title}: award recommendation report",
                description="The report recommending the award, with the evaluation's method "
                "and results (Table 1).",
                format="application/pdf",
                datePublished=at(facts.award_date) if facts.award_date else None,
            )
        )
    if facts.summaries_sent is not None:
        out.append(
            Document(
                id="assessment-summaries",
                documentType="evaluationReports",
                title="Assessment summaries",
                description="An assessment summary was sent to each supplier that submitted "
                "an assessed tender (Procurement Act 2023 s.50); they are not published.",
                datePublished=at(facts.summaries_sent),
            )
        )
    return out


def at(day: date, *, end_of_day: bool = False) -> str:
    """A UK date as an OCDS date-time: its first (or last) second, UK local time."""
    clock = "23:59:59" if end_of_day else "00:00:00"
    return f"{day.isoformat()}T{clock}{uk_offset(day, end_of_day=end_of_day)}"


def uk_offset(day: date, *, end_of_day: bool = False) -> str:
    """'+01:00' in British Summer Time, 'Z' otherwise.

    BST runs from 01:00 GMT on the last Sunday of March to 01:00 GMT on the last Sunday of
    October, so midnight on the March Sunday is still GMT and midnight on the October
    Sunday still BST.
    """
    spring, autumn = _last_sunday(day.year, 3), _last_sunday(day.year, 10)
    summer = spring <= day < autumn if end_of_day else spring < day <= autumn
    return "+01:00" if summer else "Z"


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def as_json(value: Any) -> Any:
    """Records as plain JSON data: dataclasses to objects, amounts to numbers, and every
    empty field (None, [], {}) left out."""
    if is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, dict):
        pairs = ((k, as_json(v)) for k, v in value.items())
        return {k: v for k, v in pairs if v not in (None, [], {})}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def text_of(package: dict[str, Any]) -> str:
    """The package as written: UTF-8 JSON, two-space indent, stable order, final newline."""
    return json.dumps(package, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
