"""Time as a pluggable part: the system clock in service, a fixed clock in tests and when seeding history."""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass
class FixedClock:
    """A clock that says what it is told; `advance` moves it on."""

    current: dt.datetime

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)


def local_date(clock: Clock, timezone: str) -> dt.date:
    """Today's date where the registry works (deadlines count local calendar days)."""
    return local_day(clock.now(), timezone)


def local_day(moment: dt.datetime, timezone: str) -> dt.date:
    """The calendar day a moment falls on where the registry works; a moment without a zone is UTC."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(timezone)).date()
