"""Standstill arithmetic: England and Wales bank holidays for PCR 2015, every part of the UK
for the Procurement Act 2023 (s.123)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tender.dates import (
    count_words,
    is_pa2023_working_day,
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


def _eight_working_days_england_and_wales_only(published: date) -> date:
    """The count the Act does not use: England and Wales bank holidays only."""
    day, counted = published, int(is_working_day(published))
    while counted < 8:
        day += timedelta(days=1)
        counted += is_working_day(day)
    return day


@pytest.mark.parametrize(
    ("day", "part"),
    [
        (date(2025, 1, 2), "Scotland"),  # 2 January
        (date(2025, 3, 17), "Northern Ireland"),  # St Patrick's Day
        (date(2025, 7, 14), "Northern Ireland"),  # Battle of the Boyne (12th is a Saturday)
        (date(2025, 8, 4), "Scotland"),  # summer bank holiday, first Monday in August
        (date(2025, 12, 1), "Scotland"),  # St Andrew's Day (30 November is a Sunday)
        (date(2026, 6, 15), "Scotland"),  # one-off bank holiday
    ],
)
def test_a_bank_holiday_in_one_part_of_the_uk_is_not_a_pa2023_working_day(day, part):
    # Procurement Act 2023 s.123: not a working day if a bank holiday in any part of the UK;
    # PCR 2015 keeps England and Wales, where each of these days is a working day
    assert is_working_day(day), part
    assert not is_pa2023_working_day(day), part


def test_pa2023_skips_st_patricks_day():
    # published Thursday 13 March 2025 (day 1): 14, 17, 18, 19, 20, 21, 24 make eight in
    # England and Wales; Monday 17 March is a bank holiday in Northern Ireland, so day 8 is
    # Tuesday 25 March
    assert _eight_working_days_england_and_wales_only(date(2025, 3, 13)) == date(2025, 3, 24)
    assert pa2023_standstill_end(date(2025, 3, 13)) == date(2025, 3, 25)


def test_pa2023_skips_scotlands_2_january():
    # published Tuesday 31 December 2024 (day 1); 1 January is a bank holiday everywhere and
    # Thursday 2 January in Scotland; days 2-8 are 3, 6, 7, 8, 9, 10, 13 January
    assert _eight_working_days_england_and_wales_only(date(2024, 12, 31)) == date(2025, 1, 10)
    assert pa2023_standstill_end(date(2024, 12, 31)) == date(2025, 1, 13)


def test_pa2023_skips_the_st_andrews_day_substitute():
    # published Thursday 27 November 2025 (day 1), Friday 28 (day 2); St Andrew's Day falls
    # on Sunday 30 November, so Monday 1 December is Scotland's bank holiday; days 3-8 are
    # 2, 3, 4, 5, 8, 9 December
    assert _eight_working_days_england_and_wales_only(date(2025, 11, 27)) == date(2025, 12, 8)
    assert pa2023_standstill_end(date(2025, 11, 27)) == date(2025, 12, 9)


def test_pa2023_skips_scotlands_one_off_15_june_2026():
    # published Thursday 11 June 2026 (day 1), Friday 12 (day 2); Monday 15 June is a
    # one-off bank holiday in Scotland; days 3-8 are 16, 17, 18, 19, 22, 23 June
    assert _eight_working_days_england_and_wales_only(date(2026, 6, 11)) == date(2026, 6, 22)
    assert pa2023_standstill_end(date(2026, 6, 11)) == date(2026, 6, 23)


def test_pcr2015_keeps_england_and_wales():
    # sent Friday 7 March 2025: day 10 is Monday 17 March, St Patrick's Day in Northern
    # Ireland only; reg 87 as applied here counts it as a working day
    assert pcr2015_standstill_end(date(2025, 3, 7)) == date(2025, 3, 17)


def test_iso_dates_in_prose_are_written_out():
    from tender.dates import long_dates

    assert long_dates("accepted on 2016-11-22: ok") == "accepted on 22 November 2016: ok"
    assert long_dates("not a date 2016-13-45") == "not a date 2016-13-45"
