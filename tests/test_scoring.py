"""evaluate(): the tiny tender worked by hand, and properties of the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tender.errors import TenderInputError
from tender.inputs import load_inputs, load_tender
from tender.scoring import evaluate
from tender.workflows.evaluation import evaluate_file
from tests.conftest import build_tender

TINY = Path(__file__).parent / "data" / "tiny" / "criteria" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny():
    return evaluate_file(TINY).evaluation


def row(ev, bidder_id):
    return ev.table.set_index("bidder_id").loc[bidder_id]


def test_tiny_hand_computed_scores(tiny):
    # Anchor: lowest compliant price is X's 100 (Z at 80 fails INS, V at 90 fails T2 minimum).
    # X: price 40 × 100/100 = 40; quality 20×4/5 + 10×3/5 + 30×3/5 = 16 + 6 + 18 = 40.
    # Y: price 40 × 100/125 = 32; quality 20 + 10 + 24 = 54; total 86.
    # W: no price → 0; quality 8 + 4 + 18 = 30 (moderated T2 3, not the median 2).
    x, y, w = row(tiny, "X"), row(tiny, "Y"), row(tiny, "W")
    assert (x.price_score, x.quality_score, x.total_score) == pytest.approx((40, 40, 80))
    assert (y.price_score, y.quality_score, y.total_score) == pytest.approx((32, 54, 86))
    assert (w.price_score, w.quality_score, w.total_score) == pytest.approx((0, 30, 30))
    assert [y["rank"], x["rank"], w["rank"]] == [1, 2, 3]
    assert bool(w.has_unscored_price)


def test_tiny_exclusions_are_listed_not_ranked(tiny):
    z, v = row(tiny, "Z"), row(tiny, "V")
    assert z["rank"] == 0
    assert v["rank"] == 0
    assert np.isnan(z.total_score)
    assert np.isnan(v.price_score)
    assert "failed requirement INS" in z.exclusion_reason
    assert "'no'" in z.exclusion_reason
    assert v.exclusion_reason == "T2 mark 1 is below the minimum of 2"
    assert v.quality_score == pytest.approx(20 + 10 + 6)


def test_tiny_near_tie_includes_the_margin_itself(tiny):
    # X is exactly 6 behind Y and the margin is 6: both flagged.
    assert set(tiny.table.loc[tiny.table.is_near_tie, "bidder_id"]) == {"X", "Y"}


def test_tiny_criterion_scores_roll_up(tiny):
    scores = tiny.criterion_scores
    x = list(tiny.table.bidder_id).index("X")
    assert scores["T1a"][x] == pytest.approx(16)
    assert scores["T1"][x] == pytest.approx(22)
    assert scores["T1"][x] + scores["T2"][x] == pytest.approx(40)


def test_tiny_provisional_without_moderated_marks():
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    ev = evaluate(tender, inputs.bids, inputs.marks, None)
    assert ev.provisional
    # W's T2 median is 2 → quality 8 + 4 + 12 = 24
    assert row(ev, "W").quality_score == pytest.approx(24)
    assert all("provisional" in r.flags for r in ev.records())


def test_excluded_bid_never_moves_another_price_score():
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    full = evaluate(tender, inputs.bids, inputs.marks, inputs.moderated)
    without = evaluate(
        tender, inputs.bids[inputs.bids.bidder_id != "Z"], inputs.marks, inputs.moderated
    )
    compare = ["X", "Y", "W"]
    assert row(full, "X").price_score == row(without, "X").price_score
    assert [row(full, b).total_score for b in compare] == [
        row(without, b).total_score for b in compare
    ]


def test_no_marks_at_all_is_an_input_error():
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    with pytest.raises(TenderInputError, match="no marks and no moderated marks"):
        evaluate(tender, inputs.bids, None, None)


def bad_marks(**change):
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    marks = inputs.marks.copy()
    for position, values in change.items():
        for column, value in values.items():
            marks.loc[int(position.lstrip("r")), column] = value
    return tender, inputs, marks


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"r0": {"mark": "7"}},
            "marks: line 2 (bidder X, criterion T1a, evaluator E1): found mark 7; "
            "expected a mark from 0 to 5 (whole marks)",
        ),
        ({"r0": {"mark": "4.5"}}, "found mark 4.5; expected a mark from 0 to 5 (whole marks)"),
        ({"r0": {"mark": "good"}}, "found 'good'; expected a mark from 0 to 5"),
        ({"r0": {"mark": ""}}, "found no mark; expected"),
        ({"r0": {"bidder_id": "Q"}}, "found unknown bidder 'Q'; expected one of X, Y, Z, W, V"),
        (
            {"r0": {"criterion_id": "T1"}},
            "found unknown criterion 'T1'; expected one of T1a, T1b, T2",
        ),
        ({"r0": {"evaluator_id": "E9"}}, "found unknown evaluator 'E9'"),
        (
            {"r1": {"evaluator_id": "E1"}},
            "line 3 (bidder X, criterion T1a, evaluator E1): found a "
            "second row for the same bidder, criterion, evaluator (first at line 2)",
        ),
    ],
)
def test_bad_marks_name_the_row(change, message):
    tender, inputs, marks = bad_marks(**change)
    with pytest.raises(TenderInputError) as caught:
        evaluate(tender, inputs.bids, marks, None)
    assert any(message in str(p) for p in caught.value.problems), caught.value.problems


def test_gap_in_marks_is_named():
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    marks = inputs.marks.drop(index=5)
    with pytest.raises(TenderInputError) as caught:
        evaluate(tender, inputs.bids, marks, None)
    assert [str(p) for p in caught.value.problems] == [
        "marks: found no row for bidder X, criterion T1b, evaluator E3; "
        "expected a row for every bidder, criterion, evaluator"
    ]


def test_moderated_mark_differing_from_median_needs_a_rationale():
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    moderated = inputs.moderated.copy()
    moderated.loc[8, "rationale"] = "  "
    with pytest.raises(TenderInputError) as caught:
        evaluate(tender, inputs.bids, inputs.marks, moderated)
    assert str(caught.value.problems[0]) == (
        "moderated: line 10 (bidder W, criterion T2): found moderated mark 3 differing from the "
        "evaluators' median 2 with no rationale; expected a rationale saying why the panel "
        "agreed a different mark"
    )


@pytest.mark.parametrize(("value", "found"), [(-5.0, "price -5"), (0.0, "price 0")])
def test_bad_prices_are_input_errors(value, found):
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    bids = inputs.bids.copy()
    bids.loc[0, "price"] = value
    with pytest.raises(TenderInputError) as caught:
        evaluate(tender, bids, inputs.marks, inputs.moderated)
    assert str(caught.value.problems[0]) == (
        f"bids: line 2 (bidder X), column price_gbp: found {found}; expected a price above 0"
    )


def test_duplicate_bidder_is_named():
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    bids = pd.concat([inputs.bids, inputs.bids.iloc[[1]]], ignore_index=True)
    with pytest.raises(TenderInputError) as caught:
        evaluate(tender, bids, inputs.marks, inputs.moderated)
    assert "found bidder_id 'Y' again (first at line 3); expected each bidder once" in str(
        caught.value
    )


def test_all_problems_reported_at_once():
    tender, inputs, marks = bad_marks(r0={"mark": "9"}, r3={"mark": "x"})
    with pytest.raises(TenderInputError) as caught:
        evaluate(tender, inputs.bids, marks, None)
    assert len(caught.value.problems) == 2


@pytest.mark.slow
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_results_invariant_to_order_of_bids_and_rows(seed):
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    rng = np.random.default_rng(seed)
    base = evaluate(tender, inputs.bids, inputs.marks, inputs.moderated)
    shuffled = evaluate(
        tender,
        inputs.bids.sample(frac=1, random_state=rng),
        inputs.marks.sample(frac=1, random_state=rng),
        inputs.moderated.sample(frac=1, random_state=rng),
    )
    left = base.table.set_index("bidder_id").sort_index()
    right = shuffled.table.set_index("bidder_id").sort_index()
    pd.testing.assert_frame_equal(
        left[["price_score", "quality_score", "total_score", "rank", "is_near_tie"]],
        right[["price_score", "quality_score", "total_score", "rank", "is_near_tie"]],
    )


def test_categorical_ids_are_accepted():
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    marks = inputs.marks.astype(
        {"bidder_id": "category", "criterion_id": "category", "evaluator_id": "category"}
    )
    marks["mark"] = marks["mark"].astype(float)
    ev = evaluate(tender, inputs.bids, marks, inputs.moderated)
    assert row(ev, "Y").total_score == pytest.approx(86)


def test_same_bidder_under_two_ids_is_named():
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    bids = inputs.bids.copy()
    bids.loc[1, "bidder"] = "xylo grounds ltd "
    with pytest.raises(TenderInputError) as caught:
        evaluate(tender, bids, inputs.marks, inputs.moderated)
    assert str(caught.value.problems[0]) == (
        "bids: line 3 (bidder Y): found bidder name 'xylo grounds ltd ' again, under id 'Y' "
        "(first at line 2, id 'X'); expected one id per organisation"
    )


@given(
    bidder=st.sampled_from(["X", "Y", "W"]),
    criterion=st.sampled_from(["T1a", "T1b", "T2"]),
)
def test_raising_a_moderated_mark_never_lowers_that_bid_or_raises_another(bidder, criterion):
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    base = evaluate(tender, inputs.bids, inputs.marks, inputs.moderated)
    moderated = inputs.moderated.copy()
    row = (moderated.bidder_id == bidder) & (moderated.criterion_id == criterion)
    current = int(moderated.loc[row, "moderated_mark"].iat[0])
    if current == 5:
        return
    moderated.loc[row, "moderated_mark"] = str(current + 1)
    moderated.loc[row, "rationale"] = "Raised on review"
    raised = evaluate(tender, inputs.bids, inputs.marks, moderated)
    before = base.table.set_index("bidder_id")["total_score"]
    after = raised.table.set_index("bidder_id")["total_score"]
    assert after[bidder] >= before[bidder]
    others = [b for b in ("X", "Y", "W") if b != bidder]
    assert all(after[b] <= before[b] + 1e-9 for b in others)


@given(order=st.permutations(["E1", "E2", "E3"]))
def test_renaming_evaluators_changes_nothing(order):
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    base = evaluate(tender, inputs.bids, inputs.marks, None)
    marks = inputs.marks.copy()
    marks["evaluator_id"] = marks["evaluator_id"].map(
        dict(zip(["E1", "E2", "E3"], order, strict=True))
    )
    renamed = evaluate(tender, inputs.bids, marks, None)
    assert np.array_equal(base.consensus, renamed.consensus, equal_nan=True)
    pd.testing.assert_frame_equal(base.table, renamed.table)


def test_the_bulk_checks_of_ids_and_names_refuse_what_the_row_checks_refuse():
    # The sound list is checked in bulk (ids joined by newlines, names folded at once):
    # an id holding a newline, a repeated id and names equal but for case and edge spaces
    # must still be refused row by row.
    from tests.conftest import build_tables, build_tender

    tender = build_tender({"Q1": 40})
    bids, _, moderated = build_tables({"A": 100.0, "B": 120.0}, moderated={"A": {"Q1": 5}})
    for ids, names in (
        (["A\nB", "B"], ["One", "Two"]),
        (["A", "A"], ["One", "Two"]),
        (["A", "B"], ["One Ltd", " one ltd\t"]),
    ):
        frame = bids.assign(bidder_id=ids, bidder=names)
        with pytest.raises(TenderInputError):
            evaluate(tender, frame, None, moderated)


def test_a_copy_changing_only_what_no_record_reads_keeps_the_records_it_would_rebuild(
    reference: Path,
) -> None:
    """`Evaluation.replaced` keeps the bid records when only fields outside them change;
    rebuilt from scratch, the copy's records are the same, so keeping them is sound."""
    from dataclasses import replace

    from tender.allocation import Award
    from tender.notes import bid_records
    from tender.workflows.evaluation import evaluate_file

    ev = evaluate_file(reference).evaluation
    priced = evaluate_file(Path(__file__).parents[1] / "criteria" / "office-cleaning-2026.yaml")
    assert priced.evaluation.pricing is not None  # a schedule of rates: its pricing is set
    cases = [
        (ev, "fingerprints", {"elsewhere.csv": "0" * 64}),
        (ev, "award", Award("L1", "B", 2, 70.0, "the cap")),
        (ev, "suppliers", {}),
        (priced.evaluation, "pricing", None),
        (priced.evaluation, "exclusions", {}),
    ]
    for before, name, value in cases:
        first = before.records()
        assert before.replaced(**{name: value}).records() == first, name
        assert bid_records(replace(before, **{name: value})) == first, name
    assert ev.replaced(fingerprints={}).median is ev.median  # the marks are the same
    assert ev.replaced(individual=ev.individual).median is not ev.median


NAME_PIECES = st.sampled_from(
    ["Acme", "ACME", " ", "\t", "\x1c", "\x0b", "\u00c9", "\u00a0", "\n", "Ltd", ""]
)


@given(st.lists(st.lists(NAME_PIECES, max_size=4).map("".join), max_size=6))
def test_names_are_folded_in_bulk_exactly_as_one_by_one(names: list[str]) -> None:
    """The bulk fold of the bid names (one casefold of them joined, one look at the edges)
    gives what trimming and case-folding each name gives."""
    from tender.scoring import _folded

    expected = [name.strip().casefold() for name in names]
    assert _folded(np.array(names, dtype=object)).tolist() == expected


@given(
    st.lists(
        st.one_of(
            st.text(alphabet=" \t\n\u00a0\u3000xY.", max_size=4),
            st.none(),
            st.just(float("nan")),
            st.just(pd.NA),
            st.integers(0, 3),
        ),
        max_size=12,
    )
)
def test_a_rationale_is_blank_when_missing_or_only_spaces(values: list[object]) -> None:
    """The bulk check of moved marks' reasons agrees with the rule taken one text at a time,
    for text, missing values and values that are not text alike."""
    from tender.scoring import _blank

    texts = np.array(values, dtype=object)
    expected = [not (isinstance(v, str) and v.strip()) for v in values]
    assert _blank(texts).tolist() == expected


@pytest.mark.parametrize("dtype", ["str", object])
def test_a_missing_id_or_name_in_a_bids_table_is_refused_by_its_line(dtype: object) -> None:
    """A notebook's bids table may hold a missing value (None or NaN) where the loader's
    never does: it is an empty id or name, refused by its line, never a crash."""
    tender = load_tender(TINY)
    inputs = load_inputs(tender)
    bids = inputs.bids.copy()
    ids = bids["bidder_id"].astype(object).tolist()
    names = bids["bidder"].astype(object).tolist()
    ids[1], names[2] = None, None
    bids["bidder_id"] = pd.Series(ids, dtype=dtype)  # type: ignore[call-overload]
    bids["bidder"] = pd.Series(names, dtype=dtype)  # type: ignore[call-overload]
    with pytest.raises(TenderInputError) as raised:
        evaluate(tender, bids, inputs.marks, inputs.moderated)
    found = [(p.where, p.found) for p in raised.value.problems]
    assert ("line 3", "an empty bidder_id") in found
    assert any(
        where.startswith("line 4 (") and what == "an empty bidder name" for where, what in found
    )


@given(
    st.integers(1, 5),
    st.integers(1, 3),
    st.data(),
)
def test_a_moved_mark_without_a_reason_is_named_whatever_the_rows_order(
    bids_count: int, criteria: int, data: st.DataObject
) -> None:
    """Every moderated row whose mark differs from the evaluators' median and has no reason
    is refused at its own line, whether the rows come in the matrix's order or shuffled."""
    tender = build_tender({f"C{i}": 60 / criteria for i in range(criteria)}, price_weight=40)
    ids = [f"B{i}" for i in range(bids_count)]
    bids = pd.DataFrame({"bidder_id": ids, "bidder": [f"Bidder {i}" for i in ids], "price": 100.0})
    cells = [(b, c) for b in ids for c in range(criteria)]
    given_marks = data.draw(
        st.lists(st.integers(0, 4), min_size=3 * len(cells), max_size=3 * len(cells))
    )
    marks = pd.DataFrame(
        {
            "bidder_id": [b for b, _ in cells for _ in range(3)],
            "criterion_id": [f"C{c}" for _, c in cells for _ in range(3)],
            "evaluator_id": [f"E{e + 1}" for _ in cells for e in range(3)],
            "mark": [str(m) for m in given_marks],
        }
    )
    agreed = data.draw(st.lists(st.integers(0, 4), min_size=len(cells), max_size=len(cells)))
    reasons = data.draw(
        st.lists(st.sampled_from(["", " ", "Agreed."]), min_size=len(cells), max_size=len(cells))
    )
    order = data.draw(st.permutations(range(len(cells))))
    moderated = pd.DataFrame(
        {
            "bidder_id": [cells[i][0] for i in order],
            "criterion_id": [f"C{cells[i][1]}" for i in order],
            "moderated_mark": [str(agreed[i]) for i in order],
            "rationale": [reasons[i] for i in order],
        }
    )
    median = np.median(np.array(given_marks, dtype=float).reshape(len(cells), 3), axis=1)
    expected = sorted(
        f"line {line + 2} (bidder {cells[i][0]}, criterion C{cells[i][1]})"
        for line, i in enumerate(order)
        if agreed[i] != median[i] and not reasons[i].strip()
    )
    try:
        evaluate(tender, bids, marks, moderated)
        found: list[str] = []
    except TenderInputError as raised:
        found = sorted(p.where for p in raised.problems)
    assert found == expected
