"""How sensitive the result is to the weights, to single marks, to evaluators and to bids.

Pure; no I/O. The price-weight analysis is closed form (no sampling); the others re-run
`scoring.evaluate` on inputs with one thing changed (a mark, an evaluator set aside, a
bid removed), so every rule of the evaluation (thresholds, tie-breaks) is honoured.

With compliance held fixed, each bid's total is a straight line in the price weight w
(quality weight 100 − w): total(w) = 100·q + w·(p − q), where p is the bid's price score
as a fraction of the price weight and q its quality score as a fraction of the quality
weight. The leader over w is the upper envelope of these lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd

from .model import Scale, Tender
from .price import score_prices
from .ranking import comparable
from .rescoring import Change, Standings, swaps
from .scoring import Evaluation, evaluate

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
TOTAL_WEIGHT = 100.0


@dataclass(frozen=True)
class Lines:
    """total(w) = intercept + slope × w for each ranked bid (w = price weight, 0-100)."""

    bidder_ids: list[str]
    intercept: FloatArray
    slope: FloatArray

    def at(self, price_weight: float) -> FloatArray:
        """Every bid's total at `price_weight`."""
        return self.intercept + self.slope * price_weight

    @cached_property
    def position(self) -> dict[str, int]:
        """Each bid's index in the lines."""
        return {bid: i for i, bid in enumerate(self.bidder_ids)}


@dataclass(frozen=True)
class Crossover:
    """At `price_weight` the lead passes from `before` (just below) to `after` (just above)."""

    price_weight: float
    before: str
    after: str


def price_weight_lines(ev: Evaluation) -> Lines:
    """The line of each ranked bid's total against the price weight."""
    table = ev.table
    ranked = (table["rank"] > 0).to_numpy()
    tender = ev.tender
    price = table["price"].to_numpy(dtype=np.float64)
    fraction = np.zeros(len(table))
    scoreable = ranked & ~np.isnan(price)
    fraction[scoreable] = score_prices(price[scoreable], 1.0, tender.price.formula)
    quality = table["quality_score"].to_numpy(dtype=np.float64) / tender.weights.quality
    q = quality[ranked]
    return Lines(
        list(table.loc[ranked, "bidder_id"]),
        TOTAL_WEIGHT * q,
        fraction[ranked] - q,
    )


def leader_at(lines: Lines, price_weight: float) -> int:
    """Index of the leading line at `price_weight` (ties: the one rising fastest)."""
    totals = comparable(lines.at(price_weight))
    best = np.flatnonzero(totals == totals.max())
    return int(best[np.argmax(lines.slope[best])])


def crossovers(lines: Lines, low: float = 0.0, high: float = TOTAL_WEIGHT) -> list[Crossover]:
    """Every price weight in [low, high) where the leader changes, in increasing order.

    Walks the upper envelope: from the current leader, the next leader is the line with
    a steeper slope that overtakes it soonest.
    """
    if not lines.bidder_ids:
        return []
    out: list[Crossover] = []
    at = low
    current = leader_at(lines, low)
    while True:
        steeper = lines.slope > lines.slope[current]
        if not steeper.any():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            meet = (lines.intercept[current] - lines.intercept) / (
                lines.slope - lines.slope[current]
            )
        meet = np.where(steeper & (meet >= at - 1e-12), meet, np.inf)
        when = float(meet.min())
        if comparable(np.float64(when)) >= comparable(np.float64(high)):  # nothing beyond it
            break
        candidates = np.flatnonzero(comparable(meet) == comparable(np.float64(when)))
        successor = int(candidates[np.argmax(lines.slope[candidates])])
        out.append(Crossover(when, lines.bidder_ids[current], lines.bidder_ids[successor]))
        current, at = successor, when
    return out


# --- Re-running the evaluation with one thing changed ------------------------------------


@dataclass(frozen=True)
class Case:
    """The inputs an evaluation was made from, kept so it can be re-run with one change."""

    tender: Tender
    bids: pd.DataFrame
    marks: pd.DataFrame | None = None
    moderated: pd.DataFrame | None = None
    # (evaluator_id, bidder_id) → reason: marks the chair's decisions leave out
    excluded_marks: dict[tuple[str, str], str] = field(default_factory=dict)

    def evaluate(self) -> Evaluation:
        """The evaluation of these inputs, as `scoring.evaluate` gives it."""
        return evaluate(
            self.tender, self.bids, self.marks, self.moderated, excluded_marks=self.excluded_marks
        )


def leaders(ev: Evaluation) -> list[str]:
    """Bidder ids ranked first (more than one when first place is shared)."""
    table = ev.table
    return sorted(table.loc[table["rank"] == 1, "bidder_id"])


def order(ev: Evaluation) -> list[str]:
    """Ranked bidder ids, best first."""
    return list(ev.ranked["bidder_id"])


def _with_marks(case: Case, ev: Evaluation, matrix: FloatArray) -> Evaluation:
    """Re-evaluate with `matrix` (bids × marked criteria) as the moderated marks."""
    ids = ev.table["bidder_id"].to_numpy()
    leaf_ids = np.array([leaf.id for leaf in case.tender.quality.leaves()])
    bid_at, leaf_at = np.nonzero(~np.isnan(matrix))
    frame = pd.DataFrame(
        {
            "bidder_id": ids[bid_at],
            "criterion_id": leaf_ids[leaf_at],
            # as text, the way moderated marks are read from a file
            "moderated_mark": [repr(float(v)) for v in matrix[bid_at, leaf_at]],
            "rationale": "re-scored for sensitivity analysis",
        }
    )
    return evaluate(case.tender, case.bids, None, frame)


# --- Smallest change to a single mark -----------------------------------------------------


@dataclass(frozen=True)
class MarkChange:
    """One consensus mark changed, and what it does to the lead.

    `outcome` is "tie" (first place shared) or "lead" (another bid ranked first alone or
    by the stated tie-break); `points` is the change in that bid's total.
    """

    bidder_id: str
    criterion_id: str
    from_mark: float
    to_mark: float
    points: float
    outcome: str
    leaders_after: list[str]

    @property
    def marks_moved(self) -> float:
        """How many marks the change moves, ignoring direction."""
        return abs(self.to_mark - self.from_mark)

    def describe(self) -> str:
        """'B Q1 5→6 (+1.2 points)'."""
        return (
            f"{self.bidder_id} {self.criterion_id} {self.from_mark:g}→{self.to_mark:g} "
            f"({self.points:+.2f} points)"
        )


def _snap(scale: Scale, value: float, upward: bool, strictly: bool) -> float | None:
    """The nearest allowed mark at or beyond `value` in one direction (None: off the scale).

    With `strictly`, a mark exactly at `value` does not count (it would tie, not lead).
    On a continuous scale (no step) only the exact value itself can be returned.
    """
    if scale.step is None:
        mark = None if strictly else value
    else:
        units = (value - scale.minimum) / scale.step
        whole = round(units)
        on_step = math.isclose(units, whole, abs_tol=1e-9)
        if on_step:
            units = whole + (1 if upward else -1) * strictly
        else:
            units = math.ceil(units) if upward else math.floor(units)
        mark = scale.minimum + units * scale.step
    if mark is None or not (scale.minimum - 1e-9 <= mark <= scale.maximum + 1e-9):
        return None
    return mark


def pair_mark_changes(ev: Evaluation, ahead: str, behind: str) -> list[MarkChange]:
    """Closed form candidates: single-mark changes that may level or reverse two bids.

    For every marked criterion: raise `behind`'s mark, or lower `ahead`'s, by just enough
    (weight ÷ scale maximum points per mark) to tie, and by the next allowed mark to pass.
    `outcome` and `leaders_after` are the arithmetic's guess for the pair only: a mark
    rounded onto the scale can overshoot a tie, and an exclusion can move price scores,
    so nothing is stated from them until `pair_changes` or `mark_changes` re-scores them.
    """
    return _pair_mark_changes(Standings(ev), ahead, behind)


def _units(ev: Evaluation) -> FloatArray:
    """Points per mark on each marked criterion: weight ÷ scale maximum."""
    spec = ev.tender.quality
    return np.array([leaf.weight for leaf in spec.leaves()]) / spec.scale.maximum


def _pair_mark_changes(standings: Standings, ahead: str, behind: str) -> list[MarkChange]:
    ev = standings.evaluation
    spec = ev.tender.quality
    unit = _units(ev)
    row = {bid: standings.row_of[bid] for bid in (ahead, behind)}
    gap = float(standings.total[row[ahead]]) - float(standings.total[row[behind]])
    if comparable(np.float64(gap)) < 0:
        return []
    gap = max(gap, 0.0)  # level totals ordered by a stated tie-break: any step decides
    out = []
    for k, leaf in enumerate(spec.leaves()):
        need = gap / unit[k]
        for bidder, sign in ((behind, 1), (ahead, -1)):
            current = float(ev.consensus[row[bidder], k])
            if math.isnan(current):
                continue
            for outcome, strictly in (("tie", False), ("lead", True)):
                mark = _snap(spec.scale, current + sign * need, sign > 0, strictly)
                if mark is None or math.isclose(mark, current):
                    continue
                result = [ahead, behind] if outcome == "tie" else [behind]
                points = float((mark - current) * unit[k])
                out.append(MarkChange(bidder, leaf.id, current, mark, points, outcome, result))
    return sorted(out, key=_change_order)


def _change_order(change: MarkChange) -> tuple[float, float, str, str]:
    return (change.marks_moved, abs(change.points), change.bidder_id, change.criterion_id)


def mark_changes(case: Case, ev: Evaluation) -> list[MarkChange]:
    """For each bid, criterion and outcome, the smallest single-mark change that ties or
    changes the leader, each verified by re-scoring.

    Candidates come from `pair_mark_changes` between the leader and every other ranked
    bid close enough for one mark to reach (`_within_reach`), plus lowering a leader's
    mark below a criterion's minimum mark. Each is re-scored (`rescoring`, or
    `scoring.evaluate` when it moves a price anchor) and kept only if first place really
    changes or is shared; the outcome is what that re-score says. Smallest changes first.
    """
    first = leaders(ev)
    if len(first) != 1:
        return []
    leader = first[0]
    search = _Search(case, Standings(ev), first)
    reach = search.within_reach(leader)
    candidates = [
        c
        for bid in order(ev)[1:]
        if bid in reach
        for c in _pair_mark_changes(search.standings, leader, bid)
    ]
    candidates += _threshold_candidates(search.standings, leader)
    out = []
    for change, after in search.rescored(candidates):
        now = after.leaders()
        if now == [leader]:
            continue
        outcome = "tie" if leader in now else "lead"
        out.append(replace(change, outcome=outcome, leaders_after=now))
    return sorted(out, key=_change_order)


def pair_changes(case: Case, ev: Evaluation, ahead: str, behind: str) -> list[MarkChange]:
    """Single-mark changes that tie or reverse two bids, each verified by re-scoring.

    Candidates are `pair_mark_changes` (and, for the leader, a mark below a criterion's
    minimum); each is re-run through `scoring.evaluate` and its outcome read from that
    evaluation by `pair_outcome`, never from the closed-form arithmetic: a change that
    overshoots a tie is a lead, and one that falls short is dropped. `leaders_after` is
    first place in the re-scored evaluation. Smallest changes first.
    """
    return _pair_changes(_Search(case, Standings(ev), leaders(ev)), ahead, behind)


def _pair_changes(search: _Search, ahead: str, behind: str) -> list[MarkChange]:
    candidates = []
    if behind in search.within_reach(ahead):
        candidates = _pair_mark_changes(search.standings, ahead, behind)
    if search.first == [ahead]:
        candidates += _threshold_candidates(search.standings, ahead)
    out = []
    for change, after in search.rescored(candidates):
        outcome = after.outcome(ahead, behind)
        if outcome is not None:
            out.append(replace(change, outcome=outcome, leaders_after=after.leaders()))
    return sorted(out, key=_change_order)


def pair_outcome(after: Evaluation, ahead: str, behind: str) -> str | None:
    """How `behind` stands against `ahead` in a re-scored evaluation.

    "tie" when they share a rank (equal totals under the ranking's one tolerance, and no
    stated tie-break between them); "lead" when `behind` is ranked ahead of `ahead` (on
    total, or on equal totals by the stated tie-break), or `ahead` is no longer ranked
    while `behind` is; None otherwise.
    """
    rank = dict(zip(after.table["bidder_id"], after.table["rank"], strict=True))
    if rank[behind] <= 0:
        return None
    if rank[ahead] <= 0 or rank[behind] < rank[ahead]:
        return "lead"
    return "tie" if rank[behind] == rank[ahead] else None


class _Rescored:
    """A candidate re-scored in full by `scoring.evaluate`, read as a `rescoring.Change` is."""

    def __init__(self, after: Evaluation) -> None:
        self.after = after

    def leaders(self) -> list[str]:
        return leaders(self.after)

    def outcome(self, ahead: str, behind: str) -> str | None:
        return pair_outcome(self.after, ahead, behind)


@dataclass
class _Search:
    """One evaluation's candidates re-scored: its standings, and the full re-scores made."""

    case: Case
    standings: Standings
    first: list[str]
    full: dict[tuple[int, int, float], _Rescored] = field(default_factory=dict)
    reach: dict[str, set[str]] = field(default_factory=dict)

    def within_reach(self, ahead: str) -> set[str]:
        """The ranked bids one mark could bring level with `ahead` (`_within_reach`)."""
        if ahead not in self.reach:
            ranked = [b for b in order(self.standings.evaluation) if b != ahead]
            self.reach[ahead] = set(_within_reach(self.standings, ahead, ranked))
        return self.reach[ahead]

    def rescored(self, candidates: list[MarkChange]) -> list[tuple[MarkChange, Change | _Rescored]]:
        """Each distinct candidate (smallest first) with the ranking its changed mark gives.

        One pass through `rescoring` for all of them; a change that excludes a price
        anchor is re-scored by `scoring.evaluate` instead, once per search.
        """
        ev = self.standings.evaluation
        row_of = self.standings.row_of
        leaf_of = {leaf.id: k for k, leaf in enumerate(ev.tender.quality.leaves())}
        seen: set[tuple[str, str, float]] = set()
        distinct = []
        for change in sorted(candidates, key=_change_order):
            key = (change.bidder_id, change.criterion_id, change.to_mark)
            if key not in seen:
                seen.add(key)
                distinct.append(change)
        rows = np.array([row_of[c.bidder_id] for c in distinct], dtype=np.int64)
        leaves = np.array([leaf_of[c.criterion_id] for c in distinct], dtype=np.int64)
        marks = np.array([c.to_mark for c in distinct], dtype=np.float64)
        quick = self.standings.with_marks(rows, leaves, marks)
        return [
            (change, after or self._in_full(int(row), int(leaf), float(mark)))
            for change, after, row, leaf, mark in zip(
                distinct, quick, rows, leaves, marks, strict=True
            )
        ]

    def _in_full(self, row: int, leaf: int, mark: float) -> _Rescored:
        if (row, leaf, mark) not in self.full:
            ev = self.standings.evaluation
            matrix = ev.consensus.copy()
            matrix[row, leaf] = mark
            self.full[(row, leaf, mark)] = _Rescored(_with_marks(self.case, ev, matrix))
        return self.full[(row, leaf, mark)]


def _within_reach(standings: Standings, ahead: str, others: list[str]) -> list[str]:
    """The bids of `others` that one mark on one criterion could bring level with `ahead`.

    `pair_mark_changes` finds a candidate only if raising the other bid's mark, or
    lowering `ahead`'s, to the end of the scale covers the gap between them: for the
    rest it finds none (a small allowance keeps every mark `_snap` accepts at the ends).
    """
    ev = standings.evaluation
    scale = ev.tender.quality.scale
    unit = _units(ev)
    lead = standings.row_of[ahead]
    rows = np.array([standings.row_of[b] for b in others], dtype=np.int64)
    if rows.size == 0:
        return []
    with np.errstate(invalid="ignore"):
        up = np.where(np.isnan(ev.consensus[rows]), -np.inf, scale.maximum - ev.consensus[rows])
        down = ev.consensus[lead] - scale.minimum
        down = np.where(np.isnan(down), -np.inf, down)
        room = np.maximum(up, down[None, :])
        reach = (unit[None, :] * room).max(axis=1)
        gap = np.maximum(standings.total[lead] - standings.total[rows], 0.0)
    close = gap <= reach + 1e-6 * (1.0 + np.abs(reach))
    return [standings.ids[r] for r in rows[close]]


def _threshold_candidates(standings: Standings, leader: str) -> list[MarkChange]:
    """Lowering a leader's mark to the allowed mark just below a criterion's minimum."""
    ev = standings.evaluation
    spec = ev.tender.quality
    row = standings.row_of[leader]
    out = []
    for k, leaf in enumerate(spec.leaves()):
        if leaf.minimum_mark is None:
            continue
        mark = _snap(spec.scale, leaf.minimum_mark, upward=False, strictly=True)
        current = float(ev.consensus[row, k])
        if mark is None or math.isnan(current) or mark >= current:
            continue
        points = float((mark - current) * leaf.weight / spec.scale.maximum)
        out.append(MarkChange(leader, leaf.id, current, mark, points, "lead", []))
    return out


def smallest(changes: list[MarkChange], outcome: str) -> list[MarkChange]:
    """The changes with `outcome` that move the fewest marks (all of them if several)."""
    chosen = [c for c in changes if c.outcome == outcome]
    if not chosen:
        return []
    least = min(c.marks_moved for c in chosen)
    return [c for c in chosen if math.isclose(c.marks_moved, least)]


# --- Leave one evaluator out --------------------------------------------------------------


@dataclass(frozen=True)
class WithoutEvaluator:
    """The ranking from the provisional rule with one evaluator's marks set aside.

    `evaluator_id` None is the whole panel under the same rule, for comparison.
    """

    evaluator_id: str | None
    order: list[str]
    totals: dict[str, float]
    leaders: list[str]
    leader_changed: bool


def leave_one_out(case: Case, ev: Evaluation) -> list[WithoutEvaluator]:
    """Re-score from the evaluators' marks (median), whole panel and without each evaluator.

    `leader_changed` compares with `ev`, the evaluation as it stands (moderated marks if
    there are any). Needs individual marks and at least two evaluators.
    """
    if case.marks is None or len(case.tender.panel) < 2:
        return []
    base = leaders(ev)
    left_out = case.excluded_marks
    runs: list[tuple[str | None, Evaluation]] = [
        (None, evaluate(case.tender, case.bids, case.marks, None, excluded_marks=left_out))
    ]
    evaluator_col = case.marks["evaluator_id"].astype(str)
    for person in case.tender.panel:
        tender = case.tender.model_copy(
            update={"panel": [p for p in case.tender.panel if p.id != person.id]}
        )
        kept = case.marks[evaluator_col != person.id]
        runs.append((person.id, evaluate(tender, case.bids, kept, None, excluded_marks=left_out)))
    out = []
    for evaluator, run in runs:
        ranked = run.ranked
        first = leaders(run)
        out.append(
            WithoutEvaluator(
                evaluator,
                list(ranked["bidder_id"]),
                dict(zip(ranked["bidder_id"], ranked["total_score"].astype(float), strict=True)),
                first,
                first != base,
            )
        )
    return out


# --- Rank reversal ------------------------------------------------------------------------


@dataclass(frozen=True)
class Removal:
    """The ranking with one non-winning bid removed; `swaps` are (was ahead, now not ahead).

    `order` is None when the removed bid anchors nothing in the price formula, so every
    other bid keeps its score and the rest keep their order exactly (no swaps).
    """

    removed: str
    order: list[str] | None
    swaps: list[tuple[str, str]]


def rank_reversals(case: Case, ev: Evaluation) -> list[Removal]:
    """Remove each ranked, non-winning bid in turn and re-score; report any swap of the rest.

    A swap is a pair of remaining bids where the one ranked ahead before is behind or
    level after. Excluded bids are not tried: they never move compliant bids' scores.
    Only a removal of a price anchor (`rescoring.Standings.moves_others`) can move another
    bid's score, so only those are re-scored; the rest change nothing.
    """
    first = set(leaders(ev))
    standings = Standings(ev)
    before = dict(zip(ev.table["bidder_id"], ev.table["rank"], strict=True))
    ranked = order(ev)
    tables = _ByBidder(case)
    out = []
    for removed in ranked:
        if removed in first:
            continue
        if not standings.moves_others(standings.row_of[removed]):
            out.append(Removal(removed, None, []))
            continue
        bids, marks, moderated = tables.without(removed)
        run = evaluate(case.tender, bids, marks, moderated, excluded_marks=case.excluded_marks)
        after = dict(zip(run.table["bidder_id"], run.table["rank"], strict=True))
        rest = [b for b in ranked if b != removed and after.get(b, 0) > 0]
        out.append(Removal(removed, order(run), swaps(rest, before, after)))
    return out


class _ByBidder:
    """The case's tables with each row's bidder id read once, to take one bid out of all."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.ids = [
            None if f is None else f["bidder_id"].astype(str).str.strip().to_numpy()
            for f in (case.bids, case.marks, case.moderated)
        ]

    def without(self, bidder: str) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
        """Bids, marks and moderated marks less the rows of `bidder` (absent ones stay None)."""
        bids, marks, moderated = (
            None if f is None or ids is None else f[ids != bidder].reset_index(drop=True)
            for f, ids in zip(
                (self.case.bids, self.case.marks, self.case.moderated), self.ids, strict=True
            )
        )
        assert bids is not None
        return bids, marks, moderated


# --- Near-tie rules and verdicts ----------------------------------------------------------


@dataclass(frozen=True)
class NearTies:
    """Which ranked bids each near-tie rule flags, with the figures behind them.

    `low`/`high` are the totals' ranges over the evaluators' own marks (None without
    individual marks or when the rule is off); corridor arrays are None when no corridor
    is configured.
    """

    points: BoolArray
    ranges: BoolArray | None
    low: FloatArray | None
    high: FloatArray | None
    corridor: BoolArray | None
    corridor_choice: BoolArray | None


def near_tie_rules(ev: Evaluation) -> NearTies:
    """Apply the points margin, evaluator-range and corridor rules the tender configures."""
    table = ev.table
    rule = ev.tender.near_tie
    ranked = (table["rank"] > 0).to_numpy()
    points = table["is_near_tie"].to_numpy(dtype=bool)
    ranges = low = high = None
    if rule.evaluator_range and ev.individual is not None and ranked.any():
        low = table["total_low"].to_numpy(dtype=np.float64)
        high = table["total_high"].to_numpy(dtype=np.float64)
        ranges = table["is_range_overlap"].to_numpy(dtype=bool)
    candidates = chosen = None
    if rule.corridor is not None:
        candidates = table["is_corridor_candidate"].to_numpy(dtype=bool)
        chosen = table["is_corridor_choice"].to_numpy(dtype=bool)
    return NearTies(points, ranges, low, high, candidates, chosen)


def pair_crossover(lines: Lines, a: str, b: str) -> float | None:
    """The price weight in [0, 100] at which bids a and b have equal totals, if any."""
    i, j = lines.position[a], lines.position[b]
    slope = lines.slope[i] - lines.slope[j]
    if comparable(np.float64(slope)) == 0:
        return None
    weight = float((lines.intercept[j] - lines.intercept[i]) / slope)
    return weight if 0 <= weight <= TOTAL_WEIGHT else None


@dataclass(frozen=True)
class Verdict:
    """Robust or fragile, for the leader against one near-tied bid, with the reasons."""

    leader: str
    other: str
    robust: bool
    reasons: list[str]
    changes: list[MarkChange] = field(default_factory=list)  # those the reasons state

    def line(self) -> str:
        """The verdict as one plain-English line."""
        word = "ROBUST" if self.robust else "FRAGILE"
        return f"{self.leader} v {self.other}: {word}. " + " ".join(self.reasons)


SHOWN_CHANGES = 2
FRAGILE_RULE = (
    "fragile when a change of one mark step on a single criterion, or setting aside one "
    "evaluator's marks, ties or reverses the pair; robust otherwise"
)


def verdicts(
    case: Case,
    ev: Evaluation,
    rules: NearTies,
    without: list[WithoutEvaluator],
    lines: Lines | None = None,
) -> list[Verdict]:
    """A verdict for the leader against each bid any near-tie rule flags (see FRAGILE_RULE).

    Every mark change a verdict states was re-scored (`pair_changes`): "ties them" means
    the re-scored pair shares a rank, "puts X ahead" that X is ranked ahead.
    """
    first = leaders(ev)
    if not first:
        return []
    leader = first[0]
    flagged = rules.points.copy()
    for extra in (rules.ranges, rules.corridor):
        if extra is not None:
            flagged |= extra
    pair = _Pair(
        _Search(case, Standings(ev), first), rules, without, lines or price_weight_lines(ev)
    )
    row_of = pair.search.standings.row_of
    out = []
    for other in order(ev):
        if other == leader or not flagged[row_of[other]]:
            continue
        reasons, fragile, stated = pair.reasons(leader, other)
        out.append(Verdict(leader, other, not fragile, reasons, stated))
    return out


@dataclass(frozen=True)
class _Pair:
    """What every verdict reads: the re-scoring search, the rules, leave-one-out, the lines."""

    search: _Search
    rules: NearTies
    without: list[WithoutEvaluator]
    lines: Lines

    def reasons(self, leader: str, other: str) -> tuple[list[str], bool, list[MarkChange]]:
        """The verdict's sentences, whether the pair is fragile, and the changes it states."""
        standings = self.search.standings
        i, j = standings.row_of[leader], standings.row_of[other]
        gap = standings.total[i] - standings.total[j]
        level = bool(comparable(np.float64(gap)) == 0)
        reasons = ["Their totals are equal." if level else f"{leader} leads by {gap:.2f} points."]
        changes, small, stated = _change_reasons(self.search, leader, other)
        evaluators, flipped = _evaluator_reasons(self.without, leader, other)
        reasons += changes + evaluators + _weight_reasons(self, leader, other)
        reasons += _range_reasons(self.rules, i, j, leader, other)
        return reasons, level or small or flipped, stated


def _change_reasons(
    search: _Search, leader: str, other: str
) -> tuple[list[str], bool, list[MarkChange]]:
    """The smallest re-scored changes that tie or reverse the pair; fragile if one step does."""
    step = search.standings.evaluation.tender.quality.scale.step
    changes = _pair_changes(search, leader, other)
    reasons: list[str] = []
    stated: list[MarkChange] = []
    fragile = False
    for outcome, verb in (("tie", "ties them"), ("lead", f"puts {other} ahead")):
        least = smallest(changes, outcome)
        if not least:
            continue
        stated += least[:SHOWN_CHANGES]
        moved = least[0].marks_moved
        amount = f"{moved:g} mark{'s' if moved != 1 else ''}"
        shown = " or ".join(c.describe() for c in least[:SHOWN_CHANGES])
        if len(least) > SHOWN_CHANGES:
            shown += f" ({len(least)} ways in all)"
        reasons.append(f"Changing {amount} on one criterion {verb}: {shown}.")
        fragile = fragile or (step is not None and moved <= step + 1e-9)
    return reasons, fragile, stated


def _evaluator_reasons(
    without: list[WithoutEvaluator], leader: str, other: str
) -> tuple[list[str], bool]:
    """Whose marks, set aside, put `other` level or ahead; fragile if anyone's do."""
    flips = [w for w in without if w.evaluator_id is not None and _level_or_ahead(w, other, leader)]
    if not flips:
        return (["No single evaluator's marks decide between them."] if without else []), False
    figures = "; ".join(
        f"without {w.evaluator_id} {other} {w.totals[other]:.2f}, {leader} {w.totals[leader]:.2f}"
        for w in flips
    )
    return [
        f"Setting aside {', '.join(str(w.evaluator_id) for w in flips)}'s marks puts "
        f"{other} level or ahead on the median of the remaining evaluators' marks "
        f"({figures})."
    ], True


def _weight_reasons(pair: _Pair, leader: str, other: str) -> list[str]:
    """The price weight at which the pair swaps, if one in 0-100 does."""
    weight = pair_crossover(pair.lines, leader, other)
    if weight is None:
        return []
    set_at = pair.search.standings.evaluation.tender.weights.price
    side = "below" if weight < set_at else "above"
    return [f"They swap if the price weight is {side} {weight:.2f} (set at {set_at:g})."]


def _range_reasons(rules: NearTies, i: int, j: int, leader: str, other: str) -> list[str]:
    """The evaluators' own ranges of the pair's totals, when that rule flags `other`."""
    if rules.low is None or rules.high is None or rules.ranges is None or not rules.ranges[j]:
        return []
    return [
        f"Evaluators' own marks give totals of {rules.low[i]:.1f}–{rules.high[i]:.1f} "
        f"({leader}) and {rules.low[j]:.1f}–{rules.high[j]:.1f} ({other}), which overlap."
    ]


def _level_or_ahead(run: WithoutEvaluator, other: str, leader: str) -> bool:
    """Whether `other` is ranked and its total level with or above `leader`'s in `run`."""
    if other not in run.totals:
        return False
    if leader not in run.totals:
        return True
    mine, theirs = comparable([run.totals[other], run.totals[leader]])
    return bool(mine >= theirs)


def reweighted(tender: Tender, price_weight: float) -> Tender:
    """The same tender with the price weight set to `price_weight` (quality = 100 − it).

    Every quality criterion keeps its share of the quality weight, so the whole tree is
    scaled; used to confirm a crossover by re-scoring on either side of it.
    """
    data = tender.model_dump()
    factor = (TOTAL_WEIGHT - price_weight) / tender.weights.quality

    def scale(criteria: list[dict[str, object]]) -> None:
        for criterion in criteria:
            criterion["weight"] = float(criterion["weight"]) * factor  # type: ignore[arg-type]
            scale(criterion["sub_criteria"])  # type: ignore[arg-type]

    scale(data["quality"]["criteria"])
    data["weights"] = {"price": price_weight, "quality": TOTAL_WEIGHT - price_weight}
    copy = Tender.model_validate(data)
    return copy.with_source(tender.source) if tender.source is not None else copy
