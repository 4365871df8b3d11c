"""What every use case needs besides its arguments: the database, the settings and the clock."""

import datetime as dt
from dataclasses import dataclass

from .clock import Clock, SystemClock, local_date
from .config import Settings
from .db import Database, open_database


@dataclass(frozen=True)
class Context:
    db: Database
    settings: Settings
    clock: Clock

    def today(self) -> dt.date:
        return local_date(self.clock, self.settings.timezone)

    def now(self) -> dt.datetime:
        return self.clock.now()


def open_context(settings: Settings, clock: Clock | None = None) -> Context:
    database = open_database(settings.resolved_database_url(), read_url=settings.read_database_url or None)
    return Context(database, settings, clock or SystemClock())
