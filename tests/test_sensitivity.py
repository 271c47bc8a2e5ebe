"""Price-weight sensitivity: closed-form crossovers."""

import pytest

from tender.pipeline import evaluate_file
from tender.sensitivity import crossovers, leader_at, price_weight_lines


def test_pest_control_leader_changes(reference):
    lines = price_weight_lines(evaluate_file(reference).evaluation)
    found = crossovers(lines)
    # A: 50.75 + 0.4925 w; B: 55.25 + 0.3975 w → w = 4.5 / 0.095 = 47.368...
    assert [(c.before, c.after) for c in found] == [("D", "B"), ("B", "A")]
    assert found[1].price_weight == pytest.approx(4.5 / 0.095)
    assert lines.bidder_ids[leader_at(lines, 60)] == "A"
    assert lines.bidder_ids[leader_at(lines, 47)] == "B"
