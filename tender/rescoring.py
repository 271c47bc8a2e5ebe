"""Re-scoring one change (a consensus mark, a bid taken out) without re-running everything.

Pure; no I/O. A single consensus mark moves only its own bid's quality score and total. A
bid taken out, or newly excluded by a minimum mark or score, moves the other bids' price
scores only when it anchors the price formula: every formula in `price` reads the
scoreable prices through their lowest and highest only, so a bid that is not the only one
at either leaves every other score exactly as it was. Then the rest keep their ranking
keys (`ranking.sort_keys`) and first place, or any pair's standing, follows from where the
changed bid now sorts. `Standings` holds those keys, built once per evaluation; a change
that moves an anchor is for `scoring.evaluate` to re-score in full.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import compliance, quality
from .price import FORMULAS
from .ranking import sort_keys
from .scoring import Evaluation

Key = tuple[float, ...]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Standings:
    """The ranked bids' ranking keys and the top two groups of them, for one evaluation."""

    def __init__(self, ev: Evaluation) -> None:
        table = ev.table
        tender = ev.tender
        self.evaluation = ev
        self.ids: list[str] = [str(b) for b in table["bidder_id"]]
        self.row_of = {bid: i for i, bid in enumerate(self.ids)}
        self.ranked = (table["rank"] > 0).to_numpy()
        self.price_score = table["price_score"].to_numpy(dtype=np.float64)
        self.price = table["price"].to_numpy(dtype=np.float64)
        self.better = FORMULAS[tender.price.formula.name].better
        self.tie_break = list(tender.ranking.tie_break)
        self.total = table["total_score"].to_numpy(dtype=np.float64)
        quality_score = table["quality_score"].to_numpy(dtype=np.float64)
        keys = self._keys(self.total, quality_score, self.price)
        self.keys: list[Key | None] = [
            tuple(float(k) for k in row) if ok else None
            for row, ok in zip(np.stack(keys, axis=1).tolist(), self.ranked, strict=True)
        ]
        self.groups = _top_groups(self.keys)
        self.anchors = _anchors(self.price, self.ranked)

    def _keys(
        self, total: FloatArray, quality_score: FloatArray, price: FloatArray
    ) -> list[FloatArray]:
        return sort_keys(
            total,
            quality=quality_score,
            price=price,
            price_better=self.better,
            tie_break=self.tie_break,
        )

    def moves_others(self, row: int) -> bool:
        """Whether taking bid `row` out of the scoreable bids changes another's price score."""
        return row in self.anchors

    def best_without(self, row: int) -> tuple[Key | None, list[int]]:
        """The best ranking key among the ranked bids other than `row`, and who holds it."""
        for key, rows in self.groups:
            rest = [r for r in rows if r != row]
            if rest:
                return key, rest
        return None, []

    def with_marks(
        self, rows: IntArray, leaves: IntArray, marks: FloatArray
    ) -> list[Change | None]:
        """Each bid `rows[i]` with its mark on leaf `leaves[i]` set to `marks[i]`, as re-scored.

        None where the change excludes a bid that anchors the price formula: only a full
        re-score says what follows.
        """
        if rows.size == 0:
            return []
        ev = self.evaluation
        spec = ev.tender.quality
        matrix = np.ascontiguousarray(ev.consensus[rows])
        matrix[np.arange(rows.size), leaves] = marks
        quality_score = quality.quality_scores(matrix, spec)
        failing = compliance.threshold_failures(ev.tender, matrix, quality_score) != ""
        total = self.price_score[rows] + quality_score
        keys = np.stack(self._keys(total, quality_score, self.price[rows]), axis=1).tolist()
        out: list[Change | None] = []
        for i, row in enumerate(rows.tolist()):
            if not failing.iloc[i]:
                out.append(Change(self, row, tuple(float(k) for k in keys[i])))
            elif self.moves_others(row):
                out.append(None)
            else:
                out.append(Change(self, row, None))
        return out


@dataclass(frozen=True)
class Change:
    """The ranking after one bid's key changed to `key` (None: that bid is now excluded)."""

    standings: Standings
    row: int
    key: Key | None

    def key_of(self, row: int) -> Key | None:
        """Bid `row`'s ranking key after the change (None: not ranked)."""
        return self.key if row == self.row else self.standings.keys[row]

    def leaders(self) -> list[str]:
        """Bidder ids ranked first after the change, sorted (as `sensitivity.leaders`)."""
        ids = self.standings.ids
        best, rows = self.standings.best_without(self.row)
        if self.key is not None and (best is None or self.key < best):
            rows = [self.row]
        elif self.key is not None and self.key == best:
            rows = [*rows, self.row]
        return sorted(ids[r] for r in rows)

    def outcome(self, ahead: str, behind: str) -> str | None:
        """How `behind` stands against `ahead` after the change (as `sensitivity.pair_outcome`)."""
        row_of = self.standings.row_of
        mine, theirs = self.key_of(row_of[behind]), self.key_of(row_of[ahead])
        if mine is None:
            return None
        if theirs is None or mine < theirs:
            return "lead"
        return "tie" if mine == theirs else None


def _top_groups(keys: list[Key | None]) -> list[tuple[Key, list[int]]]:
    """The two best ranking keys and the rows holding each (the first place and the next)."""
    ranked = sorted((key, row) for row, key in enumerate(keys) if key is not None)
    groups: list[tuple[Key, list[int]]] = []
    for key, row in ranked:
        if groups and groups[-1][0] == key:
            groups[-1][1].append(row)
        elif len(groups) == 2:
            break
        else:
            groups.append((key, [row]))
    return groups


def _anchors(price: FloatArray, ranked: npt.NDArray[np.bool_]) -> set[int]:
    """Rows alone at the lowest or the highest scoreable price: the formula's anchors."""
    scoreable = np.flatnonzero(ranked & ~np.isnan(price))
    if scoreable.size == 0:
        return set()
    values = price[scoreable]
    out: set[int] = set()
    for extreme in (values.min(), values.max()):
        at = scoreable[values == extreme]
        if at.size == 1:
            out.add(int(at[0]))
    return out


def swaps(rest: list[str], before: dict[str, int], after: dict[str, int]) -> list[tuple[str, str]]:
    """Pairs (a, b) of `rest` (listed best first before) with a ahead of b before and not after.

    a was ranked strictly ahead (before[a] < before[b]) and is level or behind after
    (after[a] >= after[b]); in the order of `rest`, a first then b. One sweep keeps the
    earlier bids' ranks after, sorted, so each pair found costs one step: O(n log n + pairs).
    """
    from bisect import bisect_left, insort

    found: list[tuple[int, int]] = []
    seen: list[tuple[int, int]] = []  # (rank after, position) of bids ranked strictly ahead
    start = 0
    while start < len(rest):
        end = start
        while end < len(rest) and before[rest[end]] == before[rest[start]]:
            end += 1
        for position in range(start, end):
            first = bisect_left(seen, (after[rest[position]], -1))
            found += [(earlier, position) for _, earlier in seen[first:]]
        for position in range(start, end):
            insort(seen, (after[rest[position]], position))
        start = end
    found.sort()
    return [(rest[a], rest[b]) for a, b in found]
