"""Columnar mark checks and the scatter into dense arrays."""

import numpy as np
import pandas as pd

from tender.marks import Axis, ProblemList, on_scale, scatter
from tender.model import Scale


def test_on_scale_vectorised():
    values = np.array([0, 5, 5.5, 10, 11, -1, np.nan])
    assert on_scale(values, Scale(maximum=10)).tolist() == [
        True,
        True,
        False,
        True,
        False,
        False,
        False,
    ]


def test_categorical_codes_follow_the_axis_not_the_categories():
    axis = Axis("bidder_id", "bidder", pd.Index(["A", "B", "C"]))
    values = pd.Series(["C", "A", "Q", "C"], dtype="category")
    assert axis.codes(values).tolist() == [2, 0, -1, 2]


def test_scatter_places_values_and_names_duplicates():
    axes = [Axis("b", "bidder", pd.Index(["A", "B"])), Axis("c", "criterion", pd.Index(["Q1"]))]
    frame = pd.DataFrame({"b": ["A", "B", "B"], "c": ["Q1", "Q1", "Q1"]})
    problems = ProblemList("m.csv")
    codes = [axes[0].codes(frame["b"]), axes[1].codes(frame["c"])]
    dense, filled = scatter(codes, np.array([4.0, 5.0, 6.0]), axes, frame, 2, problems)
    assert filled.tolist() == [[True], [True]]
    assert dense[0, 0] == 4.0
    assert [str(p) for p in problems.done()] == [
        "m.csv: line 4 (bidder B, criterion Q1): found a second row for the same bidder, "
        "criterion (first at line 3); expected one row each"
    ]


def test_scatter_says_which_cells_have_no_row_and_skips_unknown_ids():
    axes = [
        Axis("b", "bidder", pd.Index(["A", "B", "C"])),
        Axis("c", "criterion", pd.Index(["Q1"])),
    ]
    frame = pd.DataFrame({"b": ["A", "X", "C"], "c": ["Q1", "Q1", "Q1"]})
    problems = ProblemList("m.csv")
    codes = [axes[0].codes(frame["b"]), axes[1].codes(frame["c"])]
    dense, filled = scatter(codes, np.array([4.0, 5.0, 6.0]), axes, frame, 2, problems)
    assert filled.tolist() == [[True], [False], [True]]
    assert np.isnan(dense[1, 0])
    assert dense[2, 0] == 6.0
    assert problems.done() == []


def test_problem_list_is_capped():
    problems = ProblemList("f")
    for _ in range(250):
        problems.add("", "x", "y")
    done = problems.done()
    assert len(done) == 201
    assert str(done[-1]) == "f: found 50 more problems; expected a corrected file"


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-70000, 70000).map(float),
            st.sampled_from([0.5, 2.5, 7.25, 65541.0, -65531.0, 10.0000001]),
        ),
        max_size=30,
    ),
    st.sampled_from(
        [
            Scale(maximum=10),
            Scale(minimum=1, maximum=5),
            Scale(maximum=5, step=0.5),
            Scale(minimum=-2, maximum=2, step=0.25),
            Scale(maximum=1, step=0.1),
            Scale(maximum=4, step=None),
        ]
    ),
)
def test_vectorised_scale_check_agrees_with_the_model(values, scale):
    array = np.array(values, dtype=float)
    expected = [not np.isnan(v) and scale.allows(v) for v in values]
    assert on_scale(array, scale).tolist() == expected


def test_problems_come_in_file_order():
    problems = ProblemList("m.csv")
    problems.add("line 19 (bidder B)", "x", "y")
    problems.add("", "no row for bidder C", "y")
    problems.add("line 2 (bidder A)", "x", "y")
    assert [p.where for p in problems.done()] == ["line 2 (bidder A)", "line 19 (bidder B)", ""]


def test_a_thousand_unknown_ids_name_two_hundred_and_count_the_rest():
    from tender.marks import id_codes

    frame = pd.DataFrame({"evaluator_id": ["e1"] * 1000})
    axes = [Axis("evaluator_id", "evaluator", pd.Index(["E1", "E2"]))]
    problems = ProblemList("marks.csv")
    id_codes(frame, axes, 2, problems)
    listed = problems.done()
    assert len(listed) == 201
    assert str(listed[-1]) == "marks.csv: found 800 more problems; expected a corrected file"


def test_duplicates_past_the_cap_are_counted_not_described():
    frame = pd.DataFrame({"bidder_id": ["A"] * 500})
    axes = [Axis("bidder_id", "bidder", pd.Index(["A"]))]
    problems = ProblemList("marks.csv")
    scatter([np.zeros(500, dtype=np.int64)], np.ones(500), axes, frame, 2, problems)
    listed = problems.done()
    assert str(listed[0]) == (
        "marks.csv: line 3 (bidder A): found a second row for the same bidder (first at line 2); "
        "expected one row each"
    )
    assert str(listed[-1]) == "marks.csv: found 299 more problems; expected a corrected file"


def test_marks_off_the_scale_are_found_in_every_block_and_named_by_their_line():
    """The scale check runs a block of marks at a time: a bad mark on either side of a
    block's edge, and in the short last block, is still found at its own row."""
    from tender.marks import _CHECKED, numeric_marks

    size = 2 * _CHECKED + 5
    marks = np.full(size, 4.0)
    bad = [0, _CHECKED - 1, _CHECKED, 2 * _CHECKED + 4]
    marks[bad] = [11.0, 2.5, -1.0, np.inf]
    frame = pd.DataFrame({"mark": marks})
    problems = ProblemList("marks.csv")
    values = numeric_marks(frame, "mark", Scale(maximum=10), [], 2, problems)
    assert [p.where for p in problems.done()] == [f"line {row + 2}" for row in bad]
    assert np.flatnonzero(np.isnan(values)).tolist() == bad
    assert marks[bad].tolist() == [11.0, 2.5, -1.0, np.inf]  # the input is left as it was
