"""Re-scoring one change without the whole evaluation agrees with re-scoring in full.

The brute-force paths live here, not in the library: every single-mark change and every
removal is re-run through `scoring.evaluate`, and the fast answers must be the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender import rescoring
from tender import sensitivity as s
from tender.price import FORMULAS
from tender.scoring import evaluate

FORMULA_NAMES = ["lowest_price", "linear_deduction", "interpolation", "log", "highest_offer"]

bid_strategy = st.tuples(
    st.sampled_from([50, 80, 100, 100, 120, 150, 200]),  # repeats make shared anchors
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=10),
)


def _case(tiny, bids, *, formula="lowest_price", tie_break=(), minimum=None, minimum_score=None):
    tender = tiny.tender(
        {"Q1": 25, "Q2": 15},
        formula=formula,
        ranking={"tie_break": list(tie_break)},
        near_tie={"margin": 100},
    )
    if minimum is not None or minimum_score is not None:
        data = tender.model_dump()
        data["quality"]["criteria"][0]["minimum_mark"] = minimum
        data["quality"]["minimum_score"] = minimum_score
        tender = type(tender).model_validate(data)
    ids = [chr(ord("A") + i) for i in range(len(bids))]
    prices = {b: p for b, (p, _, _) in zip(ids, bids, strict=True)}
    moderated = {b: {"Q1": q1, "Q2": q2} for b, (_, q1, q2) in zip(ids, bids, strict=True)}
    frames = tiny.tables(prices, moderated)
    return s.Case(tender, frames[0], None, frames[2])


cases = st.fixed_dictionaries(
    {
        "bids": st.lists(bid_strategy, min_size=1, max_size=5),
        "formula": st.sampled_from(FORMULA_NAMES),
        "tie_break": st.sampled_from([(), ("higher_quality",), ("better_price",)]),
        "minimum": st.sampled_from([None, 3]),
        "minimum_score": st.sampled_from([None, 10.0]),
    }
)


@pytest.mark.slow
@settings(max_examples=30)  # each example re-scores every mark on the scale in full
@given(spec=cases)
def test_every_single_mark_change_ranks_as_a_full_re_score(tiny, spec):
    case = _case(tiny, **spec)
    ev = case.evaluate()
    standings = rescoring.Standings(ev)
    ranked = [b for b in ev.table["bidder_id"] if b in s.order(ev)]
    rows, leaves = np.nonzero(~np.isnan(ev.consensus))
    for row, leaf in zip(rows, leaves, strict=True):
        if ev.table["bidder_id"][row] not in ranked:
            continue
        marks = np.arange(11, dtype=float)
        quick = standings.with_marks(np.full(11, row), np.full(11, leaf), marks)
        for mark, change in zip(marks, quick, strict=True):
            matrix = ev.consensus.copy()
            matrix[row, leaf] = mark
            full = s._with_marks(case, ev, matrix)
            if change is None:  # an anchor excluded: left to the full re-score
                assert standings.moves_others(int(row))
                continue
            assert change.leaders() == s.leaders(full)
            for ahead in ranked:
                for behind in ranked:
                    if ahead != behind:
                        assert change.outcome(ahead, behind) == s.pair_outcome(full, ahead, behind)


def _removals_in_full(case, ev):
    """Today's rank reversal: re-score every removal and compare every pair."""
    first = set(s.leaders(ev))
    before = dict(zip(ev.table["bidder_id"], ev.table["rank"], strict=True))
    out = {}
    for removed in s.order(ev):
        if removed in first:
            continue
        run = evaluate(
            case.tender,
            case.bids[case.bids["bidder_id"] != removed].reset_index(drop=True),
            None,
            case.moderated[case.moderated["bidder_id"] != removed].reset_index(drop=True),
        )
        after = dict(zip(run.table["bidder_id"], run.table["rank"], strict=True))
        rest = [b for b in s.order(ev) if b != removed and after.get(b, 0) > 0]
        swaps = [
            (a, b)
            for i, a in enumerate(rest)
            for b in rest[i + 1 :]
            if before[a] < before[b] and after[a] >= after[b]
        ]
        out[removed] = (s.order(run), swaps)
    return out


@pytest.mark.slow
@settings(max_examples=60)
@given(spec=cases)
def test_rank_reversal_re_scores_only_anchors_and_agrees_with_re_scoring_every_removal(tiny, spec):
    case = _case(tiny, **spec)
    ev = case.evaluate()
    expected = _removals_in_full(case, ev)
    found = {r.removed: r for r in s.rank_reversals(case, ev)}
    assert set(found) == set(expected)
    for removed, (order, swaps) in expected.items():
        assert found[removed].swaps == swaps
        if found[removed].order is None:  # nothing moved: the order as before, less it
            assert order == [b for b in s.order(ev) if b != removed]
        else:
            assert found[removed].order == order


def _pair_changes_in_full(case, ev, ahead, behind):
    """Today's pair search: every closed-form candidate re-scored by `scoring.evaluate`."""
    candidates = s.pair_mark_changes(ev, ahead, behind)
    if s.leaders(ev) == [ahead]:
        candidates += s._threshold_candidates(rescoring.Standings(ev), ahead)
    leaf_of = {leaf.id: k for k, leaf in enumerate(case.tender.quality.leaves())}
    row_of = {b: i for i, b in enumerate(ev.table["bidder_id"])}
    seen, out = set(), []
    for change in sorted(candidates, key=s._change_order):
        key = (change.bidder_id, change.criterion_id, change.to_mark)
        if key in seen:
            continue
        seen.add(key)
        matrix = ev.consensus.copy()
        matrix[row_of[change.bidder_id], leaf_of[change.criterion_id]] = change.to_mark
        after = s._with_marks(case, ev, matrix)
        outcome = s.pair_outcome(after, ahead, behind)
        if outcome is not None:
            out.append((key, outcome, s.leaders(after)))
    return sorted(out)


def _mark_changes_in_full(case, ev):
    """Today's smallest-change search: candidates against every ranked bid, in full."""
    leader = s.leaders(ev)[0]
    candidates = [c for b in s.order(ev)[1:] for c in s.pair_mark_changes(ev, leader, b)]
    candidates += s._threshold_candidates(rescoring.Standings(ev), leader)
    leaf_of = {leaf.id: k for k, leaf in enumerate(case.tender.quality.leaves())}
    row_of = {b: i for i, b in enumerate(ev.table["bidder_id"])}
    found = {}
    for change in candidates:
        key = (change.bidder_id, change.criterion_id, change.to_mark)
        matrix = ev.consensus.copy()
        matrix[row_of[change.bidder_id], leaf_of[change.criterion_id]] = change.to_mark
        now = s.leaders(s._with_marks(case, ev, matrix))
        if now != [leader]:
            found[key] = ("tie" if leader in now else "lead", now)
    return found


@pytest.mark.slow
@settings(max_examples=60)
@given(spec=cases)
def test_mark_changes_and_pair_changes_agree_with_re_scoring_every_candidate(tiny, spec):
    case = _case(tiny, **spec)
    ev = case.evaluate()
    first = s.leaders(ev)
    if len(first) != 1:
        assert s.mark_changes(case, ev) == []
        return
    changes = s.mark_changes(case, ev)
    assert changes == sorted(changes, key=s._change_order)
    found = {
        (c.bidder_id, c.criterion_id, c.to_mark): (c.outcome, c.leaders_after) for c in changes
    }
    assert found == _mark_changes_in_full(case, ev)
    for other in s.order(ev)[1:]:
        fast = [
            ((c.bidder_id, c.criterion_id, c.to_mark), c.outcome, c.leaders_after)
            for c in s.pair_changes(case, ev, first[0], other)
        ]
        assert sorted(fast) == _pair_changes_in_full(case, ev, first[0], other)


@given(
    prices=st.lists(st.sampled_from([0, 40, 50, 80, 100, 100, 130, 200]), min_size=2, max_size=7),
    formula=st.sampled_from(sorted(FORMULAS)),
)
def test_a_bid_not_alone_at_the_lowest_or_highest_price_moves_no_other_score(prices, formula):
    """What `Standings.moves_others` relies on, for every formula in the catalogue."""
    kwargs = {"budget": 150.0} if formula == "budget_relative" else {}
    values = np.array(prices, dtype=float)
    if not FORMULAS[formula].allows_zero:
        values = np.where(values == 0, 10.0, values)
    before = FORMULAS[formula].kernel(values, 60.0, **kwargs)
    anchors = rescoring._anchors(values, np.ones(values.size, dtype=bool))
    for removed in range(values.size):
        if removed in anchors:
            continue
        kept = np.delete(values, removed)
        after = FORMULAS[formula].kernel(kept, 60.0, **kwargs)
        assert np.array_equal(after, np.delete(before, removed))


@given(
    before=st.lists(st.integers(1, 4), min_size=0, max_size=8),
    after=st.lists(st.integers(1, 4), min_size=8, max_size=8),
)
def test_swaps_are_every_pair_that_was_ahead_and_is_not(before, after):
    ranks = sorted(before)
    rest = [f"B{i}" for i in range(len(ranks))]
    was = dict(zip(rest, ranks, strict=True))
    now = dict(zip(rest, after, strict=False))
    expected = [
        (a, b)
        for i, a in enumerate(rest)
        for b in rest[i + 1 :]
        if was[a] < was[b] and now[a] >= now[b]
    ]
    assert rescoring.swaps(rest, was, now) == expected


def test_standings_by_hand(tiny):
    # A £100 marks 5, 5 → 60 + 12.5 + 7.5 = 80; B £125 marks 8, 6 → 48 + 20 + 9 = 77;
    # C £200 marks 6, 6 → 30 + 15 + 9 = 54. B Q1 8→10 gives B 82: B first alone;
    # A Q1 5→4 gives A 77.5: B still behind; A Q1 5→3 gives A 75: B first.
    case = _case(tiny, [(100, 5, 5), (125, 8, 6), (200, 6, 6)])
    ev = case.evaluate()
    assert list(ev.table["total_score"]) == pytest.approx([80, 77, 54])
    standings = rescoring.Standings(ev)
    assert standings.anchors == {0, 2}  # alone at the lowest and at the highest price
    raised, lowered, further = standings.with_marks(
        np.array([1, 0, 0]), np.array([0, 0, 0]), np.array([10.0, 4.0, 3.0])
    )
    assert raised is not None
    assert lowered is not None
    assert further is not None
    assert raised.leaders() == ["B"]
    assert raised.outcome("A", "B") == "lead"
    assert lowered.leaders() == ["A"]
    assert lowered.outcome("A", "B") is None
    assert further.leaders() == ["B"]
