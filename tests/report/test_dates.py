"""Standstill arithmetic with England and Wales bank holidays."""

from __future__ import annotations

from datetime import date

import pytest

from tender.report.dates import (
    count_words,
    is_working_day,
    long_date,
    pa2023_standstill_end,
    pcr2015_standstill_end,
)


def test_long_date_and_count_words():
    assert long_date(date(2017, 1, 1)) == "1 January 2017"
    assert count_words(3) == "three"
    assert count_words(12) == "12"


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2016, 12, 23), True),  # Friday
        (date(2016, 12, 24), False),  # Saturday
        (date(2016, 12, 26), False),  # Boxing Day
        (date(2016, 12, 27), False),  # Christmas Day (substitute bank holiday)
        (date(2025, 4, 18), False),  # Good Friday
        (date(2025, 4, 21), False),  # Easter Monday
        (date(2025, 4, 22), True),
    ],
)
def test_working_days(day, working):
    assert is_working_day(day) is working


def test_pcr2015_ten_days_after_sending_on_a_working_day():
    # sent Monday 3 March 2025: the 10th day after is Thursday 13 March
    assert pcr2015_standstill_end(date(2025, 3, 3)) == date(2025, 3, 13)


def test_pcr2015_end_moves_past_a_weekend_and_christmas_bank_holidays():
    # sent Wednesday 14 December 2016: day 10 is Saturday 24 December; 25 is Sunday,
    # 26 Boxing Day and 27 the substitute Christmas bank holiday, so it runs to the 28th
    assert pcr2015_standstill_end(date(2016, 12, 14)) == date(2016, 12, 28)


def test_pa2023_eight_working_days_beginning_with_publication():
    # published Monday 3 March 2025 (day 1) → day 8 is Wednesday 12 March
    assert pa2023_standstill_end(date(2025, 3, 3)) == date(2025, 3, 12)


def test_pa2023_skips_good_friday_and_easter_monday():
    # published Thursday 17 April 2025 (day 1); 18 and 21 April are bank holidays;
    # days 2-8 are 22, 23, 24, 25, 28, 29, 30 April
    assert pa2023_standstill_end(date(2025, 4, 17)) == date(2025, 4, 30)


def test_pa2023_publication_on_a_saturday_starts_counting_on_monday():
    assert pa2023_standstill_end(date(2025, 3, 1)) == date(2025, 3, 12)
