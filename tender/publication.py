"""The facts both publications state, worked out once: who bid, who won, what, when.

The OCDS release package (`ocds`) and the contracts register (`register`) must never
disagree, so both read these records. Bidder details come from the bids file's optional
supplier columns, as `bidders.supplier_map` reads them (checked where the file is read),
and its `sme` and `vcse` columns, checked here; a bidder without an identifier gets none.
Bidders the publication settings anonymise carry only their label. Nothing here reads
marks, rationales or feedback: none of it is published. Pure; no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import pandas as pd

from . import dates
from .bidders import Supplier, supplier_map
from .errors import Problem, raise_if, shorten
from .model import Tender
from .price import FORMULAS
from .scoring import Evaluation

FLAG_COLUMNS = ("sme", "vcse")
YES, NO = ("yes", "y", "true"), ("no", "n", "false")

BidStatus = Literal["valid", "disqualified"]
ValueFrom = Literal["awarded bid", "estimate"]


@dataclass(frozen=True)
class Bidder:
    """One bidder as the publications show it.

    `name` is the name published: the legal name (else the bids file's name), or the label
    when anonymised; `scheme`/`identifier` only when both are given and not anonymised.
    `status` is `disqualified` for a bid excluded from ranking (a failed pass/fail
    requirement, a quality threshold, a recorded decision), else `valid`.
    """

    bidder_id: str
    name: str
    anonymised: bool
    scheme: str | None
    identifier: str | None
    address: str | None
    sme: bool | None
    vcse: bool | None
    status: BidStatus
    price: Decimal | None
    is_supplier: bool


@dataclass(frozen=True)
class Standstill:
    """The standstill period the regime imposes: first and last day, and its provision."""

    start: date
    end: date
    provision: str


@dataclass(frozen=True)
class Published:
    """Everything the publications state about the award."""

    tender: Tender
    bidders: list[Bidder]
    bids_name: str  # the bids file, as messages and the register's gaps name it
    published_on: date
    award_date: date | None
    award_value: Decimal | None
    value_from: ValueFrom  # the awarded bid's price, or the contract's estimated value
    contract_start: date | None
    contract_end: date | None
    max_extent: date | None
    standstill: Standstill | None
    summaries_sent: date | None

    @property
    def supplier(self) -> Bidder:
        """The awarded bidder (settled evaluations have exactly one)."""
        return next(b for b in self.bidders if b.is_supplier)


def published(ev: Evaluation, bids: pd.DataFrame, bids_name: str) -> Published:
    """The publication facts of a settled evaluation (one first-ranked bid).

    Raises:
        TenderInputError: a bad `sme`/`vcse` answer in the bids file (line and column),
            or no date to publish on.
    """
    tender = ev.tender
    problems: list[Problem] = []
    flags = _flags(bids, bids_name, problems)
    on = publication_date(tender)
    if on is None:
        source = tender.source.name if tender.source else tender.tender.reference
        problems.append(
            Problem(
                source,
                "publication.published_on",
                "no date",
                "the date the package is published (or letters.award_notice, letters.sent "
                "or report.meeting_date)",
            )
        )
    raise_if(problems)
    assert on is not None
    bidders = _bidders(ev, supplier_map(bids), flags)
    supplier = next(b for b in bidders if b.is_supplier)
    value, value_from = _award_value(tender, supplier)
    start = tender.contract.start
    years = tender.contract.initial_years
    extension = tender.contract.extension_years or 0
    end = _years_on(start, years) if start and years else None
    extent = _years_on(start, years + extension) if start and years and extension else None
    return Published(
        tender=tender,
        bidders=bidders,
        bids_name=bids_name,
        published_on=on,
        award_date=tender.report.meeting_date,
        award_value=value,
        value_from=value_from,
        contract_start=start,
        contract_end=end,
        max_extent=extent,
        standstill=standstill(tender),
        summaries_sent=tender.letters.sent if tender.tender.regime == "pa2023" else None,
    )


def publication_date(tender: Tender) -> date | None:
    """The package's date: publication.published_on, else the first of the award notice,
    the letters' date and the decision that is set."""
    for day in (
        tender.publication.published_on,
        tender.letters.award_notice,
        tender.letters.sent,
        tender.report.meeting_date,
    ):
        if day is not None:
            return day
    return None


def standstill(tender: Tender) -> Standstill | None:
    """The standstill, once the date it runs from is set; none under local rules."""
    letters, regime = tender.letters, tender.tender.regime
    if regime == "pcr2015" and letters.sent is not None:
        end = dates.pcr2015_standstill_end(letters.sent)
        return Standstill(letters.sent, end, "Public Contracts Regulations 2015 reg 87")
    if regime == "pa2023" and letters.award_notice is not None:
        end = dates.pa2023_standstill_end(letters.award_notice)
        return Standstill(letters.award_notice, end, "Procurement Act 2023 s.51")
    return None


def _years_on(start: date, years: int) -> date:
    """The last day of a term of `years` whole years from `start`."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + years, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


def _award_value(tender: Tender, supplier: Bidder) -> tuple[Decimal | None, ValueFrom]:
    """The awarded bid's price under a cost formula; under an income formula (the bidder
    pays the authority) the contract's estimated value, as the definition states it."""
    if FORMULAS[tender.price.formula.name].better == "lower" and supplier.price is not None:
        return supplier.price, "awarded bid"
    return tender.contract.estimated_value, "estimate"


@dataclass(frozen=True)
class _Flags:
    sme: bool | None
    vcse: bool | None


def _flags(bids: pd.DataFrame, name: str, problems: list[Problem]) -> dict[str, _Flags]:
    """The `sme` and `vcse` answers by bidder; anything but yes, no or blank is a problem."""
    out: dict[str, _Flags] = {}
    for position, row in enumerate(bids.to_dict("records")):
        bidder = str(row.get("bidder_id", "")).strip()
        found: dict[str, bool | None] = {}
        for column in FLAG_COLUMNS:
            answer = _text(row.get(column))
            found[column] = None
            if answer is None:
                continue
            if answer.casefold() in YES:
                found[column] = True
            elif answer.casefold() in NO:
                found[column] = False
            else:
                where = f"line {position + 2} (bidder {bidder or '?'}), column {column}"
                problems.append(Problem(name, where, shorten(answer), "yes, no or blank"))
        out[bidder] = _Flags(found["sme"], found["vcse"])
    return out


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _bidders(
    ev: Evaluation, details: dict[str, Supplier], flags: dict[str, _Flags]
) -> list[Bidder]:
    pub = ev.tender.publication
    out = []
    for row in ev.table.itertuples(index=False):
        bidder_id = str(row.bidder_id)
        found = details.get(bidder_id) or Supplier(bidder_id, str(row.bidder), 0)
        flag = flags.get(bidder_id, _Flags(None, None))
        is_supplier = bool(row.rank == 1)
        anonymised = pub.anonymise_unsuccessful and not is_supplier
        price = row.price_amount if isinstance(row.price_amount, Decimal) else None
        out.append(
            Bidder(
                bidder_id=bidder_id,
                name=(
                    pub.label.format(bidder_id=bidder_id)
                    if anonymised
                    else found.legal_name or str(row.bidder)
                ),
                anonymised=anonymised,
                scheme=None if anonymised else found.identifier_scheme or None,
                identifier=None if anonymised else found.identifier_id or None,
                address=None if anonymised else found.address or None,
                sme=None if anonymised else flag.sme,
                vcse=None if anonymised else flag.vcse,
                status="disqualified" if bool(row.is_excluded) else "valid",
                price=price,
                is_supplier=is_supplier,
            )
        )
    return out
