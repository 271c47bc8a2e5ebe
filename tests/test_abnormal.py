"""Abnormally low (and, for income contracts, abnormally high) prices."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tender import abnormal
from tender.errors import TenderInputError
from tender.model import AbnormallyLow
from tender.sensitivity import Case
from tender.workflows.evaluation import evaluate_file


def test_others_mean_and_median_leave_the_bid_itself_out():
    prices = np.array([100.0, 200, 300, 1000])
    assert abnormal.others(prices, "mean") == pytest.approx([500, 1400 / 3, 1300 / 3, 200])
    assert abnormal.others(prices, "median") == pytest.approx([300, 300, 200, 200])
    assert np.isnan(abnormal.others(np.array([5.0]), "mean")).all()


def test_percent_screen_cost_by_hand():
    # Others' means: 79 → (100 + 104 + 96)/3 = 100, so 79 is 21% below: flagged at 20%;
    # 81 → 100 is 19% below: not flagged.
    flags, reference = abnormal.percent_screen(np.array([79.0, 100, 104, 96]), "mean", 20, "lower")
    assert list(flags) == [True, False, False, False]
    assert reference[0] == pytest.approx(100)
    flags, _ = abnormal.percent_screen(np.array([81.0, 100, 104, 96]), "mean", 20, "lower")
    assert not flags.any()


def test_percent_screen_income_mirror_by_hand():
    # An income offer of 121 against others averaging 100 is 21% above: flagged.
    flags, _ = abnormal.percent_screen(np.array([121.0, 100, 104, 96]), "mean", 20, "higher")
    assert list(flags) == [True, False, False, False]
    flags, _ = abnormal.percent_screen(np.array([79.0, 100, 104, 96]), "mean", 20, "higher")
    assert not flags.any()  # a low offer is no risk on an income contract


def test_scottish_test_by_hand():
    # Prices 80, 100, 100, 200: the average excluding the highest is (80+100+100)/3 = 93.33;
    # 85% of it is 79.33. 80 is not below that: not flagged.
    flags, average, _ = abnormal.scottish_screen(np.array([80.0, 100, 100, 200]), "lower")
    assert average == pytest.approx(280 / 3)
    assert not flags.any()
    # 70, 100, 100, 200: average (270/3 = 90) × 0.85 = 76.5 > 70, and 70 < 0.99 × 100.
    flags, _, nxt = abnormal.scottish_screen(np.array([70.0, 100, 100, 200]), "lower")
    assert list(flags) == [True, False, False, False]
    assert nxt[0] == 100
    # Both limbs are needed: 70 and 70.5 are far below the average but within 1% of each other.
    flags, _, _ = abnormal.scottish_screen(np.array([70.0, 70.5, 100, 200]), "lower")
    assert not flags[0]


def test_scottish_test_income_mirror_by_hand():
    # Offers 10, 100, 100, 130: average excluding the lowest 110; 115% of it is 126.5;
    # 130 > 126.5 and 130 > 1.01 × 100: flagged.
    flags, average, nxt = abnormal.scottish_screen(np.array([10.0, 100, 100, 130]), "higher")
    assert average == pytest.approx(110)
    assert list(flags) == [False, False, False, True]
    assert nxt[3] == 100


def test_screen_ignores_excluded_and_unpriced_bids(tiny):
    tender = tiny.tender(
        {"Q1": 40},
        requirements=[{"id": "R1", "description": "Insurance", "column": "insured"}],
    )
    bids, _, moderated = tiny.tables(
        {"A": 50, "B": 100, "C": 100, "D": 10, "E": None},
        {b: {"Q1": 5} for b in "ABCDE"},
    )
    bids["insured"] = ["yes", "yes", "yes", "no", "yes"]  # D fails, so its £10 is ignored
    ev = Case(tender, bids, None, moderated).evaluate()
    found = abnormal.screen(ev, AbnormallyLow())
    # A: others compliant and priced are B and C (mean 100): 50% below.
    assert [f.bidder_id for f in found] == ["A"]
    assert found[0].direction == "low"
    assert found[0].status == "explanation required"
    assert (
        "£50 is 50.0% below the mean of the other compliant bids (£100; threshold 20%)"
        in (found[0].reasons[0])
    )


def test_pest_control_income_offers_flagged_high(reference: Path):
    # Offers 12,000, 11,400, 7,140, 5,540, 460 (F gave none). For A the others' mean is
    # 24,540 / 4 = 6,135: 95.6% above. Scottish mirror: average excluding the lowest
    # 36,080 / 4 = 9,020; A is 33% above it and 5.3% above B: flagged.
    ev = evaluate_file(reference).evaluation
    found = abnormal.screen(ev, AbnormallyLow(enabled=True, scottish=True))
    assert [f.bidder_id for f in found] == ["A", "B"]
    assert found[0].direction == "high"
    assert "95.6% above the mean of the other compliant bids (£6,135" in found[0].reasons[0]
    assert found[0].reasons[1].startswith("Scottish test: 33.0% above the average excluding")


def _decisions(rows):
    return pd.DataFrame(rows, columns=abnormal.DECISION_COLUMNS, dtype=str)


def test_decisions_recorded_and_shown(reference: Path):
    ev = evaluate_file(reference).evaluation
    decisions = abnormal.check_decisions(
        _decisions([["A", "Offer guaranteed by a parent company", "accepted", "", "2016-11-30"]]),
        "alt.csv",
        list(ev.table["bidder_id"]),
    )
    found = abnormal.screen(ev, AbnormallyLow(enabled=True), decisions)
    assert found[0].status == "accepted"
    assert found[0].decision is not None
    assert found[0].decision.decided_on == date(2016, 11, 30)
    assert "Decision on 2016-11-30: accepted." in found[0].sentence()
    assert found[1].status == "explanation required"


def test_decisions_file_problems_are_all_reported():
    frame = _decisions(
        [
            ["Z", "x", "accepted", "", ""],
            ["A", "", "maybe", "", "30/11/2016"],
            ["B", "Costs not credible", "rejected", "", ""],
            ["B", "again", "accepted", "", ""],
        ]
    )
    with pytest.raises(TenderInputError) as error:
        abnormal.check_decisions(frame, "alt.csv", ["A", "B"])
    assert [str(p) for p in error.value.problems] == [
        "alt.csv: line 2 (bidder Z), column bidder_id: found unknown bidder 'Z'; "
        "expected one of A, B",
        "alt.csv: line 3 (bidder A), column explanation: found nothing; "
        "expected a summary of the bidder's explanation",
        "alt.csv: line 3 (bidder A), column decision: found 'maybe'; expected accepted or rejected",
        "alt.csv: line 3 (bidder A), column decided_on: found '30/11/2016'; "
        "expected a date such as 2016-11-30, or blank",
        "alt.csv: line 4 (bidder B), column reason: found nothing; "
        "expected the reason for rejecting the bid",
        "alt.csv: line 5 (bidder B), column bidder_id: found a second decision for B; "
        "expected one decision per bidder",
    ]


def test_decisions_file_missing_columns():
    with pytest.raises(TenderInputError, match=r"missing: reason, decided_on"):
        abnormal.check_decisions(
            pd.DataFrame({"bidder_id": ["A"], "explanation": ["x"], "decision": ["accepted"]}),
            "alt.csv",
            ["A"],
        )


@given(st.lists(st.integers(1, 50), min_size=2, max_size=12))
def test_median_of_others_matches_leaving_each_out(values):
    prices = np.array(values, dtype=float)
    expected = [np.median(np.delete(prices, i)) for i in range(prices.size)]
    assert abnormal.others(prices, "median").tolist() == expected


@given(st.lists(st.integers(1, 50), min_size=3, max_size=12), st.sampled_from(["lower", "higher"]))
def test_scottish_next_price_matches_brute_force(values, better):
    prices = np.array(values, dtype=float)
    _, _, nxt = abnormal.scottish_screen(prices, better)
    for i, p in enumerate(prices):
        pool = prices[prices > p] if better == "lower" else prices[prices < p]
        want = (pool.min() if better == "lower" else pool.max()) if pool.size else np.nan
        assert nxt[i] == want or (np.isnan(want) and np.isnan(nxt[i]))


# --- Switched on or off in the definition; citations follow the regime -------------------


def _screened(tiny, formula="lowest_price", regime=None, **low):
    """A £50, B and C £100: A is 50% below (or, for income, B and C 33% above) the others."""
    from tender.notes import bid_records
    from tender.robustness import analyse
    from tender.robustness_document import document
    from tender.terminal import robustness_lines

    extra = {"abnormally_low": low} if low else {}
    tender = tiny.tender({"Q1": 40}, formula=formula, **extra)
    if regime is not None:
        data = tender.model_dump()
        data["tender"]["regime"] = regime
        tender = type(tender).model_validate(data)
    bids, _, moderated = tiny.tables({"A": 50, "B": 100, "C": 100}, {b: {"Q1": 5} for b in "ABC"})
    case = Case(tender, bids, None, moderated)
    ev = case.evaluate()
    records = {r.bidder_id: r.as_json() for r in bid_records(ev)}
    text = robustness_lines(document(analyse(case, ev)), {})
    return ev, records, text


def test_screens_on_by_default_for_a_cost_formula(tiny):
    ev, records, _ = _screened(tiny)
    assert abnormal.screens_on(ev.tender)
    assert records["A"]["flags"] == ["abnormal-price"]
    assert [f.bidder_id for f in abnormal.screen(ev, ev.tender.abnormally_low)] == ["A"]


def test_screens_switched_off_in_the_definition(tiny):
    ev, records, text = _screened(tiny, enabled=False)
    assert not abnormal.screens_on(ev.tender)
    assert not ev.table["is_abnormal_price"].any()
    assert all("abnormal-price" not in r["flags"] for r in records.values())
    assert abnormal.screen(ev, ev.tender.abnormally_low) == []
    assert "Abnormal prices: not screened (switched off: abnormally_low.enabled false)." in text


def test_screens_off_under_highest_offer_unless_switched_on(tiny):
    # Income: B and C offer £100 against A's £50; each is (100 / 75 − 1) = 33% above the
    # mean of the others. Off by default, since a high offer is the aim; on when asked.
    ev, records, text = _screened(tiny, formula="highest_offer")
    assert not abnormal.screens_on(ev.tender)
    assert all("abnormal-price" not in r["flags"] for r in records.values())
    off = "Abnormal prices: not screened under highest_offer, where a high offer is the aim"
    assert any(line.startswith(off) for line in text)
    ev, records, _ = _screened(tiny, formula="highest_offer", enabled=True)
    assert abnormal.screens_on(ev.tender)
    assert [b for b, r in records.items() if "abnormal-price" in r["flags"]] == ["B", "C"]
    assert abnormal.screens_on(ev.tender, AbnormallyLow(enabled=False)) is False


@pytest.mark.parametrize(
    ("regime", "cited", "not_cited"),
    [
        ("pcr2015", "(PCR 2015 reg 69).", ["Procurement Act"]),
        ("pa2023", "(Procurement Act 2023 s.34).", ["PCR 2015"]),
        ("local_rules", None, ["PCR 2015", "Procurement Act", "reg 69", "s.34"]),
    ],
)
def test_citations_follow_the_regime(tiny, regime, cited, not_cited):
    _, records, text = _screened(tiny, regime=regime)
    (note,) = [n for n in records["A"]["notes"] if n.startswith("Abnormally low price")]
    at = next(i for i, line in enumerate(text) if line.startswith("Abnormal prices"))
    wrapped = [text[at]]
    while text[at + len(wrapped)].startswith("    "):  # the heading's wrapped lines
        wrapped.append(text[at + len(wrapped)].strip())
    heading = " ".join(wrapped)
    for words in (note, heading):
        for citation in not_cited:
            assert citation not in words
        if cited is None:
            assert words.rstrip().endswith(("accepted.", "accepted or rejected."))
        else:
            assert cited in words
