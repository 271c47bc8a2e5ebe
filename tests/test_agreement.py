"""Panel agreement: leniency and Krippendorff's alpha, checked against hand computation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tender import agreement
from tender.workflows.evaluation import evaluate_file


def test_interval_alpha_by_hand():
    # Two evaluators, three bids: (1, 1), (2, 2), (3, 4).
    # Observed: only the third bid disagrees: D_o = (1/n) Σ_u Σ_{i≠j} (a−b)² / (m_u − 1)
    #   = (1/6) · 2 · 1² / 1 = 1/3, with n = 6 pairable marks.
    # Expected: D_e = Σ_{i≠j over all marks} (a−b)² / (n(n−1)); marks 1,1,2,2,3,4 have
    #   mean 13/6 and Σ(v − mean)² = 35 − 169/6 = 41/6, so Σ_{i≠j} = 2·6·41/6 = 82 and
    #   D_e = 82/30.  alpha = 1 − (1/3)/(82/30) = 1 − 10/82 = 36/41.
    marks = np.array([[1, 2, 3], [1, 2, 4]], dtype=float)
    assert agreement.interval_alpha(marks) == pytest.approx(36 / 41)


def test_alpha_is_one_for_perfect_agreement_and_none_without_variation():
    assert agreement.interval_alpha(np.array([[1, 5, 9], [1, 5, 9.0]])) == pytest.approx(1)
    assert agreement.interval_alpha(np.array([[5, 5, 5], [5, 5, 5.0]])) is None


def test_alpha_skips_bids_marked_by_one_evaluator():
    # The third bid has a single mark, so it is not pairable; the rest is perfect.
    marks = np.array([[1, 5, 9], [1, 5, np.nan]])
    assert agreement.interval_alpha(marks) == pytest.approx(1)
    assert agreement.interval_alpha(np.array([[1.0], [2.0]])) is None  # one bid only


def test_leniency_by_hand():
    # One bid, two criteria, three evaluators:
    #   Q1 marks 4, 5, 6 (mean 5): offsets −1, 0, +1
    #   Q2 marks 6, 6, 9 (mean 7): offsets −1, −1, +2
    # E1 mean −1, E2 −0.5, E3 +1.5.
    cube = np.array([[[4, 5, 6], [6, 6, 9]]], dtype=float)
    result = agreement.leniency(cube, ["E1", "E2", "E3"])
    assert [x.evaluator_id for x in result] == ["E1", "E2", "E3"]
    assert [x.mean_offset for x in result] == pytest.approx([-1, -0.5, 1.5])
    assert [x.marks for x in result] == [2, 2, 2]


def test_leniency_ignores_cells_with_a_single_mark():
    cube = np.array([[[4, np.nan, np.nan], [6, 8, np.nan]]])
    result = agreement.leniency(cube, ["E1", "E2", "E3"])
    assert result[0].mean_offset == pytest.approx(-1)
    assert result[0].marks == 1
    assert np.isnan(result[2].mean_offset)
    assert result[2].marks == 0


def test_pest_control_agreement(reference: Path):
    ev = evaluate_file(reference).evaluation
    assert ev.individual is not None
    alphas = agreement.alpha_per_criterion(ev.individual, ["Q1", "Q2", "Q3", "Q4"])
    assert [a.bids for a in alphas] == [6, 6, 6, 6]
    # Q2 (B marked 9, 7 and 4) is where the panel disagreed most.
    assert min(alphas, key=lambda a: a.alpha or 1).criterion_id == "Q2"
    assert alphas[1].alpha == pytest.approx(0.4419, abs=1e-4)
    lenient = agreement.leniency(ev.individual, ev.tender.panel_ids())
    # E1's 24 marks sum 3.667 above the panel means: 11/72 per mark.
    assert lenient[0].mean_offset == pytest.approx(11 / 72)
    assert sum(x.mean_offset for x in lenient) == pytest.approx(0)
