"""The facts both publications state, worked out once: who bid, who won, what, when.

The OCDS release package (`ocds`) and the contracts register (`register`) must never
disagree, so both read these records. Prices come from the evaluation: the bids file's
price column, or under a schedule or parts the evaluated price of its pricing trace.
Bidder details come from the bids file's optional supplier columns, as
`bidders.supplier_map` reads them (checked where the file is read), and its `sme` and
`vcse` columns, checked here; a bidder without an identifier gets none.
Bidders the publication settings anonymise carry only their label. Nothing here reads
marks, rationales or feedback: none of it is published. Pure; no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, Protocol

import pandas as pd

from . import dates
from .abnormal import Decision
from .bidders import Supplier, supplier_map
from .disqualified import reasons
from .errors import Problem, raise_if, shorten
from .model import Components, SingleColumn, Tender
from .price import FORMULAS
from .scoring import Evaluation

FLAG_COLUMNS = ("sme", "vcse")
YES, NO = ("yes", "y", "true"), ("no", "n", "false")

BidStatus = Literal["valid", "disqualified"]
ValueFrom = Literal["awarded bid", "estimate", "lot estimate"]


@dataclass(frozen=True)
class LotAward:
    """One lot's award as the allocation decided it (`lots.LotsEvaluation`).

    `bidder_id` is the bidder awarded the lot (None: left unawarded), which need not be
    the lot's first-ranked bid under a cap; `named` holds every bidder awarded some lot,
    so a bidder is named (or anonymised) alike in every lot of the package; `index` is the
    lot's place in the definition's `lots`, for naming its keys (`lots[0].estimated_value`).
    """

    lot_id: str
    title: str
    bidder_id: str | None
    named: frozenset[str]
    index: int


@dataclass(frozen=True)
class Bidder:
    """One bidder as the publications show it.

    `name` is the name published: the legal name (else the bids file's name), or the label
    when anonymised; `scheme`/`identifier` only when both are given and not anonymised.
    `status` is `disqualified` for a bid excluded from ranking (a failed pass/fail
    requirement, a quality threshold, a recorded decision), else `valid`; `reason` says
    which published rule it did not meet, where the regime has it stated
    (`disqualified.reasons`). `price` is the evaluated price; `value` the bid's value as
    published: the awarded bid's, when it is an amount the authority pays.
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
    reason: str | None
    price: Decimal | None
    value: Decimal | None
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
    lot: LotAward | None  # the lot, for one lot of a procurement divided into lots
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
        """The awarded bidder (a settled tender has exactly one; see `awarded` for a lot)."""
        awarded = self.awarded
        assert awarded is not None, "a lot left unawarded has no supplier"
        return awarded

    @property
    def awarded(self) -> Bidder | None:
        """The awarded bidder; None for a lot the allocation left unawarded."""
        return next((b for b in self.bidders if b.is_supplier), None)

    @property
    def value_key(self) -> str:
        """The definition key that would give the award's value when it is not known."""
        if self.lot is not None:
            return f"lots[{self.lot.index}].estimated_value"
        return "contract.estimated_value"


def published(
    ev: Evaluation,
    bids: pd.DataFrame,
    bids_name: str,
    decisions: Mapping[str, Decision] | None = None,
    lot: LotAward | None = None,
) -> Published:
    """The publication facts of a settled evaluation (one first-ranked bid), or of one
    lot (`lot`: who the allocation awarded it to, and who is named in the package).

    `bids` is the bids table the evaluation read; `decisions` the recorded decisions on
    abnormal prices (`Inputs.decisions`), for the reason a rejected bid is disqualified.

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
    why = reasons(ev, bids, decisions or {})
    bidders = _bidders(ev, supplier_map(bids), flags, why, lot)
    supplier = next((b for b in bidders if b.is_supplier), None)
    value, value_from = _award_value(tender, supplier, lot)
    start = tender.contract.start
    years = tender.contract.initial_years
    extension = tender.contract.extension_years or 0
    end = _years_on(start, years) if start and years else None
    extent = _years_on(start, years + extension) if start and years and extension else None
    return Published(
        tender=tender,
        bidders=bidders,
        bids_name=bids_name,
        lot=lot,
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


def _award_value(
    tender: Tender, supplier: Bidder | None, lot: LotAward | None
) -> tuple[Decimal | None, ValueFrom]:
    """The awarded bid's price when that price is the contract's value (a price column
    under a cost formula); otherwise the contract's estimated value, as the definition
    states it. Under an income formula the bidder pays the authority; a schedule's basket
    is priced at indicative volumes, and parts may be discounted or turn on an assumed
    turnover: none of these is the contract's value. A lot's estimated value is its own
    (`lots[i].estimated_value`, which `Tender.lot` makes the lot's
    `contract.estimated_value`), never the whole procurement's; unstated, it is unknown."""
    column = isinstance(tender.price.model, SingleColumn)
    if supplier is not None and column and _paid(tender) and supplier.price is not None:
        return supplier.price, "awarded bid"
    return tender.contract.estimated_value, "estimate" if lot is None else "lot estimate"


def _paid(tender: Tender) -> bool:
    """Whether the evaluated price is an amount the authority pays for the bid: a cost
    formula, over a price column, a schedule or a plain sum of parts (not a discounted
    whole-life cost or an income share at an assumed turnover)."""
    model = tender.price.model
    if FORMULAS[tender.price.formula.name].better != "lower":
        return False
    return not isinstance(model, Components) or model.expression == "sum"


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


def _prices(ev: Evaluation) -> dict[str, Decimal | None]:
    """Each bid's evaluated price, exact: from the pricing trace under a schedule or parts,
    else the bids file's price column as read."""
    if ev.pricing is not None:
        return dict(zip(ev.pricing.bidder_ids, ev.pricing.evaluated, strict=True))
    if "price_amount" not in ev.table:
        return {}
    return {
        str(bidder): amount if isinstance(amount, Decimal) else None
        for bidder, amount in zip(ev.table["bidder_id"], ev.table["price_amount"], strict=True)
    }


@dataclass(frozen=True)
class _Basis:
    """What every bidder's publication record is drawn from, worked out once a publication."""

    details: dict[str, Supplier]
    flags: dict[str, _Flags]
    why: dict[str, str]
    lot: LotAward | None
    prices: dict[str, Decimal | None]
    paid: bool
    named: frozenset[str]
    anonymise: bool
    label: str


def _bidders(
    ev: Evaluation,
    details: dict[str, Supplier],
    flags: dict[str, _Flags],
    why: dict[str, str],
    lot: LotAward | None,
) -> list[Bidder]:
    """Every bid as the publications show it, in the evaluation table's order."""
    pub = ev.tender.publication
    basis = _Basis(
        details=details,
        flags=flags,
        why=why,
        lot=lot,
        prices=_prices(ev),
        paid=_paid(ev.tender),
        named=_named(ev, lot),
        anonymise=pub.anonymise_unsuccessful,
        label=pub.label,
    )
    return [_bidder(row, basis) for row in ev.table.itertuples(index=False)]


def _named(ev: Evaluation, lot: LotAward | None) -> frozenset[str]:
    """The bidders shown by name when the unsuccessful are anonymised: every bidder awarded
    some lot, else the first-ranked."""
    if lot is not None:
        return lot.named
    return frozenset(str(b) for b in ev.table.loc[ev.table["rank"] == 1, "bidder_id"])


def _is_supplier(bidder_id: str, rank: object, lot: LotAward | None) -> bool:
    """Whether the bid is awarded: the lot's awarded bidder, else the first-ranked bid."""
    if lot is not None:
        return bidder_id == lot.bidder_id
    return bool(rank == 1)


class _Row(Protocol):
    """The columns of an evaluation table row (`itertuples`) a bidder's record reads."""

    @property
    def bidder_id(self) -> object: ...
    @property
    def bidder(self) -> object: ...
    @property
    def rank(self) -> object: ...
    @property
    def is_excluded(self) -> object: ...


def _bidder(row: _Row, basis: _Basis) -> Bidder:
    """One row of the evaluation table as the publications show it."""
    bidder_id = str(row.bidder_id)
    found = basis.details.get(bidder_id) or Supplier(bidder_id, str(row.bidder), 0)
    flag = basis.flags.get(bidder_id, _Flags(None, None))
    is_supplier = _is_supplier(bidder_id, row.rank, basis.lot)
    price = basis.prices.get(bidder_id)
    excluded = bool(row.is_excluded)
    bidder = Bidder(
        bidder_id=bidder_id,
        name=found.legal_name or str(row.bidder),
        anonymised=False,
        scheme=found.identifier_scheme or None,
        identifier=found.identifier_id or None,
        address=found.address or None,
        sme=flag.sme,
        vcse=flag.vcse,
        status="disqualified" if excluded else "valid",
        reason=basis.why.get(bidder_id) if excluded else None,
        price=price,
        value=price if is_supplier and basis.paid else None,
        is_supplier=is_supplier,
    )
    if basis.anonymise and bidder_id not in basis.named:
        return _anonymised(bidder, basis.label)
    return bidder


def _anonymised(bidder: Bidder, label: str) -> Bidder:
    """The bidder as an anonymised publication shows it: its label, and nothing that
    identifies it (name, identifier, address, SME and VCSE answers)."""
    return replace(
        bidder,
        name=label.format(bidder_id=bidder.bidder_id),
        anonymised=True,
        scheme=None,
        identifier=None,
        address=None,
        sme=None,
        vcse=None,
    )
