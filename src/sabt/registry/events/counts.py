"""Counts of registered events for vital statistics, aggregated in the database.

Each function returns small tables (county, period, …, count): the database groups the rows and sorts
each event into its period with one CASE over the periods' first and last days, so a year of a country's
events comes back as a few thousand counts. Ages are whole years from the day count (365.2425 days a
year), which can differ from the calendar age on the day of a birthday.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal, select, type_coerce
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from ...context import Context
from ...core.stats import DAYS_PER_YEAR, DEATH_AGE_GROUPS, MOTHER_AGE_GROUPS
from ...core.workflow import EventKind, EventStatus
from ..persons.models import Person
from .models import Event, EventHistory

Bucket = tuple[str, dt.date, dt.date]  # a period's key, first and last day


Rows = list[tuple[Any, ...]]


def birth_counts(ctx: Context, *, buckets: Sequence[Bucket]) -> Rows:
    """(county, period, sex, mother's age group or None, births)."""
    mother = aliased(Person)
    with ctx.db.snapshot() as session:
        period = _period(Event.event_date, buckets)
        age = _age_group(session, Event.event_date, mother.birth_date, MOTHER_AGE_GROUPS, below=50)
        query = (
            select(Event.county_code, period, Person.sex, age, func.count())
            .join(Person, Person.id == Event.subject_id)
            .outerjoin(mother, mother.id == Person.mother_id)
            .where(*_registered(EventKind.BIRTH, buckets))
            .group_by(Event.county_code, period, Person.sex, age)
        )
        return [tuple(row) for row in session.execute(query)]


# A death in the first 28 days of life (days 0 to 27) is neonatal, as WHO defines it.
NEONATAL_DAYS = 28


def death_counts(ctx: Context, *, buckets: Sequence[Bucket]) -> Rows:
    """(county, period, sex, age group at death, neonatal, deaths)."""
    with ctx.db.snapshot() as session:
        period = _period(Event.event_date, buckets)
        age = _age_group(session, Event.event_date, Person.birth_date, DEATH_AGE_GROUPS)
        days = _days_between(session, Event.event_date, Person.birth_date)
        neonatal = case((days < NEONATAL_DAYS, literal(True)), else_=literal(False)).label("neonatal")
        query = (
            select(Event.county_code, period, Person.sex, age, neonatal, func.count())
            .join(Person, Person.id == Event.subject_id)
            .where(*_registered(EventKind.DEATH, buckets))
            .group_by(Event.county_code, period, Person.sex, age, neonatal)
        )
        return [tuple(row) for row in session.execute(query)]


def cause_counts(ctx: Context, *, buckets: Sequence[Bucket]) -> Rows:
    """(county, period, sex, underlying cause as coded or None, deaths): None for a death declared without a
    medical certificate. The distinct codes are a few thousand at most, so they are grouped as they are."""
    with ctx.db.snapshot() as session:
        period = _period(Event.event_date, buckets)
        underlying = Event.data["cause_of_death"]["underlying"].as_string()
        query = (
            select(Event.county_code, period, Person.sex, underlying, func.count())
            .join(Person, Person.id == Event.subject_id)
            .where(*_registered(EventKind.DEATH, buckets))
            .group_by(Event.county_code, period, Person.sex, underlying)
        )
        return [tuple(row) for row in session.execute(query)]


# Ids asked about in one statement: well under the bound parameters SQLite (32,766) and PostgreSQL allow.
IDS_PER_QUERY = 10_000


def registered_at(session: Session, event_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """When each of these events was registered (those registered only)."""
    moments: dict[int, dt.datetime] = {}
    for start in range(0, len(event_ids), IDS_PER_QUERY):
        chunk = event_ids[start : start + IDS_PER_QUERY]
        query = select(EventHistory.event_id, EventHistory.recorded_at).where(
            EventHistory.event_id.in_(chunk), EventHistory.action == "register"
        )
        moments.update({event_id: moment for event_id, moment in session.execute(query)})
    return moments


def couple_counts(ctx: Context, *, kind: EventKind, buckets: Sequence[Bucket]) -> Rows:
    """(county, period, marriages or divorces)."""
    with ctx.db.snapshot() as session:
        period = _period(Event.event_date, buckets)
        query = select(Event.county_code, period, func.count()).where(*_registered(kind, buckets))
        return [tuple(row) for row in session.execute(query.group_by(Event.county_code, period))]


def delay_counts(ctx: Context, *, kind: EventKind, buckets: Sequence[Bucket]) -> Rows:
    """(county, period, days from the event to its declaration, declared late, registrations)."""
    with ctx.db.snapshot() as session:
        period = _period(Event.event_date, buckets)
        delay = _days_between(session, Event.declared_on, Event.event_date)
        query = (
            select(Event.county_code, period, delay, Event.late, func.count())
            .where(*_registered(kind, buckets))
            .group_by(Event.county_code, period, delay, Event.late)
        )
        return [tuple(row) for row in session.execute(query)]


def _registered(kind: EventKind, buckets: Sequence[Bucket]) -> list[ColumnElement[bool]]:
    return [
        Event.kind == kind,
        Event.status == EventStatus.REGISTERED,
        Event.event_date >= buckets[0][1],
        Event.event_date <= buckets[-1][2],
    ]


def _period(column: Any, buckets: Sequence[Bucket]) -> ColumnElement[str]:
    return case(*[(and_(column >= first, column <= last), literal(key)) for key, first, last in buckets]).label(
        "period"
    )


def _days_between(session: Session, later: Any, earlier: Any) -> ColumnElement[int]:
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return type_coerce(later - earlier, Integer)  # PostgreSQL: date − date is a number of days


def _age_group(
    session: Session, on: Any, born: Any, groups: Sequence[tuple[str, int]], *, below: int | None = None
) -> ColumnElement[str]:
    """The group of the age on a day (None outside the groups: under the first, or `below` years and over)."""
    days = _days_between(session, on, born)
    whens = [(days >= round(below * DAYS_PER_YEAR), literal(None))] if below is not None else []
    whens += [(days >= round(starts * DAYS_PER_YEAR), literal(name)) for name, starts in reversed(groups)]
    return case(*whens, else_=literal(None)).label("age_group")


# --- an office's own work, for its dashboard: every row is one office's, so these stay small ------------


def office_registrations(ctx: Context, *, office_id: int, since: dt.datetime) -> Rows:
    """(moment registered, kind) of each event the office registered since `since`."""
    with ctx.db.snapshot() as session:
        query = (
            select(EventHistory.recorded_at, Event.kind)
            .join(Event, Event.id == EventHistory.event_id)
            .where(Event.office_id == office_id, EventHistory.action == "register", EventHistory.recorded_at >= since)
        )
        return [tuple(row) for row in session.execute(query)]


def office_steps(ctx: Context, *, office_id: int, since: dt.datetime) -> Rows:
    """(user id, step, how many) of the workflow steps taken on the office's events since `since`."""
    with ctx.db.snapshot() as session:
        query = (
            select(EventHistory.actor_id, EventHistory.action, func.count())
            .join(Event, Event.id == EventHistory.event_id)
            .where(Event.office_id == office_id, EventHistory.recorded_at >= since)
            .group_by(EventHistory.actor_id, EventHistory.action)
        )
        return [tuple(row) for row in session.execute(query)]


def office_delays(ctx: Context, *, office_id: int, since: dt.date) -> Rows:
    """(kind, days from the event to its declaration, declared late, registrations) of the births and deaths
    the office registered that were declared since `since`."""
    with ctx.db.snapshot() as session:
        delay = _days_between(session, Event.declared_on, Event.event_date)
        query = (
            select(Event.kind, delay, Event.late, func.count())
            .where(
                Event.office_id == office_id,
                Event.status == EventStatus.REGISTERED,
                Event.kind.in_((EventKind.BIRTH, EventKind.DEATH)),
                Event.declared_on >= since,
            )
            .group_by(Event.kind, delay, Event.late)
        )
        return [tuple(row) for row in session.execute(query)]


def office_pending(ctx: Context, *, office_id: int) -> Rows:
    """(status, late and not yet approved, declared on) of each event waiting at the office."""
    with ctx.db.snapshot() as session:
        waiting = and_(Event.late.is_(True), Event.late_approved_by.is_(None))
        query = select(Event.status, waiting, Event.declared_on).where(
            Event.office_id == office_id,
            Event.status.in_((EventStatus.DECLARED, EventStatus.VALIDATED, EventStatus.REJECTED)),
        )
        return [tuple(row) for row in session.execute(query)]


def births_in_counties(ctx: Context, *, counties: Sequence[str], first: dt.date, last: dt.date) -> Rows:
    """(county, registered births) with a birth date in [first, last], whichever office registered them."""
    with ctx.db.snapshot() as session:
        bucket = [("all", first, last)]
        query = (
            select(Event.county_code, func.count())
            .where(*_registered(EventKind.BIRTH, bucket), Event.county_code.in_(counties))
            .group_by(Event.county_code)
        )
        return [tuple(row) for row in session.execute(query)]


def counties_served(ctx: Context, *, office_id: int, since: dt.date) -> list[str]:
    """The counties of the events the office registered that happened since `since`."""
    with ctx.db.snapshot() as session:
        query = (
            select(Event.county_code)
            .distinct()
            .where(
                Event.office_id == office_id,
                Event.status == EventStatus.REGISTERED,
                Event.event_date >= since,
                Event.county_code.is_not(None),
            )
        )
        return [county for county in session.scalars(query) if county]
