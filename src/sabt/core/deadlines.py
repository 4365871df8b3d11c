"""Legal deadlines for declaring births and deaths (Civil Registration Law 1355, amended 1363).

A birth is declared within 15 days of the birth (art. 15, note), a death within 10 days of its
occurrence or of learning of it (art. 25). The day of the event is not counted. When the last day is an
official holiday (Friday or a listed holiday), the deadline moves to the next working day, as for every
statutory period in Iranian procedure. For an event during travel, the period runs from arrival.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import holidays

from .workflow import EventKind

DECLARATION_DAYS = {EventKind.BIRTH: 15, EventKind.DEATH: 10}
FRIDAY = 4

IsHoliday = Callable[[dt.date], bool]


@dataclass(frozen=True)
class Timeliness:
    period_starts: dt.date
    deadline: dt.date | None  # the last day on which the declaration is on time; None: no statutory period
    late: bool
    days_late: int


def iran_is_holiday(day: dt.date) -> bool:
    """Friday, or an official holiday of Iran's calendar (solar and lunar)."""
    return day.weekday() == FRIDAY or day in _iran_holidays(day.year)


@cache
def _iran_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("IR", years=year)


def declaration_deadline(kind: EventKind, period_starts: dt.date, is_holiday: IsHoliday = iran_is_holiday) -> dt.date:
    """The last day on which an event whose period starts on `period_starts` is declared on time."""
    deadline = period_starts + dt.timedelta(days=DECLARATION_DAYS[kind])
    while is_holiday(deadline):
        deadline += dt.timedelta(days=1)
    return deadline


def assess_timeliness(
    kind: EventKind,
    *,
    event_date: dt.date,
    declared_on: dt.date,
    period_starts: dt.date | None = None,
    is_holiday: IsHoliday = iran_is_holiday,
) -> Timeliness:
    """Whether a declaration made on `declared_on` is on time.

    `period_starts` is the day of arrival (travel) or of learning of a death, when later than the event.
    Kinds without a statutory period (marriage, divorce) are never late here.
    """
    start = max(event_date, period_starts or event_date)
    if kind not in DECLARATION_DAYS:
        return Timeliness(start, None, late=False, days_late=0)
    deadline = declaration_deadline(kind, start, is_holiday)
    days_late = max(0, (declared_on - deadline).days)
    return Timeliness(start, deadline, late=days_late > 0, days_late=days_late)
