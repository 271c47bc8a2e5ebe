"""Provisional consensus and spreads."""

import numpy as np

from tender.moderation import default_spread_flag, median_marks, spreads


def test_median_ignores_missing_evaluators():
    cube = np.array([[[4.0, 5.0, 9.0], [3.0, np.nan, 5.0]]])
    assert median_marks(cube).tolist() == [[5.0, 4.0]]
    assert spreads(cube).tolist() == [[5.0, 2.0]]


def test_default_spread_flags():
    assert default_spread_flag(0, 10) == 3
    assert default_spread_flag(0, 5) == 2
    assert default_spread_flag(0, 4) == 1


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402


@given(arrays(np.float64, (4, 2, 3), elements=st.integers(0, 10).map(float)))
def test_panel_of_three_median_matches_numpy(cube):
    assert np.array_equal(median_marks(cube), np.median(cube, axis=-1))
