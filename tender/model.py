"""The tender definition: pydantic models for `criteria/<tender>.yaml`.

Models are strict and frozen and forbid unknown keys, so a misspelt key or a YAML 1.1
coercion (``NO`` → False, ``0123`` → 83) is an error rather than a silent change of meaning.
No file I/O here: `inputs.load_tender` reads the file and translates errors.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}"  # every id: safe in CSV, paths and messages
Id = Annotated[str, Field(pattern=f"^{ID_PATTERN}$")]
# Optional bids columns naming the supplier as the law does (Procurement Regulations 2024
# reg 31(2)(a)-(c)): a legal name, a contact postal address and email, a unique identifier.
# Here, with the id rule, so that `tender new` writes the bids header without the tables.
SUPPLIER_COLUMNS = ("legal_name", "address", "email", "identifier_scheme", "identifier_id")
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]

WEIGHT_TOLERANCE = 1e-9
Regime = Literal["pa2023", "pcr2015", "local_rules"]
REGIME_NAMES: dict[str, str] = {
    "pa2023": "Procurement Act 2023",
    "pcr2015": "Public Contracts Regulations 2015",
    "local_rules": "the authority's contract procedure rules",
}


def problem(found: object, expected: str) -> PydanticCustomError:
    """A validation error in the project's 'found …; expected …' form."""
    return PydanticCustomError(
        "tender", "found {found}; expected {expected}", {"found": found, "expected": expected}
    )


def _number(value: float) -> str:
    return f"{value:g}"


class Strict(BaseModel):
    """Base: strict types, frozen, unknown keys refused.

    Validators are built on first use (`defer_build`): every section is validated inside
    the one `Tender` validator, so building one for each section at import only cost
    start-up."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class Identity(Strict):
    """Who is buying what, and under which legal regime."""

    reference: Text
    title: Text
    authority: Text
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "GBP"
    regime: Regime = "local_rules"
    service: Text | None = None


class Contract(Strict):
    """The contract to be awarded: used in the recommendation wording."""

    start: date | None = None
    initial_years: Annotated[int, Field(gt=0)] | None = None
    extension_years: Annotated[int, Field(ge=0)] | None = None
    estimated_value: Annotated[Decimal, Field(strict=False, ge=0)] | None = None


class Weights(Strict):
    """Price and quality weights; they must total 100."""

    price: Weight
    quality: Weight

    @model_validator(mode="after")
    def _total_100(self) -> Weights:
        total = self.price + self.quality
        if not math.isclose(total, 100.0, abs_tol=WEIGHT_TOLERANCE):
            raise problem(
                f"price {_number(self.price)} + quality {_number(self.quality)} = {_number(total)}",
                "a total of 100",
            )
        return self


class LowestPrice(Strict):
    """W × lowest / price."""

    name: Literal["lowest_price"]


class LinearDeduction(Strict):
    """W × max(0, 1 − k × (price − lowest) / lowest)."""

    name: Literal["linear_deduction"]
    k: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0


class Interpolation(Strict):
    """W × (highest − price) / (highest − lowest)."""

    name: Literal["interpolation"]


class BudgetRelative(Strict):
    """W × max(0, (budget − price) / (budget − lowest))."""

    name: Literal["budget_relative"]
    budget: Annotated[Decimal, Field(strict=False, gt=0)]


class HighestOffer(Strict):
    """W × offer / highest offer (income contracts)."""

    name: Literal["highest_offer"]


class Log(Strict):
    """W × (1 − ln(price / lowest) / ln(A)), clipped at 0."""

    name: Literal["log"]
    zero_at_multiple: Annotated[float, Field(gt=1, allow_inf_nan=False)] = 2.0


PriceFormula = Annotated[
    LowestPrice | LinearDeduction | Interpolation | BudgetRelative | HighestOffer | Log,
    Field(discriminator="name"),
]


Money = Annotated[Decimal, Field(strict=False, ge=0, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(strict=False, ge=0, le=100, allow_inf_nan=False)]
# With a percentage adjustment, each bid's offer is one row of the prices file under this id.
ADJUSTMENT_ID = "adjustment"


class SingleColumn(Strict):
    """The default: each bid's price is one number in the bids file's `price.column`."""

    name: Literal["column"] = "column"


class ScheduleLine(Strict):
    """One line of a schedule of rates: bidders price a rate per unit of it.

    `volume` is the tender's indicative quantity a year; `published_rate` is the
    authority's own rate, needed only when bids offer a percentage adjustment on it.
    """

    id: Id
    description: Text
    unit: Text
    volume: Money
    published_rate: Money | None = None


class MissingLine(Strict):
    """What a line (or part) a bid leaves unpriced counts for, stated in the tender.

    `non_compliant`: the bid is not evaluated; `highest_other`: the highest rate offered
    for it by the other compliant bids; `stated`: the stated `rate`.
    """

    rule: Literal["non_compliant", "highest_other", "stated"] = "non_compliant"
    rate: (
        Annotated[
            Decimal, Field(strict=False, allow_inf_nan=False, max_digits=18, decimal_places=6)
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _rate_with_stated(self) -> MissingLine:
        if (self.rule == "stated") != (self.rate is not None):
            raise problem(
                f"rule {self.rule} with{'out' if self.rate is None else ''} a rate",
                "a rate with rule stated, and only then",
            )
        return self


class Schedule(Strict):
    """A schedule of rates: evaluated price = Σ rate × volume × years.

    With `basis: adjustment` bids offer one percentage (prices-file line id
    `adjustment`) on the published rates: −5.0 on a schedule totalling T gives T × 0.95.
    """

    name: Literal["schedule"]
    basis: Literal["rates", "adjustment"] = "rates"
    years: Annotated[int, Field(gt=0, le=100)] = 1
    lines: Annotated[list[ScheduleLine], Field(min_length=1)]
    missing_line: MissingLine = Field(default_factory=MissingLine)

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        _unique("line id", [line.id for line in self.lines])
        if self.basis == "adjustment":
            unpublished = [line.id for line in self.lines if line.published_rate is None]
            if unpublished:
                raise problem(
                    f"lines without a published_rate: {', '.join(unpublished)}",
                    "a published_rate on every line when bids offer an adjustment",
                )
            if ADJUSTMENT_ID in {line.id for line in self.lines}:
                raise problem(
                    f"a line with id {ADJUSTMENT_ID!r}", "that id kept for the adjustment offered"
                )
        return self


class Part(Strict):
    """A named part of a multi-part offer, priced per bid in the prices file."""

    id: Id
    description: Text


class Scenario(Strict):
    """A turnover a year assumed for evaluation: stated as an assumption, never a fact."""

    turnover: Money
    assumption: Text


EXPRESSION_PARTS: dict[str, tuple[str, ...]] = {
    "income_share": ("guarantee", "share", "threshold"),
    "whole_life": ("purchase", "running"),
}


class Components(Strict):
    """Named parts combined into one evaluated price by one of a few fixed expressions.

    `sum`: Σ parts. `income_share`: guarantee + share % × max(0, scenario turnover −
    threshold). `whole_life`: purchase + Σ running ÷ (1 + r)^t for t = 1…years, r the
    `discount_rate` in %.
    """

    name: Literal["components"]
    expression: Literal["sum", "income_share", "whole_life"]
    parts: Annotated[list[Part], Field(min_length=1)]
    scenario: Scenario | None = None
    discount_rate: Percent | None = None
    years: Annotated[int, Field(gt=0, le=100)] | None = None
    missing_line: MissingLine = Field(default_factory=MissingLine)

    @model_validator(mode="after")
    def _consistent(self) -> Components:
        ids = [part.id for part in self.parts]
        _unique("part id", ids)
        needed = EXPRESSION_PARTS.get(self.expression)
        if needed is not None and sorted(ids) != sorted(needed):
            raise problem(
                f"parts {', '.join(ids)} for {self.expression}",
                f"exactly the parts {', '.join(needed)}",
            )
        if (self.expression == "income_share") != (self.scenario is not None):
            raise problem(
                f"expression {self.expression} with{'out' if self.scenario is None else ''} "
                "a scenario",
                "a scenario (turnover and assumption) with income_share, and only then",
            )
        if self.expression == "income_share" and self.missing_line.rule == "highest_other":
            raise problem(
                "missing_line rule highest_other for an income share",
                "non_compliant or stated: the highest other offer would favour the bid",
            )
        whole_life = self.discount_rate is not None and self.years is not None
        stated = self.discount_rate is not None or self.years is not None
        if (self.expression == "whole_life") != whole_life or (stated and not whole_life):
            raise problem(
                f"expression {self.expression} with discount_rate {self.discount_rate} and "
                f"years {self.years}",
                "discount_rate and years with whole_life, and only then",
            )
        return self


PriceModel = Annotated[SingleColumn | Schedule | Components, Field(discriminator="name")]


class StatedIncomeShare(Strict):
    """An income share the recommended bid offers beside the price scored: stated in the
    report's financial appendix at an assumed turnover, never scored."""

    bidder_id: Id
    guarantee: Money
    share_percent: Percent
    threshold: Money
    scenario: Scenario


class PriceSpec(Strict):
    """How price is read (one bids-file column, a schedule of rates, parts) and scored."""

    criterion: Text = "Price"
    column: Id = "price"
    formula: PriceFormula
    unscored_reason: Text = "unable to score due to limited information"
    model: PriceModel = Field(default_factory=SingleColumn)
    income_share: StatedIncomeShare | None = None


class Criterion(Strict):
    """A quality criterion; a criterion with sub-criteria is marked through its leaves."""

    id: Id
    title: Text
    weight: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    guidance: str = ""
    minimum_mark: Annotated[float, Field(allow_inf_nan=False)] | None = None
    sub_criteria: list[Criterion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _children_add_up(self) -> Criterion:
        if self.sub_criteria:
            total = sum(c.weight for c in self.sub_criteria)
            if not math.isclose(total, self.weight, abs_tol=WEIGHT_TOLERANCE):
                raise problem(
                    f"sub-criteria weights totalling {_number(total)}",
                    f"the weight of {self.id}, {_number(self.weight)}",
                )
            if self.minimum_mark is not None:
                raise problem(
                    f"minimum_mark on {self.id}, which has sub-criteria",
                    "minimum_mark on the sub-criteria that are marked",
                )
        return self

    def leaves(self) -> list[Criterion]:
        """The criteria under this one that evaluators mark (itself if it has none)."""
        if not self.sub_criteria:
            return [self]
        return [leaf for child in self.sub_criteria for leaf in child.leaves()]


class Scale(Strict):
    """The marking scale: range, step between allowed marks, a descriptor per mark."""

    minimum: Annotated[float, Field(allow_inf_nan=False)] = 0
    maximum: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    step: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = 1
    descriptors: dict[float, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Scale:
        if self.maximum <= self.minimum:
            raise problem(
                f"minimum {_number(self.minimum)} and maximum {_number(self.maximum)}",
                "a maximum above the minimum",
            )
        if self.step is not None and not _on_step(self.maximum, self.minimum, self.step):
            raise problem(
                f"step {_number(self.step)}",
                f"a step that divides {_number(self.minimum)}-{_number(self.maximum)} evenly",
            )
        for mark in self.descriptors:
            if not self.allows(mark):
                raise problem(f"a descriptor for mark {_number(mark)}", self.describe())
        return self

    def allows(self, mark: float) -> bool:
        """True if `mark` is on this scale."""
        if not (self.minimum <= mark <= self.maximum):
            return False
        return self.step is None or _on_step(mark, self.minimum, self.step)

    def allowed_marks(self) -> list[float] | None:
        """Every allowed mark, or None when any value in range is allowed."""
        if self.step is None:
            return None
        count = round((self.maximum - self.minimum) / self.step)
        return [self.minimum + i * self.step for i in range(count + 1)]

    def describe(self) -> str:
        """The scale in words, for messages: 'a mark from 0 to 10 in steps of 1'."""
        span = f"a mark from {_number(self.minimum)} to {_number(self.maximum)}"
        if self.step is None:
            return span
        if self.step == 1:
            return f"{span} (whole marks)"
        return f"{span} in steps of {_number(self.step)}"


def _on_step(value: float, origin: float, step: float) -> bool:
    """Whether `value` is a whole number of steps from `origin`.

    Steps exact in binary (1, 0.5, 0.25) are compared exactly, as `marks.on_scale` does;
    others (0.1) within a tolerance of a billionth of a step.
    """
    units = (value - origin) / step
    if _is_dyadic(step) and _is_dyadic(origin):
        return units == round(units)
    return math.isclose(units, round(units), abs_tol=1e-9)


def _is_dyadic(value: float) -> bool:
    """True for numbers binary floating point holds exactly with few bits (1, 0.5, 2.25)."""
    return float(value).as_integer_ratio()[1] <= 1024


class Moderation(Strict):
    """Moderation policy: when a spread of marks needs discussion."""

    spread_flag: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    require_justification: bool = True


class QualitySpec(Strict):
    """Quality criteria hierarchy, the scale, and the minimum quality thresholds."""

    scale: Scale
    criteria: Annotated[list[Criterion], Field(min_length=1)]
    minimum_score: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    moderation: Moderation = Field(default_factory=Moderation)
    # Bids already failing a pass/fail requirement are left out of the marking templates
    # (compliance before quality) unless the definition asks for them to be marked anyway.
    mark_non_compliant: bool = False

    def leaves(self) -> list[Criterion]:
        """The marked criteria, in definition order."""
        return [leaf for criterion in self.criteria for leaf in criterion.leaves()]

    def all_criteria(self) -> list[Criterion]:
        """Every criterion at every level, parents before their children."""
        out: list[Criterion] = []

        def walk(criteria: list[Criterion]) -> None:
            for c in criteria:
                out.append(c)
                walk(c.sub_criteria)

        walk(self.criteria)
        return out


class Requirement(Strict):
    """A pass/fail requirement read from a column of the bids file."""

    id: Id
    description: Text
    column: Id
    pass_values: Annotated[list[Text], Field(min_length=1)] = Field(default_factory=lambda: ["yes"])


class NearTieRule(Strict):
    """Bids within `margin` points of the leader are recommended for clarification."""

    margin: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 2.0
    evaluator_range: bool = True
    corridor: Corridor | None = None
    # Whether the invitation to tender published the margin: only then do documents call
    # it the tender's rule; otherwise it is the panel's working margin.
    published: bool = False


TieBreak = Literal["higher_quality", "better_price"]


class Ranking(Strict):
    """The stated rule for exact ties; with none, tied bids share a rank and are flagged."""

    tie_break: list[TieBreak] = Field(default_factory=list)


class Publisher(Strict):
    """Who publishes the open data (OCDS `publisher`); the name defaults to the authority.

    `scheme` is an org-id.guide list code (GB-LAE, GB-COH, ...) and `uid` the id in it;
    when the publisher is the authority, the buyer party carries the same identifier.
    """

    name: Text | None = None
    scheme: Text | None = None
    uid: Text | None = None
    uri: Annotated[str, Field(pattern=r"^https?://[^\s]+$", max_length=2000)] | None = None


class Publication(Strict):
    """How bidders are named in documents made public, and what the open data needs.

    Councils commonly name only the recommended bidder and refer to the others by a
    label: "Company A (Goodwin Pest Management)", "Company B", ... The same rule holds in
    the OCDS release package. The register keys are facts of the contracts register
    (Local Government Transparency Code 2015) that the evaluation does not know.
    """

    anonymise_unsuccessful: bool = False
    label: Annotated[str, Field(pattern=r"\{bidder_id\}")] = "Company {bidder_id}"
    # OCDS: the ocid is `<ocid_prefix>-<tender.reference>`; `uri` is where the package
    # will be published; `published_on` its date (default: the award notice, the letters'
    # date or the decision, whichever is set first).
    ocid_prefix: Annotated[str, Field(pattern=r"^ocds-[a-z0-9]{6}$")] | None = None
    uri: Annotated[str, Field(pattern=r"^https?://[^\s]+$", max_length=2000)] | None = None
    license: Annotated[str, Field(pattern=r"^https?://[^\s]+$", max_length=2000)] | None = None
    published_on: date | None = None
    publisher: Publisher = Field(default_factory=Publisher)
    category: Literal["goods", "services", "works"] | None = None
    # The contracts register's own facts.
    department: Text | None = None
    description: Text | None = None
    vat_not_recoverable: Annotated[Decimal, Field(strict=False, ge=0)] | None = None
    review_date: date | None = None
    procedure: Literal["published_tender", "invitation_to_quote"] | None = None


class Evaluator(Strict):
    """A panel member. `name` may be withheld; `role` is always shown."""

    id: Id
    role: Text
    name: Text | None = None
    organisation: Text | None = None


class DataPaths(Strict):
    """Where the bid data and marks live, relative to the tender definition file."""

    bids: Text
    marks: Text | None = None
    moderated: Text | None = None
    clarifications: Text | None = None
    abnormally_low_decisions: Text | None = None
    near_tie_decisions: Text | None = None
    conflict_decisions: Text | None = None
    # Line rates or parts per bid (bidder_id, line_id, rate), for a schedule or components.
    prices: Text | None = None
    # How the inputs came about, stated in the report's inputs appendix (e.g. reconstructed).
    provenance: Text | None = None


class Lot(Strict):
    """One lot of a procurement divided into lots (Procurement Act 2023 s.18).

    A lot has its own bids and marks (`data`) and may state its own weights, price,
    quality criteria, requirements and near-tie rule; what it leaves out it inherits from
    the tender. `Tender.lot(id)` makes it an ordinary tender definition. `estimated_value`
    is the lot's own estimated whole-life value, as `contract.estimated_value` is the whole
    procurement's; it becomes the lot's `contract.estimated_value` (never the whole
    procurement's, which is not the lot's value).
    """

    id: Id
    title: Text
    estimated_value: Annotated[Decimal, Field(strict=False, ge=0)] | None = None
    weights: Weights | None = None
    price: PriceSpec | None = None
    quality: QualitySpec | None = None
    requirements: list[Requirement] | None = None
    near_tie: NearTieRule | None = None
    data: DataPaths

    @model_validator(mode="after")
    def _a_folder_name_everywhere(self) -> Lot:
        """A lot's results go in a folder named by its id: Windows keeps some names."""
        if self.id.split(".")[0].casefold() in WINDOWS_DEVICES:
            raise problem(
                f"lot id {self.id!r}", "an id Windows can name a folder by (not a device)"
            )
        return self


# Names Windows keeps for devices, with any extension and in any case.
WINDOWS_DEVICES = frozenset(
    {
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{i}" for i in range(1, 10)),
        *(f"lpt{i}" for i in range(1, 10)),
    }
)
# The sections a lot may state for itself instead of inheriting the tender's.
LOT_OVERRIDES = ("weights", "price", "quality", "requirements", "near_tie")
# A definition with lots need not name a bids file of its own: each lot names its own.
LOTS_ONLY_BIDS = "(each lot names its own bids file)"


class AwardRules(Strict):
    """How lots are awarded when one bidder tops more lots than it may win, stated in advance.

    `max_lots_per_bidder` caps the lots one bidder is awarded (default: no cap);
    `allocation` is `lot_order` (each lot in turn to its highest-ranked bidder not yet at
    the cap) or `best_total` (the highest sum of the winners' total scores).
    """

    max_lots_per_bidder: Annotated[int, Field(ge=1)] | None = None
    allocation: Literal["lot_order", "best_total"] = "lot_order"


class Tender(Strict):
    """A whole tender definition (schema_version 1), or one lot of it (`Tender.lot`)."""

    schema_version: Literal[1]
    tender: Identity
    contract: Contract = Field(default_factory=Contract)
    weights: Weights
    price: PriceSpec
    quality: QualitySpec
    requirements: list[Requirement] = Field(default_factory=list)
    near_tie: NearTieRule = Field(default_factory=NearTieRule)
    ranking: Ranking = Field(default_factory=Ranking)
    panel: list[Evaluator] = Field(default_factory=list)
    publication: Publication = Field(default_factory=Publication)
    data: DataPaths
    report: ReportDetails = Field(default_factory=lambda: ReportDetails())
    letters: LetterDetails = Field(default_factory=lambda: LetterDetails())
    abnormally_low: AbnormallyLow = Field(default_factory=lambda: AbnormallyLow())
    lots: list[Lot] = Field(default_factory=list)
    award: AwardRules | None = None

    _source: Path | None = PrivateAttr(default=None)
    _lot: Lot | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _lots_name_their_bids(cls, data: object) -> object:
        """A definition with lots may leave out the tender's own `data`."""
        if isinstance(data, dict) and data.get("lots") and "data" not in data:
            return {**data, "data": {"bids": LOTS_ONLY_BIDS}}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Tender:
        total = sum(c.weight for c in self.quality.criteria)
        if not math.isclose(total, self.weights.quality, abs_tol=WEIGHT_TOLERANCE):
            raise problem(
                f"quality criteria weights totalling {_number(total)}",
                f"the quality weight, {_number(self.weights.quality)}",
            )
        _unique("criterion id", [c.id for c in self.quality.all_criteria()])
        _unique("evaluator id", [e.id for e in self.panel])
        _unique("requirement id", [r.id for r in self.requirements])
        if self.price.model.name != "column" and self.data.prices is None and not self.lots:
            raise problem(
                f"price model {self.price.model.name} and no data.prices",
                "data.prices naming the prices file (bidder_id, line_id, rate)",
            )
        for leaf in self.quality.leaves():
            if leaf.minimum_mark is not None and not self.quality.scale.allows(leaf.minimum_mark):
                raise problem(
                    f"minimum_mark {_number(leaf.minimum_mark)} on {leaf.id}",
                    self.quality.scale.describe(),
                )
        self._check_lots()
        return self

    def _check_lots(self) -> None:
        """Each lot validated as a whole tender; every problem located under `lots[i]`."""
        # case-insensitively: lots/A and lots/a are one folder on Windows and macOS
        _unique("lot id (in any case)", [lot.id.casefold() for lot in self.lots])
        if self.award is not None and not self.lots:
            raise problem("award rules and no lots", "award only in a definition with lots")
        found: list[tuple[tuple[str | int, ...], str, str]] = []
        for index, lot in enumerate(self.lots):
            try:
                self._lot_tender(lot)
            except ValidationError as exc:
                found += [_lot_problem(index, lot, error) for error in exc.errors()]
        if found:
            loc, first, expected = found[0]
            raise PydanticCustomError(
                "tender",
                "found {found}; expected {expected}",
                {"found": first, "expected": expected, "loc": loc, "problems": found},
            )

    def _lot_tender(self, lot: Lot) -> Tender:
        sections = {name: getattr(self, name) for name in type(self).model_fields}
        # Documents of one lot (templates, pricing workbooks, results) name the lot.
        title = f"{self.tender.title}, lot {lot.id}: {lot.title}"
        identity = self.tender.model_copy(update={"title": title})
        contract = self.contract.model_copy(update={"estimated_value": lot.estimated_value})
        sections.update(tender=identity, contract=contract, lots=[], award=None, data=lot.data)
        for name in LOT_OVERRIDES:
            if getattr(lot, name) is not None:
                sections[name] = getattr(lot, name)
        tender = Tender.model_validate(sections)
        tender._source = self._source
        tender._lot = lot
        return tender

    def lot(self, lot_id: str) -> Tender:
        """The lot `lot_id` as an ordinary tender definition: the same file, the lot's own
        data and overrides, the tender's sections for the rest; evaluated like any tender.
        Its title names the lot: "Cleaning, lot 1: North"; the reference stays the tender's.

        Raises:
            KeyError: no lot has that id.
        """
        for lot in self.lots:
            if lot.id == lot_id:
                return self._lot_tender(lot)
        raise KeyError(lot_id)

    def lot_ids(self) -> list[str]:
        """The lots' ids in the order the definition lists them (empty: no lots)."""
        return [lot.id for lot in self.lots]

    @property
    def this_lot(self) -> Lot | None:
        """The lot this definition was made from by `Tender.lot`; None for a whole tender."""
        return self._lot

    @property
    def source(self) -> Path | None:
        """The file this definition was read from, if any."""
        return self._source

    @property
    def slug(self) -> str:
        """Short name used for output folders: the definition's file stem, and for a lot
        (`Tender.lot`) the stem and the lot id, `cleaning-lots-2026-1`."""
        if self._source is not None:
            stem = self._source.stem
            return stem if self._lot is None else f"{stem}-{self._lot.id}"
        return "".join(ch if ch.isalnum() else "-" for ch in self.tender.reference).lower()

    def resolve(self, relative: str) -> Path:
        """A data path from the definition, resolved against the definition's folder."""
        base = self._source.parent if self._source is not None else Path.cwd()
        return (base / relative).resolve()

    def with_source(self, source: Path) -> Tender:
        """This definition, remembering the file it came from."""
        copy = self.model_copy()
        copy._source = source
        copy._lot = self._lot
        return copy

    def panel_ids(self) -> list[str]:
        """Evaluator ids in panel order."""
        return [e.id for e in self.panel]


def _lot_problem(index: int, lot: Lot, error: object) -> tuple[tuple[str | int, ...], str, str]:
    """A lot's validation error as (location under lots[index], found, expected)."""
    assert isinstance(error, dict)
    loc = ("lots", index, *error["loc"])
    ctx = error.get("ctx") or {}
    if error["type"] == "tender":
        return loc, f"lot {lot.id}: {ctx['found']}", str(ctx["expected"])
    return loc, f"lot {lot.id}: {error['msg']}", "a lot that is valid as a whole tender"


def _unique(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise problem(f"{what} {value!r} used twice", f"each {what} once")
        seen.add(value)


class Meeting(Strict):
    """A meeting on the report's timetable."""

    body: Text
    held: date


class ReportDetails(Strict):
    """Header facts of the award recommendation report, and where its narrative lives.

    `narrative` is relative to the definition; without it the report reads
    `<definition stem>.narrative.md` beside the definition if that file exists.
    """

    committee: Text | None = None
    meeting_date: date | None = None
    final_decision_at_meeting: bool | None = None
    decision_maker: Text | None = None
    lead_head_of_service: Text | None = None
    lead_officer: Text | None = None
    classification: Text = "Public"
    wards: Text | None = None
    timetable: list[Meeting] = Field(default_factory=list)
    narrative: Text | None = None


class LetterDetails(Strict):
    """Dates and signatory of the bidder letters (outcome letters, assessment summaries).

    `sent` is the date the letters are sent (for PCR 2015, the electronic notice that starts
    the reg 87 standstill); `award_notice` is when the contract award notice is published
    (Procurement Act 2023 s.51: the standstill runs from it).
    """

    sent: date | None = None
    award_notice: date | None = None
    signatory: Text | None = None
    signatory_role: Text | None = None
    contact: Text | None = None
    # where the full award criteria can be read, e.g. "the invitation to tender, part 3":
    # a letter gives a summary (Procurement Regulations 2024 reg 31(2)(d)(ii))
    criteria_at: Text | None = None
    # true when `sent` and `award_notice` are an example's own, not the authority's: the
    # letters bear them, but the report does not state them as what will happen
    illustrative: bool | None = None


class Corridor(Strict):
    """The corridor of the extended reference-value method in the German UfAB.

    Every ranked bid within `percent` % of the leader's total is a candidate, and the
    pre-announced criterion `decide_by` picks among them (UfAB allows up to 10 %).
    """

    percent: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)]
    decide_by: TieBreak


class AbnormallyLow(Strict):
    """Screens for abnormally low tenders (PCR 2015 reg 69; Procurement Act 2023 s.34).

    A compliant bid more than `percent` % below the mean (or median) of the other
    compliant bids needs the bidder's explanation before it can be accepted. For income
    contracts (highest offer best) the mirror applies: more than `percent` % above.
    `scottish` adds the published Scottish test: more than 15 % below the average
    excluding the highest, and more than 1 % below the next lowest.

    `enabled` switches the screens on (true) or off (false). Unset, they run for every
    formula but `highest_offer`: in an income or concession contract a high offer is the
    aim, and a corridor around the mean of very uneven offers flags the best bids.
    """

    enabled: bool | None = None
    basis: Literal["mean", "median"] = "mean"
    percent: Annotated[float, Field(gt=0, lt=100, allow_inf_nan=False)] = 20.0
    scottish: bool = False


NearTieRule.model_rebuild()
Tender.model_rebuild()
