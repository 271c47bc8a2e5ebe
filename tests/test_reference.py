"""The published worked example: Table 1 of the pest-control committee report.

Communities, Housing and Environment Committee, Maidstone Borough Council, 13 December
2016, "Pest Control Arrangements", Table 1: Scores from assessment panel. The expected
table is copied verbatim in tests/data/reference/expected-table-1.csv.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tender.cli import cli
from tender.workflows.evaluation import evaluate_file

EXPECTED = Path(__file__).parent / "data" / "reference" / "expected-table-1.csv"


def published_rows() -> list[dict[str, str]]:
    with EXPECTED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_library_reproduces_table_1(reference):
    ev = evaluate_file(reference).evaluation
    names = ev.public_names()
    records = sorted((r.as_json() for r in ev.records()), key=lambda r: r["rank"])
    table = [
        {
            "organisation": names[r["bidder_id"]],
            "price_score": r["display"]["price_score"],
            "quality_weighted_score": r["display"]["quality_score"],
            "total_score": r["display"]["total_score"],
            "rank": r["display"]["rank"],
        }
        for r in records
    ]
    assert table == published_rows()
    assert not ev.provisional


def test_cli_json_reproduces_table_1_and_the_near_tie(reference, runner):
    result = runner.invoke(
        cli, ["score", str(reference), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    bids = {b["bidder_id"]: b for b in json.loads(result.stdout)["bids"]}
    published = published_rows()
    for bidder_id, row in zip("ABCDEF", published, strict=True):
        bid = bids[bidder_id]
        shown = bid["display"]
        assert (shown["price_score"], shown["quality_score"], shown["total_score"]) == (
            row["price_score"],
            row["quality_weighted_score"],
            row["total_score"],
        )
        assert bid["rank"] == int(row["rank"])
    assert bids["A"]["bidder"] == "Goodwin Pest Management"
    assert bids["A"]["total_score"] == pytest.approx(60 + 20.3)
    assert bids["B"]["total_score"] == pytest.approx(57 + 22.1)
    # The committee report records no abnormal-price review, and under highest_offer the
    # screens are off unless switched on: no abnormal-price flag or note.
    assert bids["A"]["flags"] == ["near-tie", "range-overlap"]
    assert bids["B"]["flags"] == ["near-tie", "range-overlap"]
    assert bids["B"]["notes"][1] == (
        "Evaluator-range near-tie: with each criterion ranging over its evaluators' own marks "
        "this bid's total spans 74.9–83.3, overlapping the leader's 76.6–83.5."
    )
    assert not any("bnormal" in note for b in bids.values() for note in b["notes"])
    assert all("near-tie" not in bids[b]["flags"] for b in "CDEF")
    assert bids["F"]["price_score"] == 0.0
    assert bids["F"]["flags"] == ["unscored-price"]
    assert "Price scored 0: unable to score due to limited information." in bids["F"]["notes"]


def test_table_1_shows_totals_that_add_up(reference):
    from decimal import Decimal

    for row in published_rows():
        price = row["price_score"].split(" ")[0]
        assert Decimal(price) + Decimal(row["quality_weighted_score"]) == Decimal(
            row["total_score"]
        )


def test_averaging_marks_would_not_reproduce_table_1(reference):
    """Moderated marks are what the panel agreed: the mean of the marks gives A 20.1."""
    ev = evaluate_file(reference).evaluation
    assert ev.individual is not None
    mean = ev.individual.mean(axis=2)
    weights = [12, 11, 9, 8]
    a_mean = sum(w * m / 10 for w, m in zip(weights, mean[0], strict=True))
    assert round(a_mean, 1) == 20.1
    assert ev.table.loc[0, "quality_score"] == pytest.approx(20.3)
