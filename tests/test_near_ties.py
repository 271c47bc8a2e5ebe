"""Near-tie margin rule."""

import numpy as np

from tender.near_ties import gap_to_leader, within_margin


def test_margin_is_inclusive_and_symmetric():
    total = np.array([80.3, 79.1, 78.3, 50.0])
    ranked = np.ones(4, dtype=bool)
    assert within_margin(total, ranked, 2.0).tolist() == [True, True, True, False]
    assert within_margin(total, ranked, 1.0).tolist() == [False, False, False, False]


def test_widening_the_margin_never_removes_a_flag():
    total = np.array([70.0, 69.0, 65.0, 60.0])
    ranked = np.ones(4, dtype=bool)
    previous = np.zeros(4, dtype=bool)
    for margin in (0.5, 1, 5, 10, 20):
        flags = within_margin(total, ranked, margin)
        assert (flags | ~previous).all()
        previous = flags


def test_unranked_bids_are_never_near_ties():
    total = np.array([80.0, np.nan, 79.0])
    ranked = np.array([True, False, True])
    assert within_margin(total, ranked, 2).tolist() == [True, False, True]
    assert np.isnan(gap_to_leader(total, ranked)[1])
