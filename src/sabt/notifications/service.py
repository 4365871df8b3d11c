"""Use cases for facilities' notifications: a facility notifies, an office sees what waits for it, a clerk
opens one as a declaration with the family.

A notification is not a registration. It is checked as a declaration of the same event would be (the
mother or the deceased in the registry, the day, the place, the certificate of cause of death) and waits
at the office serving the event's county until a declaration of the event exists: one the family made
before or after it (matched by the mother, day and birth order, or by the deceased), or one a clerk made
from it. So the same event is never declared twice from a notification, and a notification sent twice
(the same facility's same reference) is one.
"""

import bisect
import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..access.service import national_codes_in, record_reads
from ..context import Context
from ..core.errors import SabtError
from ..core.jalali import parse_date
from ..core.permissions import Action, Actor, authorize
from ..core.text import to_ascii_digits
from ..geo import service as geo
from ..registry import service as registry
from ..registry.schemas import DatePair, EventOut
from ..verification import service as verification
from ..verification.service import PartnerCaller
from .errors import (
    NotificationBeforeBirth,
    NotificationClosed,
    NotificationFacility,
    NotificationNoOffice,
    NotificationNotAllowed,
    NotificationReused,
    NotificationUnknown,
)
from .models import Notification, NotificationClosing
from .schemas import BirthNotificationIn, DismissalIn, NotificationIn, NotificationOut, NotificationStatus, WaitingOut

# The most waiting notifications one page of an office's list shows, oldest first.
PAGE = 100
logger = logging.getLogger("sabt.notifications")


def facility_for_key(ctx: Context, api_key: str | None, *, limiter: verification.RateLimiter) -> PartnerCaller:
    return verification.partner_for_key(ctx, api_key, limiter=limiter)


def require_notifier(caller: PartnerCaller) -> None:
    """A partner that may notify nothing is refused before its request is read."""
    if not caller.policy.notifications:
        raise NotificationNotAllowed(kind="event")


def notify(ctx: Context, *, caller: PartnerCaller, notification: NotificationIn) -> NotificationOut:
    """Record a facility's notification, or answer the one it already sent under the same reference (the
    same answer however the registry has changed since: a resend is not a new notification)."""
    kind = "birth" if isinstance(notification, BirthNotificationIn) else "death"
    if kind not in caller.policy.notifications:
        raise NotificationNotAllowed(kind=kind)
    if notification.facility is not None and notification.facility != caller.code:
        raise NotificationFacility(field="facility", facility=notification.facility, caller=caller.code)
    data = notification.model_dump(mode="json", exclude={"reference", "facility"})
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    with ctx.db.snapshot(primary=True) as session:
        earlier = _earlier(session, caller, notification.reference, digest)
        if earlier is not None:
            return _out(session, earlier, replayed=True)
    _check(ctx, notification)
    try:
        return _record(ctx, caller, kind, notification, data, digest)
    except IntegrityError:
        # The same reference, sent twice at once: the other request recorded it first.
        return _record(ctx, caller, kind, notification, data, digest)


def _earlier(session: Session, caller: PartnerCaller, reference: str, digest: str) -> Notification | None:
    """The notification this facility already sent under the reference; a different one is refused."""
    earlier = session.scalar(
        select(Notification).where(Notification.partner_id == caller.partner_id, Notification.reference == reference)
    )
    if earlier is not None and earlier.content_hash != digest:
        raise NotificationReused(field="reference", reference=reference)
    return earlier


def _check(ctx: Context, notification: NotificationIn) -> None:
    """The registry's checks of the event, told to a facility without more of a person than it sent: a day
    before the person's birth is refused without the birth date the registry's own message names."""
    try:
        registry.check_notification(ctx, notification)
    except SabtError as error:
        if error.code == "date.before_birth":
            raise NotificationBeforeBirth(field=error.field) from None
        raise


def _record(
    ctx: Context, caller: PartnerCaller, kind: str, notification: NotificationIn, data: dict[str, object], digest: str
) -> NotificationOut:
    with ctx.db.transaction() as session:
        earlier = _earlier(session, caller, notification.reference, digest)
        if earlier is not None:
            return _out(session, earlier, replayed=True)
        county = to_ascii_digits(notification.county.strip())
        if isinstance(notification, BirthNotificationIn):
            day, time = notification.birth_date, notification.birth_time
        else:
            day, time = notification.death_date, notification.death_time
        now = ctx.now()
        event_id = registry.declaration_of(session, notification)
        stillborn = isinstance(notification, BirthNotificationIn) and notification.stillborn
        row = Notification(
            partner_id=caller.partner_id,
            reference=notification.reference,
            kind=kind,
            event_date=parse_date(day),
            event_time=to_ascii_digits(time).strip() if time else None,
            county_code=county,
            office_id=_office_for(session, county),
            data=data,
            content_hash=digest,
            received_at=now,
            event_id=event_id,
            matched_at=now if event_id is not None else None,
        )
        session.add(row)
        session.flush()
        if stillborn:
            session.add(NotificationClosing(notification_id=row.id, reason="stillbirth", note="", closed_at=now))
        verification.record_notification(
            session, caller, national_code=_person_named(notification), kind="stillbirth" if stillborn else kind, at=now
        )
        return _out(session, row)


def _person_named(notification: NotificationIn) -> str:
    """The national code of the person a notification is about: the deceased, or the child's mother."""
    if isinstance(notification, BirthNotificationIn):
        return to_ascii_digits(notification.mother.national_code.strip())
    return to_ascii_digits(notification.national_code.strip())


def _office_for(session: Session, county: str) -> int:
    """The office that serves the county (the first, where several do), else one of its province."""
    offices = geo.offices_in_county(session, county) or geo.offices_in_province_of(session, county)
    if not offices:
        raise NotificationNoOffice(field="county", county=county)
    return min(offices)


def answer(ctx: Context, *, event: EventOut) -> None:
    """Link the waiting notifications a new declaration answers (of the same kind, day and county, and the
    same event by `registry.declaration_of`). Run after a birth or death is declared; an office's list does
    the same for any declaration this missed."""
    if event.kind not in ("birth", "death"):
        return
    county = to_ascii_digits(str(event.data.get("county", "")).strip())
    try:
        _answer(ctx, event, county)
    except SQLAlchemyError:
        # The declaration is saved already; an office's list matches the notification the next time.
        logger.warning("notifications not matched to event %s", event.id, exc_info=True)


def _answer(ctx: Context, event: EventOut, county: str) -> None:
    with ctx.db.transaction() as session:
        candidates = session.scalars(
            _open().where(
                Notification.kind == event.kind,
                Notification.event_date == event.event_date.gregorian,
                Notification.county_code == county,
            )
        )
        for row in candidates:
            _match(ctx, session, row)


def _open() -> Select[Notification]:
    """Notifications neither answered by a declaration nor closed without one."""
    closed = select(NotificationClosing.notification_id).where(NotificationClosing.notification_id == Notification.id)
    return select(Notification).where(Notification.event_id.is_(None), ~closed.exists())


def waiting(
    ctx: Context, *, actor: Actor, office_code: str | None = None, limit: int = PAGE, offset: int = 0
) -> WaitingOut:
    """The notifications waiting at an office (the actor's own unless another is named), oldest first, a
    page at a time, and how many wait in all. Any on the page that a declaration made since has answered
    are matched to it first, and leave the list."""
    authorize(actor, Action.READ_OFFICE_WORK)
    with ctx.db.transaction() as session:
        office_id = geo.office_by_code(session, office_code).id if office_code else actor.office_id
        if office_id is not None:
            authorize(actor, Action.READ_OFFICE_WORK, office_id=office_id)
        query = _open()
        if office_id is not None:
            query = query.where(Notification.office_id == office_id)
        page = query.order_by(Notification.received_at, Notification.id).limit(min(limit, PAGE)).offset(offset)
        rows = list(session.scalars(page))
        found = [_out(session, row) for row in rows if not _match(ctx, session, row)]
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return WaitingOut(total=total, offset=offset, notifications=_shown(ctx, actor, found))


def dismiss(ctx: Context, *, actor: Actor, notification_id: int, dismissal: DismissalIn) -> NotificationOut:
    """A registrar closes a waiting notification that no declaration will answer (the facility sent the
    event twice under two references, or in error), with the reason; it leaves the office's list."""
    authorize(actor, Action.REJECT)
    with ctx.db.transaction() as session:
        row = _at_office(session, actor, Action.REJECT, notification_id)
        if _match(ctx, session, row) or session.get(NotificationClosing, row.id) is not None:
            raise NotificationClosed(id=notification_id)
        session.add(
            NotificationClosing(
                notification_id=row.id,
                reason=dismissal.reason,
                note=dismissal.note,
                closed_by=actor.user_id,
                closed_at=ctx.now(),
            )
        )
        session.flush()
        found = _out(session, row)
    return _shown(ctx, actor, [found])[0]


def get_notification(ctx: Context, *, actor: Actor, notification_id: int) -> NotificationOut:
    authorize(actor, Action.READ_OFFICE_WORK)
    with ctx.db.transaction() as session:
        row = _at_office(session, actor, Action.READ_OFFICE_WORK, notification_id)
        _match(ctx, session, row)
        found = _out(session, row)
    return _shown(ctx, actor, [found])[0]


def _at_office(session: Session, actor: Actor, action: Action, notification_id: int) -> Notification:
    """The notification, if the actor may take the action at the office where it waits."""
    row = session.get(Notification, notification_id)
    if row is None:
        raise NotificationUnknown(id=notification_id)
    authorize(actor, action, office_id=row.office_id)
    return row


def _match(ctx: Context, session: Session, row: Notification) -> bool:
    """Link a waiting notification to the declaration of its event, if one has been made since."""
    if row.event_id is not None:
        return True
    if session.get(NotificationClosing, row.id) is not None:
        return False
    notified = registry.notified_event(row.kind, row.data)
    event_id = registry.declaration_of(session, notified)
    if event_id is None:
        return False
    row.event_id, row.matched_at = event_id, ctx.now()
    session.flush()
    return True


def _shown(ctx: Context, actor: Actor, found: list[NotificationOut]) -> list[NotificationOut]:
    """Notifications shown to staff: a read of every person they name, and causes of death only for the
    roles that may read them."""
    record_reads(ctx, actor, national_codes_in([item.data for item in found]), "notification")
    return [item.model_copy(update={"data": registry.seen_by(actor, item.data)}) for item in found]


def _out(session: Session, row: Notification, *, replayed: bool = False) -> NotificationOut:
    facility, facility_name = verification.partner_named(session, row.partner_id)
    closing = session.get(NotificationClosing, row.id)
    return NotificationOut(
        id=row.id,
        kind=row.kind,
        reference=row.reference,
        facility=facility,
        facility_name=facility_name,
        office_code=geo.office_by_id(session, row.office_id).code,
        county_code=row.county_code,
        event_date=DatePair.of(row.event_date),
        event_time=row.event_time,
        received_at=row.received_at,
        status=_status(row, closing),
        event_id=row.event_id,
        closed_reason=closing.reason if closing is not None else None,
        closed_note=closing.note if closing is not None else None,
        data=row.data,
        replayed=replayed,
    )


def _status(row: Notification, closing: NotificationClosing | None) -> NotificationStatus:
    if row.event_id is not None:
        return "declared"
    if closing is None:
        return "waiting"
    return "stillbirth" if closing.reason == "stillbirth" else "dismissed"


# --- for the statistics: how soon events were notified and registered, by place and period ------------------

Bucket = tuple[str, dt.date, dt.date]  # a period's key, first and last day


@dataclass(frozen=True)
class Timed:
    """A notification as the statistics count it. `kind` is birth, stillbirth or death; `hours` from the
    event to the notification; `days` from the notification to the registration of its event, or None."""

    county: str
    partner_id: int
    kind: str
    event_date: dt.date
    hours: int
    days: int | None


def timeliness_counts(ctx: Context, *, buckets: Sequence[Bucket]) -> list[tuple[str, str, str, int, int | None, int]]:
    """(county, period, kind, hours from the event to its notification, days from the notification to the
    registration of its event or None, notifications), by the day of the event."""
    firsts = [first for _, first, _ in buckets]
    counted: Counter[tuple[str, str, str, int, int | None]] = Counter()
    for timed in _timed(ctx, Notification.event_date >= buckets[0][1], Notification.event_date <= buckets[-1][2]):
        period = buckets[bisect.bisect_right(firsts, timed.event_date) - 1][0]
        counted[(timed.county, period, timed.kind, timed.hours, timed.days)] += 1
    return [(*key, n) for key, n in counted.items()]


def office_timeliness(
    ctx: Context, *, office_id: int, since: dt.datetime
) -> list[tuple[str, str, str, int, int | None, int]]:
    """(facility code, facility name, kind, hours, days or None, notifications) for the notifications an
    office received since a moment: how soon each facility notifies, and how soon the office registers."""
    counted: Counter[tuple[int, str, int, int | None]] = Counter()
    for timed in _timed(ctx, Notification.office_id == office_id, Notification.received_at >= since):
        counted[(timed.partner_id, timed.kind, timed.hours, timed.days)] += 1
    with ctx.db.snapshot() as session:
        names = {partner_id: verification.partner_named(session, partner_id) for partner_id, *_ in counted}
    found = []
    for (partner_id, kind, hours, days), n in counted.items():
        code, name = names[partner_id]
        found.append((code, name, kind, hours, days, n))
    return found


def _timed(ctx: Context, *conditions: ColumnElement[bool]) -> list[Timed]:
    """The notifications meeting the conditions, but those a registrar dismissed (not events). An event
    notified without a time of day is taken at noon, in the registry's time zone."""
    zone = ZoneInfo(ctx.settings.timezone)
    with ctx.db.snapshot() as session:
        rows = session.execute(
            select(
                Notification.county_code,
                Notification.partner_id,
                Notification.kind,
                Notification.event_date,
                Notification.event_time,
                Notification.received_at,
                Notification.event_id,
                NotificationClosing.reason,
            )
            .outerjoin(NotificationClosing, NotificationClosing.notification_id == Notification.id)
            .where(*conditions)
        ).all()
        registered = registry.registered_at(session, [row.event_id for row in rows if row.event_id is not None])
    found = []
    for row in rows:
        if row.reason is not None and row.reason != "stillbirth":
            continue
        clock = dt.time.fromisoformat(row.event_time) if row.event_time else dt.time(12)
        happened = dt.datetime.combine(row.event_date, clock, zone)
        done = registered.get(row.event_id) if row.event_id is not None else None
        found.append(
            Timed(
                county=row.county_code,
                partner_id=row.partner_id,
                kind=row.reason or row.kind,
                event_date=row.event_date,
                hours=max(0, int((row.received_at - happened).total_seconds() // 3600)),
                days=max(0, (done - row.received_at).days) if done is not None else None,
            )
        )
    return found
