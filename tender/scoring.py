"""evaluate(): compliance → quality → price → totals → rank → near-ties, as one pure step.

Takes the tender definition and long tables (bids, evaluators' marks, moderated marks)
as DataFrames from any source, checks them column-wise, and returns an `Evaluation` that
every renderer reads and none recomputes. No file I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import abnormal, compliance, marks, moderation, near_ties, quality, ranking
from .allocation import Award
from .bidders import Supplier, all_ids_sound, as_text, id_problems
from .errors import Problem, TenderInputError, raise_if
from .marks import Axis, ProblemList
from .model import BudgetRelative, Tender
from .price import FORMULAS, score_prices
from .pricing import Pricing

if TYPE_CHECKING:
    from pandas.api.extensions import ExtensionArray

    from .notes import BidRecord

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

BID_COLUMNS = ["bidder_id", "bidder", "price"]
# Optional bids column: a recorded decision excluding the bid (e.g. rejected as abnormally
# low after the bidder's explanation). Non-empty text excludes the bid with that reason.
DECISION_COLUMN = "excluded_by_decision"
# Optional bids column: the recorded acceptance of an abnormal price's explanation.
ACCEPTED_COLUMN = "price_decision"
MARK_COLUMNS = ["bidder_id", "criterion_id", "evaluator_id", "mark"]
MODERATED_COLUMNS = ["bidder_id", "criterion_id", "moderated_mark"]


@dataclass(frozen=True)
class Sources:
    """Names of the inputs, for messages and the audit trail, and their first data line."""

    bids: str = "bids"
    marks: str = "marks"
    moderated: str = "moderated"
    first_line: int = 2


# Fields of an evaluation that no bid record reads (`notes.bid_records`): a copy changing
# only these keeps its records (tests/test_scoring.py holds this to what the records show).
_NOT_IN_RECORDS = frozenset({"fingerprints", "award", "suppliers", "pricing", "exclusions"})


@dataclass(frozen=True)
class Evaluation:
    """The result of an evaluation; renderers only read it.

    `table` has one row per bid, in the bids file's order, with full-precision scores.
    `consensus` and `individual` are dense arrays (bids × marked criteria [× evaluators]).
    """

    tender: Tender
    table: pd.DataFrame
    consensus: FloatArray
    criterion_scores: dict[str, FloatArray]
    individual: FloatArray | None
    rationales: pd.DataFrame | None
    provisional: bool
    fingerprints: dict[str, str] = field(default_factory=dict)
    # (evaluator_id, bidder_id) → why that evaluator's marks for that bid were left out
    excluded_marks: dict[tuple[str, str], str] = field(default_factory=dict)
    # bidder_id → the supplier as the bids file names it (legal name, address, identifier);
    # set by the workflow that read the file (`bidders.supplier_map`), empty otherwise
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    # How each evaluated price was reached from a schedule or parts (None: a price column).
    pricing: Pricing | None = None
    # For a lot: its award from the allocation (`lots.allocate_lots`); None without lots.
    award: Award | None = None
    # bidder_id → why its bid was not ranked, in the words of the tender's published rules,
    # for every excluded bid (`disqualified.rules_not_met`): what its letter tells it. Set by
    # the workflow that read the bids and decisions; empty otherwise.
    exclusions: dict[str, str] = field(default_factory=dict)

    @property
    def awarded(self) -> str | None:
        """Who is awarded this tender or lot: the one home every document asks.

        A lot's award comes from the allocation (a lot may go to its second-ranked bid
        under a cap on lots per bidder); a tender without lots is awarded to its single
        first-ranked bid. None: not awarded, or first place shared with no tie-break.
        """
        if self.award is not None:
            return self.award.bidder_id
        first = self.table.loc[self.table["rank"] == 1, "bidder_id"]
        return str(first.iat[0]) if len(first) == 1 else None

    @property
    def ranked(self) -> pd.DataFrame:
        """Ranked bids, best first."""
        return self.table[self.table["rank"] > 0].sort_values(["rank", "bidder_id"])

    @property
    def leader(self) -> pd.Series | None:
        """The first-ranked bid (the first in file order if the first place is shared)."""
        ranked = self.ranked
        return None if ranked.empty else ranked.iloc[0]

    def public_names(self) -> dict[str, str]:
        """Bidder names as a public document shows them (see `model.Publication`)."""
        from .display import public_names

        pub = self.tender.publication
        winners = set(self.table.loc[self.table["rank"] == 1, "bidder_id"])
        if self.award is not None:  # a lot names the bidder it is awarded to
            winners = {self.award.bidder_id} - {None}
        return public_names(
            list(self.table["bidder_id"]),
            list(self.table["bidder"]),
            winners,
            pub.label,
            pub.anonymise_unsuccessful,
        )

    def records(self) -> list[BidRecord]:
        """One typed record per bid with its flags and notes: the JSON/CSV rows.

        Worked out once per evaluation, on first asking, and shared by every renderer
        (results files, terminal, report, every letter): an evaluation is not changed
        once made, so a second working-out could only repeat the first.
        """
        return list(self._records)

    def replaced(self, **changes: Any) -> Evaluation:
        """The evaluation with some fields changed, keeping what it has worked out that
        the change cannot alter: the evaluators' median and spread while their marks stay,
        the bid records when only fields no record reads change (`_NOT_IN_RECORDS`)."""
        new = replace(self, **changes)
        kept = [] if "individual" in changes else ["median", "spread"]
        if set(changes) <= _NOT_IN_RECORDS:
            kept.append("_records")
        for name in kept:
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name]
        return new

    @cached_property
    def median(self) -> FloatArray | None:
        """The evaluators' median mark per bid and criterion (None without their marks):
        the PROVISIONAL consensus, and what a moderated mark is compared with."""
        if self.individual is None or not self.individual.size:
            return None
        return moderation.median_marks(self.individual)

    @cached_property
    def spread(self) -> FloatArray | None:
        """Highest minus lowest evaluator mark per bid and criterion (None without marks)."""
        if self.individual is None or not self.individual.size:
            return None
        return moderation.spreads(self.individual)

    @cached_property
    def _records(self) -> tuple[BidRecord, ...]:
        from .notes import bid_records

        return tuple(bid_records(self))


def evaluate(
    tender: Tender,
    bids: pd.DataFrame,
    marks_table: pd.DataFrame | None = None,
    moderated: pd.DataFrame | None = None,
    *,
    sources: Sources | None = None,
    fingerprints: dict[str, str] | None = None,
    excluded_marks: Mapping[tuple[str, str], str] | None = None,
) -> Evaluation:
    """Score every bid.

    total = price score + Σ weight × consensus mark / scale maximum. Consensus is the
    moderated mark, or the PROVISIONAL median of evaluators' marks when there are none.
    `excluded_marks` maps (evaluator_id, bidder_id) to the reason that evaluator's marks
    for that bid are left out (a chair's decision on a declared conflict): the median, the
    spreads and every analysis then use the other evaluators' marks only; pairs naming
    no evaluator of the panel or no bid are ignored.

    Raises:
        TenderInputError: listing every problem found in any of the tables.
    """
    src = sources or Sources()
    problems: list[Problem] = []

    bid_problems = ProblemList(src.bids)
    bids, ids_usable = _checked_bids(tender, bids, src, bid_problems)
    problems += bid_problems.done()
    if not ids_usable:  # marks are checked against the bidder ids: they must be sound first
        raise_if(problems)

    axes = [
        Axis("bidder_id", "bidder", pd.Index(bids["bidder_id"].astype(str))),
        Axis("criterion_id", "criterion", pd.Index([c.id for c in tender.quality.leaves()])),
        Axis("evaluator_id", "evaluator", pd.Index(tender.panel_ids())),
    ]
    failures = compliance.requirement_failures(bids, tender.requirements)
    if DECISION_COLUMN in bids:
        decided = bids[DECISION_COLUMN].fillna("").astype(str).reset_index(drop=True)
        failures = compliance.join_reasons(failures, decided)
    passes = _empty(failures)
    excluded = _known_exclusions(excluded_marks or {}, axes[0], axes[2])
    found = _scattered(
        tender, _Tables(marks_table, moderated), axes, passes, excluded, src, problems
    )
    raise_if(problems)

    cube, consensus = found.cube, found.consensus
    provisional = consensus is None
    if consensus is None:
        assert found.median is not None
        consensus = found.median

    weighted = quality.weighted_scores(consensus, tender.quality)  # once, for both below
    table = _score(tender, bids, consensus, weighted, failures, cube)
    ev = Evaluation(
        tender=tender,
        table=table,
        consensus=consensus,
        criterion_scores=quality.rolled_up(consensus, tender.quality, weighted),
        individual=cube,
        rationales=found.rationales,
        provisional=provisional,
        fingerprints=dict(fingerprints or {}),
        excluded_marks=excluded if marks_table is not None else {},
    )
    if found.median is not None:  # worked out once, above: the report reads this one
        ev.__dict__["median"] = found.median
    return ev


@dataclass(frozen=True)
class _Found:
    """What the long tables gave: the evaluators' cube and its median, and the moderated
    matrix with its rationales; each None when its table is absent."""

    cube: FloatArray | None
    median: FloatArray | None
    consensus: FloatArray | None
    rationales: pd.DataFrame | None


@dataclass(frozen=True)
class _Tables:
    """The optional long tables of marks: evaluators' and moderated."""

    marks: pd.DataFrame | None
    moderated: pd.DataFrame | None


def _known_exclusions(
    excluded_marks: Mapping[tuple[str, str], str], bid_axis: Axis, evaluator_axis: Axis
) -> dict[tuple[str, str], str]:
    """The excluded (evaluator, bid) pairs naming an evaluator of the panel and a bid."""
    return {
        (str(e), str(b)): reason
        for (e, b), reason in excluded_marks.items()
        if str(e) in evaluator_axis.ids and str(b) in bid_axis.ids
    }


def _scattered(
    tender: Tender,
    tables: _Tables,
    axes: list[Axis],
    passes: BoolArray,
    excluded: Mapping[tuple[str, str], str],
    src: Sources,
    problems: list[Problem],
) -> _Found:
    """The marks cube and its median, and the moderated matrix with its rationales;
    their problems are added to `problems`."""
    bid_axis, leaf_axis, evaluator_axis = axes
    scale = tender.quality.scale
    cube = None
    if tables.marks is not None:
        left_out = np.zeros((len(bid_axis.ids), len(evaluator_axis.ids)), dtype=bool)
        for e, b in excluded:
            left_out[bid_axis.ids.get_loc(b), evaluator_axis.ids.get_loc(e)] = True
        cube, mark_problems = _scatter_marks(tables.marks, scale, axes, passes, src, left_out)
        problems += mark_problems
    median = moderation.median_marks(cube) if cube is not None and cube.size else None
    consensus = None
    rationales = None
    if tables.moderated is not None:
        consensus, rationales, mod_problems = _scatter_moderated(
            tables.moderated, scale, [bid_axis, leaf_axis], passes, median, src
        )
        problems += mod_problems
    if consensus is None and cube is None:
        problems.append(
            Problem(
                tender.tender.reference,
                "data",
                "no marks and no moderated marks",
                "data.marks or data.moderated naming a file of marks",
            )
        )
    return _Found(cube, median, consensus, rationales)


def _score(
    tender: Tender,
    bids: pd.DataFrame,
    consensus: FloatArray,
    weighted: FloatArray,
    failures: pd.Series,
    individual: FloatArray | None,
) -> pd.DataFrame:
    spec = tender.quality
    quality_score = quality.total(weighted)
    has_marks = ~np.isnan(consensus).any(axis=1)
    thresholds = compliance.threshold_failures(tender, consensus, quality_score)
    reasons = compliance.join_reasons(failures.reset_index(drop=True), thresholds)
    given = ~_empty(reasons)
    excluded = given | ~has_marks
    if not has_marks.all():
        reasons = reasons.where(pd.Series(has_marks), reasons.where(given, "no quality marks"))

    price = bids["price"].to_numpy(dtype=np.float64)
    formula = FORMULAS[tender.price.formula.name]
    price_score, above_budget, abnormal_price = _price_columns(tender, price, excluded)
    ranked = ~excluded
    total = np.where(ranked, price_score + quality_score, np.nan)
    ranks, tied_total, tied_after = ranking.rank(
        total,
        ranked,
        quality=quality_score,
        price=price,
        price_better=formula.better,
        tie_break=list(tender.ranking.tie_break),
    )
    table = pd.DataFrame(
        {
            "bidder_id": _text(bids["bidder_id"], checked=True),
            "bidder": _text(bids["bidder"], checked=True),
            "price": price.copy(),  # a view of the bids table: the table gets its own
            "price_score": price_score,
            "quality_score": np.where(has_marks, quality_score, np.nan),
            "total_score": total,
            "rank": ranks,
            "gap_to_leader": near_ties.gap_to_leader(total, ranked),
            "is_excluded": excluded,
            "exclusion_reason": reasons.to_numpy(dtype=object),
            "has_unscored_price": ranked & np.isnan(price),
            "is_above_budget": above_budget,
            "is_near_tie": near_ties.within_margin(total, ranked, tender.near_tie.margin),
            "is_exact_tie": tied_total,
            "is_abnormal_price": abnormal_price,
            "price_decision": _text_column(bids, ACCEPTED_COLUMN),
            "shares_rank": tied_after,
            "note": _text_column(bids, "note"),
        },
        copy=False,  # the columns are this table's own: kept apart, not copied into blocks
    )
    rules = near_ties.apply_rules(
        tender.near_tie,
        total=total,
        ranked=ranked,
        price_score=price_score,
        quality_score=quality_score,
        price=price,
        price_better=formula.better,
        individual=individual,
        leaf_weights=quality.leaf_weights(spec),
        scale_maximum=spec.scale.maximum,
    )
    for column, values in rules.items():
        table[column] = values
    if "price_amount" in bids:
        table["price_amount"] = bids["price_amount"].to_numpy()
    return table


def _price_columns(
    tender: Tender, price: FloatArray, excluded: BoolArray
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Price scores (0 for a ranked bid with no price, NaN for an excluded one), and where
    a scored price is above the budget or abnormally low."""
    formula = FORMULAS[tender.price.formula.name]
    scoreable = ~excluded & ~np.isnan(price)
    price_score = np.full(price.size, np.nan)
    price_score[~excluded] = 0.0
    price_score[scoreable] = score_prices(
        price[scoreable], tender.weights.price, tender.price.formula
    )
    above_budget = np.zeros(price.size, dtype=bool)
    if isinstance(tender.price.formula, BudgetRelative):
        above_budget = scoreable & (price > float(tender.price.formula.budget))
    abnormal_price = np.zeros(price.size, dtype=bool)
    if abnormal.screens_on(tender):
        abnormal_price[scoreable] = abnormal.flags(
            price[scoreable], formula.better, tender.abnormally_low
        )
    return price_score, above_budget, abnormal_price


def _text_column(bids: pd.DataFrame, column: str) -> Any:
    """An optional text column of the bids table, '' where absent or blank."""
    if column not in bids:
        return ""
    return _text(bids[column].fillna(""))


def _text(column: pd.Series, *, checked: bool = False) -> npt.NDArray[np.object_] | ExtensionArray:
    """The column as text, as `astype(str)` gives it; a column already all text (the
    loader's) is taken as it is rather than copied element by element. `checked`: the
    column is known to hold no missing value (the ids and names, refused if one is)."""
    if isinstance(column.dtype, pd.StringDtype) and (checked or not column.hasnans):
        kept: ExtensionArray = column.array  # the loader's text as it is: no copy, no check
        return kept
    values = column.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    return column.astype(str).to_numpy(dtype=object)


def _empty(texts: pd.Series) -> BoolArray:
    """Where a reason text is '' (NaN is not): one join when every text is empty, the
    usual case, instead of comparing each object to ''."""
    values = texts.to_numpy(dtype=object)
    try:
        if not "".join(values):
            return np.ones(values.size, dtype=bool)
    except TypeError:  # not all text
        pass
    return np.asarray(values == "", dtype=bool)


def _checked_bids(
    tender: Tender, bids: pd.DataFrame, src: Sources, problems: ProblemList
) -> tuple[pd.DataFrame, bool]:
    """The bids table checked; also whether its ids are sound enough to check marks against."""
    needed = BID_COLUMNS + [r.column for r in tender.requirements]
    if not marks.require_columns(bids, needed, problems):
        return bids, False
    bids = bids.reset_index(drop=True)
    axes = [Axis("bidder_id", "bidder", pd.Index([]))]
    ids = bids["bidder_id"].astype(str).to_numpy(dtype=object)
    bad_ids = []
    if not all_ids_sound(ids):
        ids = as_text(bids["bidder_id"]).to_numpy(dtype=object)
        bad_ids = id_problems(bids["bidder_id"], src.first_line)
    for bad in bad_ids:
        where = f"line {bad.position + src.first_line}"
        if ids[bad.position].strip():
            where = marks.row_label(bids, bad.position, axes, src.first_line)
        problems.add(where, bad.found, bad.expected)
    ids_usable = not bad_ids
    names = bids["bidder"].astype(str).to_numpy(dtype=object)
    try:
        folded = _folded(names)
    except TypeError:  # a missing name (None, NaN): read as an empty one, reported below
        names = as_text(bids["bidder"]).to_numpy(dtype=object)
        folded = _folded(names)
    for blank in np.flatnonzero(folded == ""):
        problems.add(
            marks.row_label(bids, int(blank), axes, src.first_line),
            "an empty bidder name",
            "the organisation's name",
        )
    for pos, first in [] if pd.Index(folded).is_unique else _repeats(folded):
        if ids[pos] != ids[first]:
            problems.add(
                marks.row_label(bids, pos, axes, src.first_line),
                f"bidder name {names[pos]!r} again, under id {ids[pos]!r} "
                f"(first at line {first + src.first_line}, id {ids[first]!r})",
                "one id per organisation",
            )
    if not pd.api.types.is_numeric_dtype(bids["price"].dtype):
        raise TypeError("bids['price'] must be numeric; parse it with inputs.read_bids")
    price = bids["price"].to_numpy(dtype=np.float64, na_value=np.nan)
    formula = FORMULAS[tender.price.formula.name]
    word = "offer" if formula.better == "higher" else "price"
    with np.errstate(invalid="ignore"):
        bad = np.isinf(price) | (price < 0) | ((price == 0) & (not formula.allows_zero))
    for wrong in np.flatnonzero(bad):
        label = marks.row_label(bids, int(wrong), axes, src.first_line)
        problems.add(
            f"{label}, column {tender.price.column}",
            f"{word} {price[wrong]:g}",
            f"a {word} above 0" if not formula.allows_zero else f"a {word} of 0 or more",
        )
    return bids, ids_usable


def _folded(names: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Each name trimmed and case-folded, for comparing names: in bulk when no name holds
    a line break (one casefold of all of them joined), else name by name."""
    joined = "\n".join(names)
    if joined.count("\n") == max(names.size - 1, 0):
        parts = joined.casefold().split("\n") if names.size else []
        if len(parts) == names.size:
            folded = np.array(parts, dtype=object)
            if joined.isascii() and not _space_at_an_edge(joined):
                return folded
            return np.array([name.strip() for name in folded], dtype=object)
    return np.array([name.strip().casefold() for name in names], dtype=object)


# the ASCII characters str.strip() removes (white space and the separators \x1c-\x1f)
_STRIPPED = np.array([chr(code).isspace() for code in range(128)], dtype=bool)


def _space_at_an_edge(joined: str) -> bool:
    """Whether any of the ASCII names joined by newlines starts or ends with a character
    strip() would remove: a few passes over the bytes instead of a search per character."""
    data = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    if data.size == 0:
        return False
    space = _STRIPPED[data]
    breaks = data == ord("\n")
    space &= ~breaks
    return bool(
        space[0] or space[-1] or (space[1:] & breaks[:-1]).any() or (space[:-1] & breaks[1:]).any()
    )


def _repeats(values: npt.NDArray[np.object_]) -> list[tuple[int, int]]:
    """(position, position of its first occurrence) for every repeated non-empty value.

    Linear: the first occurrences come from one pass, not one search per repeat.
    """
    series = pd.Series(values, dtype=object)
    repeated = np.flatnonzero(series.duplicated().to_numpy() & (values != ""))
    if repeated.size == 0:
        return []
    unique = series.drop_duplicates()
    first = dict(zip(unique.to_numpy().tolist(), unique.index.tolist(), strict=True))
    return [(int(pos), int(first[values[pos]])) for pos in repeated[: marks.MAX_PROBLEMS_PER_FILE]]


def _scatter_marks(
    table: pd.DataFrame,
    scale: Any,
    axes: list[Axis],
    passes: BoolArray,
    src: Sources,
    left_out: BoolArray,
) -> tuple[FloatArray, list[Problem]]:
    """The marks cube (bids × criteria × evaluators); excluded (bid, evaluator) cells are
    blanked (NaN), so the median and spreads use the other evaluators, and need no row."""
    problems = ProblemList(src.marks)
    if not marks.require_columns(table, MARK_COLUMNS, problems):
        return np.empty((0, 0, 0)), problems.done()
    table = table.reset_index(drop=True)
    codes = marks.id_codes(table, axes, src.first_line, problems)
    values = marks.numeric_marks(table, "mark", scale, axes, src.first_line, problems)
    cube, filled = marks.scatter(codes, values, axes, table, src.first_line, problems, outermost=2)
    if not problems.items:
        required = passes[:, None, None] & ~left_out[:, None, :]
        marks.report_gaps(filled, np.broadcast_to(required, filled.shape), axes, problems)
    if left_out.any() and cube.size:
        cube = np.where(left_out[:, None, :], np.nan, cube)
    return cube, problems.done()


def _scatter_moderated(
    table: pd.DataFrame,
    scale: Any,
    axes: list[Axis],
    passes: BoolArray,
    median: FloatArray | None,
    src: Sources,
) -> tuple[FloatArray, pd.DataFrame, list[Problem]]:
    problems = ProblemList(src.moderated)
    if not marks.require_columns(table, MODERATED_COLUMNS, problems):
        return np.empty((0, 0)), table, problems.done()
    table = table.reset_index(drop=True)
    codes = marks.id_codes(table, axes, src.first_line, problems)
    values = marks.numeric_marks(table, "moderated_mark", scale, axes, src.first_line, problems)
    matrix, filled = marks.scatter(codes, values, axes, table, src.first_line, problems)
    if not problems.items:
        required = np.broadcast_to(passes[:, None], filled.shape)
        marks.report_gaps(filled, required, axes, problems)
    table = _with_texts(table)
    if median is not None and not problems.items:
        differs, at = _moved(values, codes, median, matrix)
        rationales = table["rationale"].to_numpy(dtype=object)
        blank = _blank(rationales[differs])
        for pos, middle in zip(differs[blank], at[blank], strict=True):
            problems.add(
                marks.row_label(table, int(pos), axes, src.first_line),
                f"moderated mark {values[pos]:g} differing from the evaluators' median "
                f"{middle:g} with no rationale",
                "a rationale saying why the panel agreed a different mark",
            )
    return matrix, table, problems.done()


def _moved(
    values: FloatArray, codes: list[marks.IntArray], median: FloatArray, matrix: FloatArray
) -> tuple[marks.IntArray, FloatArray]:
    """The rows whose moderated mark differs from the evaluators' median, and the median
    at each. Every row names a known bid and criterion, once (the table had no problems).

    The cells that differ are found on the moderated matrix, as the median is laid out;
    when the table lists its rows in cell order (as `moderate` writes it), each such
    cell's row is the row of that number, which one look at those rows confirms.
    Otherwise a block of rows at a time, each row's median taken by its cell number.
    """
    flat = median.reshape(-1)
    leaves = median.shape[1]
    cells = np.flatnonzero(moderation.differs_from_median(matrix.reshape(-1), flat))
    if cells.size == 0 or cells[-1] < values.size:
        listed = codes[0][cells].astype(np.int64) * leaves + codes[1][cells]
        if np.array_equal(listed, cells):
            return cells, flat[cells]
    moved: list[marks.IntArray] = []
    for start in range(0, values.size, _ROWS):
        cell = codes[0][start : start + _ROWS].astype(np.int64)
        cell *= leaves
        cell += codes[1][start : start + _ROWS]
        differs = moderation.differs_from_median(values[start : start + _ROWS], flat[cell])
        moved.append(np.flatnonzero(differs) + start)
    rows = np.concatenate(moved) if moved else np.empty(0, dtype=np.int64)
    cells = codes[0][rows].astype(np.int64) * leaves + codes[1][rows]
    return rows, flat[cells]


_ROWS = 1 << 19  # moderated rows a block


def _with_texts(table: pd.DataFrame) -> pd.DataFrame:
    """The moderated table with its rationale and feedback columns, '' where absent
    (feedback is written for the bidder and older files have none).

    An absent column is one category, '', coded per row: ten million rows cost ten
    megabytes of codes, not ten million text objects each checked as text.
    """
    missing = {
        column: pd.Categorical.from_codes(np.zeros(len(table), dtype=np.int8), pd.Index([""]))
        for column in ("rationale", "feedback")
        if column not in table
    }
    return table.assign(**missing) if missing else table


def _blank(texts: npt.NDArray[np.object_]) -> BoolArray:
    """Where a text is missing or only spaces.

    The usual case, every moved mark with its reason, is one pass of `str.strip` in C
    (a value that is not text stops it with TypeError); otherwise each distinct text is
    checked once, as the same rationale is often given for many marks.
    """
    try:
        if all(map(str.strip, texts.tolist())):
            return np.zeros(texts.size, dtype=bool)
    except TypeError:  # a missing value or one that is not text: checked one by one below
        pass
    codes, distinct = pd.factorize(texts, use_na_sentinel=True)
    blank = np.fromiter(
        (not (isinstance(text, str) and text.strip()) for text in distinct), bool, len(distinct)
    )
    return np.where(codes < 0, True, blank[np.maximum(codes, 0)]) if blank.size else codes < 0


__all__ = ["Evaluation", "Sources", "TenderInputError", "evaluate"]
