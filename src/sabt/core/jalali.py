"""Dates at the edges: people read and type Jalali (Solar Hijri) dates; Sabt stores Gregorian ISO dates.

`parse_date` accepts either calendar. A year below 1700 is read as Jalali (the registry's Jalali years
are 12xx–14xx, its Gregorian years 18xx–21xx, so the two never collide), with Persian, Arabic-Indic or
ASCII digits and `/`, `-` or `.` between the parts.
"""

import datetime as dt
import re
from functools import lru_cache

import jdatetime

from .text import to_ascii_digits

_DATE = re.compile(r"^ *([0-9]{4})[/\-.]([0-9]{1,2})[/\-.]([0-9]{1,2}) *$")  # ASCII digits only: int() reads any script
JALALI_YEAR_LIMIT = 1700
# The days a registry date can fall on (its Gregorian years are 18xx–21xx): a date outside is a typing
# error, and outside it calendar arithmetic (a Jalali year before 1, a day after 9999-12-31) overflows.
FIRST_DAY, LAST_DAY = dt.date(1800, 1, 1), dt.date(2199, 12, 31)


class DateProblem(ValueError):
    """The text is not a date in either calendar; `reason` is a stable machine code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=1 << 17)  # every day of three centuries; bulk imports parse the same dates often
def parse_date(text: str) -> dt.date:
    """A Gregorian date from Jalali or Gregorian text such as ۱۴۰۳/۰۵/۱۲ or 2024-08-02."""
    match = _DATE.match(to_ascii_digits(text))
    if not match:
        raise DateProblem("format")
    year, month, day = (int(part) for part in match.groups())
    try:
        if year < JALALI_YEAR_LIMIT:
            gregorian: dt.date = jdatetime.date(year, month, day).togregorian()
        else:
            gregorian = dt.date(year, month, day)
    except ValueError as error:
        raise DateProblem("no_such_day") from error
    if not FIRST_DAY <= gregorian <= LAST_DAY:
        raise DateProblem("out_of_range")
    return gregorian


def parse_date_unswapping(text: str) -> tuple[dt.date, bool]:
    """The date as `parse_date` reads it, or, when the month as typed cannot be a month and the day can
    (1366/23/11), the date with the two swapped back, and True. Such a swap is unambiguous, so an old
    register's row is read, not refused; a swap with both parts up to 12 is a valid date and stays as typed."""
    try:
        return parse_date(text), False
    except DateProblem as problem:
        match = _DATE.match(to_ascii_digits(text))
        if problem.reason != "no_such_day" or not match:
            raise
        year, month, day = match.groups()
        if not (int(month) > 12 >= int(day) >= 1):
            raise
        return parse_date(f"{year}/{day}/{month}"), True


@lru_cache(maxsize=1 << 17)  # a pass over the registry converts millions of birth dates, few of them distinct
def to_jalali(day: dt.date) -> str:
    """The Jalali date as YYYY/MM/DD with ASCII digits (for APIs and files)."""
    jalali = jdatetime.date.fromgregorian(date=day)
    return f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}"


def year_span(year: int) -> tuple[dt.date, dt.date]:
    """The first and last Gregorian day of a year given in either calendar (below 1700: Jalali)."""
    if year < JALALI_YEAR_LIMIT:
        first: dt.date = jdatetime.date(year, 1, 1).togregorian()
        following: dt.date = jdatetime.date(year + 1, 1, 1).togregorian()
        return first, following - dt.timedelta(days=1)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


@lru_cache(maxsize=1 << 17)  # as to_jalali
def jalali_parts(day: dt.date) -> tuple[int, int, int]:
    """(year, month, day) of the date in the Jalali calendar."""
    jalali = jdatetime.date.fromgregorian(date=day)
    return jalali.year, jalali.month, jalali.day


def from_jalali_parts(year: int, month: int, day: int) -> dt.date | None:
    """The Gregorian date of a Jalali year, month and day, or None when there is no such day."""
    try:
        gregorian: dt.date = jdatetime.date(year, month, day).togregorian()
    except ValueError:
        return None
    return gregorian
