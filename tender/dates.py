"""Dates in documents: long-form dates and standstill periods. Pure; no I/O.

Which days are working days depends on the regime:

- Procurement Act 2023 s.123 (interpretation): a "working day" is a day other than a
  Saturday or Sunday, Christmas Day or Good Friday, or a bank holiday under the Banking and
  Financial Dealings Act 1971 in any part of the United Kingdom. So a day that is a bank
  holiday only in Scotland (2 January, St Andrew's Day, a one-off such as 15 June 2026) or
  only in Northern Ireland (St Patrick's Day, the Battle of the Boyne) is not a working day
  for the Act's standstill, wherever the authority is.
- Public Contracts Regulations 2015 reg 87: kept on the bank holidays of England and Wales,
  where the reference tenders were run.

Bank holidays come from the `holidays` package: subdivisions "ENG", "WLS", "SCT" and "NIR"
of "GB", each of which includes Christmas Day and Good Friday.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache

PCR2015_STANDSTILL_DAYS = 10  # PCR 2015 reg 87(2)(a): notice sent by electronic means
PA2023_STANDSTILL_WORKING_DAYS = 8  # Procurement Act 2023 s.51(2)
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ENGLAND_AND_WALES = ("ENG", "WLS")
# Procurement Act 2023 s.123: a bank holiday "in any part of the United Kingdom".
UNITED_KINGDOM = ("ENG", "WLS", "SCT", "NIR")


def long_date(day: date) -> str:
    """'13 December 2016'."""
    return f"{day.day} {day:%B %Y}"


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def long_dates(text: str) -> str:
    """`text` with each ISO date in it ('2016-11-22') written out ('22 November 2016').

    For prose a person reads; machine outputs (JSON, CSV) keep ISO dates.
    """

    def replace(match: re.Match[str]) -> str:
        try:
            return long_date(date(*(int(g) for g in match.groups())))
        except ValueError:
            return match.group(0)

    return ISO_DATE.sub(replace, text)


def count_words(number: int) -> str:
    """'three' for 3; numbers from 10 up stay as digits."""
    return NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else str(number)


@cache
def _bank_holidays(year: int, parts: tuple[str, ...]) -> frozenset[date]:
    import holidays  # the calendars load in ~15 ms: only when a date is counted

    days: set[date] = set()
    for part in parts:
        days.update(holidays.country_holidays("GB", subdiv=part, years=year))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    """True unless `day` is a Saturday, Sunday or an England and Wales bank holiday (PCR 2015)."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year, ENGLAND_AND_WALES)


def is_pa2023_working_day(day: date) -> bool:
    """Procurement Act 2023 s.123: not a weekend nor a bank holiday in any part of the UK."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year, UNITED_KINGDOM)


def pcr2015_standstill_end(sent: date) -> date:
    """Last day of the PCR 2015 standstill for a notice sent electronically on `sent`.

    Reg 87: it ends at midnight at the end of the 10th day after the sending date; a
    period that would end on a day that is not a working day runs to the end of the
    next working day. The contract may be entered into from the day after.
    """
    end = sent + timedelta(days=PCR2015_STANDSTILL_DAYS)
    while not is_working_day(end):
        end += timedelta(days=1)
    return end


def pa2023_standstill_end(published: date) -> date:
    """Last day of the Procurement Act 2023 standstill for a contract award notice.

    s.51: eight working days beginning with the day the notice is published, so the
    publication day counts when it is itself a working day. Working days are those of
    s.123: a bank holiday in any part of the United Kingdom does not count.
    """
    day = published
    counted = 1 if is_pa2023_working_day(day) else 0
    while counted < PA2023_STANDSTILL_WORKING_DAYS:
        day += timedelta(days=1)
        counted += is_pa2023_working_day(day)
    return day
