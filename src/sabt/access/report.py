"""The report of unusual access, from the staff access log: a reader of many records that other offices
keep, a person many staff read (a well-known person looked up out of curiosity), and reads at night, when
offices are closed. Each finding is a lead for an auditor, not a verdict."""

import datetime as dt
from collections import Counter, defaultdict
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.service import usernames
from ..context import Context
from ..core.errors import DateRange
from ..core.permissions import OFFICE_ROLES, Action, Actor, authorize
from .errors import AccessTooLong
from .models import StaffRead
from .schemas import UnusualAccessOut

OUTSIDE_OFFICE_PERSONS = 20  # distinct persons of other offices one office user read in the period
READERS_OF_ONE_PERSON = 5  # distinct staff who read one person in the period
NIGHT_STARTS, NIGHT_ENDS = 22, 6  # local hours
DEFAULT_DAYS, LONGEST_DAYS = 7, 92


class HoldingOffices(Protocol):
    """The offices that hold a person's record: the registry's answer, passed in by whoever asks for the
    report, since the access log sits below the registry that writes to it."""

    def __call__(self, session: Session, national_code: str, /) -> frozenset[int]: ...


def unusual_access(
    ctx: Context,
    *,
    actor: Actor,
    holding_offices: HoldingOffices,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[UnusualAccessOut]:
    """Findings for the days from `since` to `until` (inclusive; at most 92, the last seven by default),
    most striking first within each kind."""
    authorize(actor, Action.READ_ACCESS_LOG)
    until = until or ctx.today()
    since = since or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise DateRange(field="since")
    if (until - since).days >= LONGEST_DAYS:
        raise AccessTooLong(field="since", days=LONGEST_DAYS)
    zone = ZoneInfo(ctx.settings.timezone)
    start = dt.datetime.combine(since, dt.time(), zone)
    end = dt.datetime.combine(until, dt.time(), zone) + dt.timedelta(days=1)
    outside: defaultdict[int, set[str]] = defaultdict(set)
    readers: defaultdict[str, set[int]] = defaultdict(set)
    at_night: Counter[int] = Counter()
    with ctx.db.snapshot(primary=True) as session:
        reads = reads_between(session, start, end)
        holders: dict[str, frozenset[int]] = {}
        for read in reads:
            readers[read.national_code].add(read.user_id)
            hour = read.at.astimezone(zone).hour
            if hour >= NIGHT_STARTS or hour < NIGHT_ENDS:
                at_night[read.user_id] += 1
            if read.role in OFFICE_ROLES and read.office_id is not None:
                if read.national_code not in holders:
                    holders[read.national_code] = holding_offices(session, read.national_code)
                if read.office_id not in holders[read.national_code]:
                    outside[read.user_id].add(read.national_code)
        names = usernames(session, {read.user_id for read in reads})
    findings = [
        UnusualAccessOut(
            kind="outside_office",
            username=names.get(user_id),
            count=len(codes),
            detail=f"read {len(codes)} persons whose records other offices keep",
        )
        for user_id, codes in sorted(outside.items(), key=lambda item: -len(item[1]))
        if len(codes) >= OUTSIDE_OFFICE_PERSONS
    ]
    findings += [
        UnusualAccessOut(
            kind="much_read_person", national_code=code, count=len(users), detail=f"read by {len(users)} staff users"
        )
        for code, users in sorted(readers.items(), key=lambda item: -len(item[1]))
        if len(users) >= READERS_OF_ONE_PERSON
    ]
    findings += [
        UnusualAccessOut(
            kind="at_night",
            username=names.get(user_id),
            count=count,
            detail=f"{count} reads between {NIGHT_STARTS}:00 and {NIGHT_ENDS:02}:00",
        )
        for user_id, count in at_night.most_common()
    ]
    return findings


def reads_between(session: Session, since: dt.datetime, until: dt.datetime) -> list[StaffRead]:
    """Every read in a period, for the report of unusual access."""
    query = select(StaffRead).where(StaffRead.at >= since, StaffRead.at < until).order_by(StaffRead.id)
    return list(session.scalars(query))
