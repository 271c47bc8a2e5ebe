"""The pricing kernel: every figure here is worked out by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.model import Components, Schedule
from tender.pricing import HIGHEST_OTHER, STATED, price_bids

LINES = [
    {"id": "L1", "description": "Daily clean", "unit": "visit", "volume": 250},
    {"id": "L2", "description": "Windows", "unit": "clean", "volume": 12},
    {"id": "L3", "description": "Washrooms", "unit": "visit", "volume": 52},
    {"id": "L4", "description": "Call-out", "unit": "hour", "volume": 40},
]
RATES = {
    "A": {"L1": "85.00", "L2": "420.00", "L3": "65.50", "L4": "28.00"},
    "B": {"L1": "80.00", "L2": "450", "L3": "70.00", "L4": "30.00"},
    "C": {"L1": "90", "L2": "400", "L4": "25"},  # no rate for L3
    "D": {"L1": "75", "L2": "380", "L3": "95", "L4": "22"},  # D fails a requirement
}
COMPLIANT = np.array([True, True, True, False])


def table(rates: dict[str, dict[str, str]]) -> pd.DataFrame:
    rows = [(b, line, rate) for b, lines in rates.items() for line, rate in lines.items()]
    return pd.DataFrame(rows, columns=["bidder_id", "line_id", "rate"], dtype=str)


def schedule(**extra: object) -> Schedule:
    return Schedule.model_validate({"name": "schedule", "years": 3, "lines": LINES, **extra})


def evaluated(spec: Schedule | Components, rates: dict[str, dict[str, str]]) -> list[object]:
    pricing, problems = price_bids(spec, list(rates), COMPLIANT[: len(rates)], table(rates), "p")
    assert problems == []
    assert pricing is not None
    return list(pricing.evaluated)


def test_a_schedule_is_the_sum_of_rate_times_volume_times_years() -> None:
    # A: 250×85 + 12×420 + 52×65.50 + 40×28 = 21250 + 5040 + 3406 + 1120 = 30816 a year
    # B: 20000 + 5400 + 3640 + 1200 = 30240 a year; three years each
    full = {k: RATES[k] for k in ("A", "B")}
    assert evaluated(schedule(), full) == [Decimal("92448"), Decimal("90720")]


def test_a_missing_line_makes_the_bid_non_compliant_by_default() -> None:
    pricing, problems = price_bids(schedule(), list(RATES), COMPLIANT, table(RATES), "p")
    assert problems == []
    assert pricing is not None
    assert pricing.evaluated[2] is None
    assert "no rate for line L3" in pricing.reasons[2]
    assert "non-compliant" in pricing.reasons[2]
    assert pricing.reasons[:2] == ("", "")


def test_a_missing_line_at_the_highest_rate_of_the_other_compliant_bids() -> None:
    # C's L3 at B's 70.00, the highest compliant rate (D's 95 does not count: D fails):
    # 250×90 + 12×400 + 52×70 + 40×25 = 22500 + 4800 + 3640 + 1000 = 31940; × 3 = 95820
    spec = schedule(missing_line={"rule": "highest_other"})
    pricing, _ = price_bids(spec, list(RATES), COMPLIANT, table(RATES), "p")
    assert pricing is not None
    assert pricing.evaluated[2] == Decimal("95820")
    l3 = pricing.trace(2)[2]
    assert (l3.rate, l3.quantity, l3.extension, l3.basis) == (
        Decimal("70"),
        Decimal("156"),
        Decimal("10920"),
        HIGHEST_OTHER,
    )


def test_a_missing_line_at_the_stated_rate() -> None:
    # C's L3 at the stated 100: 22500 + 4800 + 5200 + 1000 = 33500; × 3 = 100500
    spec = schedule(missing_line={"rule": "stated", "rate": 100})
    pricing, _ = price_bids(spec, list(RATES), COMPLIANT, table(RATES), "p")
    assert pricing is not None
    assert pricing.evaluated[2] == Decimal("100500")
    assert pricing.trace(2)[2].basis == STATED


def test_no_compliant_bid_priced_the_line_leaves_the_bid_unevaluated() -> None:
    spec = schedule(missing_line={"rule": "highest_other"})
    rates = {"C": RATES["C"]}
    pricing, _ = price_bids(spec, ["C"], np.array([True]), table(rates), "p")
    assert pricing is not None
    assert pricing.evaluated == (None,)
    assert "no other compliant bid priced it" in pricing.reasons[0]


def test_a_percentage_adjustment_on_a_published_schedule() -> None:
    # T = (80 × 250 + 400 × 12) × 2 years = (20000 + 4800) × 2 = 49600
    # A: −5.0 % → 49600 × 0.95 = 47120; B: +2.5 % → 49600 × 1.025 = 50840
    spec = Schedule.model_validate(
        {
            "name": "schedule",
            "basis": "adjustment",
            "years": 2,
            "lines": [
                {
                    "id": "L1",
                    "description": "x",
                    "unit": "visit",
                    "volume": 250,
                    "published_rate": 80,
                },
                {
                    "id": "L2",
                    "description": "y",
                    "unit": "clean",
                    "volume": 12,
                    "published_rate": 400,
                },
            ],
        }
    )
    rates = {"A": {"adjustment": "-5.0"}, "B": {"adjustment": "2.5"}}
    assert evaluated(spec, rates) == [Decimal("47120"), Decimal("50840")]


def components(expression: str, parts: list[str], **extra: object) -> Components:
    return Components.model_validate(
        {
            "name": "components",
            "expression": expression,
            "parts": [{"id": p, "description": p} for p in parts],
            **extra,
        }
    )


def test_parts_summed() -> None:
    spec = components("sum", ["fee", "mobilisation"])
    rates = {"A": {"fee": "1000", "mobilisation": "250.5"}}
    assert evaluated(spec, rates) == [Decimal("1250.5")]


def test_an_income_share_at_the_assumed_turnover() -> None:
    # A: 12000 + 25 % × max(0, 150000 − 100000) = 12000 + 12500 = 24500
    # B: threshold above the turnover: 11000 + 30 % × 0 = 11000
    spec = components(
        "income_share",
        ["guarantee", "share", "threshold"],
        scenario={"turnover": 150000, "assumption": "the last three years' average"},
    )
    rates = {
        "A": {"guarantee": "12000", "share": "25", "threshold": "100000"},
        "B": {"guarantee": "11000", "share": "30", "threshold": "200000"},
    }
    assert evaluated(spec, rates) == [Decimal("24500"), Decimal("11000")]


def test_a_whole_life_cost_discounts_each_year_of_running_cost() -> None:
    # 10000 + 1000/1.035 + 1000/1.035² + 1000/1.035³
    # = 10000 + 966.183575 + 933.510700 + 901.942706 = 12801.636981 (to 6 places)
    spec = components("whole_life", ["purchase", "running"], discount_rate=3.5, years=3)
    [price] = evaluated(spec, {"A": {"purchase": "10000", "running": "1000"}})
    assert isinstance(price, Decimal)
    assert price.quantize(Decimal("0.000001")) == Decimal("12801.636981")


def test_every_bad_row_is_named_by_line_and_column() -> None:
    bad = pd.DataFrame(
        [["A", "L1", "-3"], ["A", "L9", "1"], ["Z", "L2", "1,000"], ["A", "L1", "2"]],
        columns=["bidder_id", "line_id", "rate"],
    )
    pricing, problems = price_bids(schedule(), ["A"], np.array([True]), bad, "prices.csv")
    assert pricing is None
    text = [str(p) for p in problems]
    assert text[0].startswith("prices.csv: line 2 (bidder A, line L1), column rate: found '-3'")
    assert "line 3 (bidder A, line L9): found unknown line 'L9'" in text[1]
    assert any("line 4 (bidder Z, line L2): found unknown bidder 'Z'" in t for t in text)
    assert any("line 4 (bidder Z, line L2), column rate: found '1,000'" in t for t in text)
    assert any("line 5 (bidder A, line L1): found a second row" in t for t in text)


def test_a_share_above_100_percent_is_refused() -> None:
    spec = components(
        "income_share",
        ["guarantee", "share", "threshold"],
        scenario={"turnover": 1, "assumption": "x"},
    )
    rows = {"A": {"guarantee": "1", "share": "125", "threshold": "0"}}
    _, problems = price_bids(spec, ["A"], np.array([True]), table(rows), "p")
    assert [p.where for p in problems] == ["line 3 (bidder A, line share), column rate"]


def test_the_header_is_checked_first() -> None:
    frame = pd.DataFrame([["A", "L1"]], columns=["bidder_id", "line"])
    pricing, problems = price_bids(schedule(), ["A"], np.array([True]), frame, "p")
    assert pricing is None
    assert problems[0].where == "header"


RULES = [{"rule": "non_compliant"}, {"rule": "highest_other"}, {"rule": "stated", "rate": 7}]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 5),
    st.data(),
    st.sampled_from(RULES),
)
def test_raising_one_rate_never_lowers_any_evaluated_price(
    bids: int, lines: int, data: st.DataObject, rule: dict[str, object]
) -> None:
    volumes = data.draw(st.lists(st.integers(0, 1000), min_size=lines, max_size=lines))
    spec = Schedule.model_validate(
        {
            "name": "schedule",
            "years": data.draw(st.integers(1, 5)),
            "missing_line": rule,
            "lines": [
                {"id": f"L{i}", "description": "x", "unit": "u", "volume": v}
                for i, v in enumerate(volumes)
            ],
        }
    )
    ids = [f"B{i}" for i in range(bids)]
    cents = st.integers(0, 10**7)
    rates = {
        b: {
            f"L{i}": f"{data.draw(cents) / 100:.2f}"
            for i in range(lines)
            if data.draw(st.booleans(), label="priced") or i == 0
        }
        for b in ids
    }
    compliant = np.array(data.draw(st.lists(st.booleans(), min_size=bids, max_size=bids)))
    bidder = data.draw(st.sampled_from(ids))
    line = data.draw(st.sampled_from(sorted(rates[bidder])))
    raised = {b: dict(r) for b, r in rates.items()}
    increase = Decimal(data.draw(st.integers(1, 10**6))) / 100
    raised[bidder][line] = f"{Decimal(rates[bidder][line]) + increase:.2f}"
    before, _ = price_bids(spec, ids, compliant, table(rates), "p")
    after, _ = price_bids(spec, ids, compliant, table(raised), "p")
    assert before is not None
    assert after is not None
    for old, new in zip(before.evaluated, after.evaluated, strict=True):
        assert (old is None) == (new is None)
        if old is not None and new is not None:
            assert new >= old


def test_exact_where_floats_are_not() -> None:
    # 0.1 × 3 in floats is 0.30000000000000004; in units it is exactly 0.3
    spec = Schedule.model_validate(
        {"name": "schedule", "lines": [{"id": "L1", "description": "x", "unit": "u", "volume": 3}]}
    )
    assert evaluated(spec, {"A": {"L1": "0.1"}}) == [Decimal("0.3")]


def test_an_income_share_cannot_take_the_highest_other_offer() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="favour the bid"):
        components(
            "income_share",
            ["guarantee", "share", "threshold"],
            scenario={"turnover": 1, "assumption": "x"},
            missing_line={"rule": "highest_other"},
        )
