"""Use cases for vital events: declare, re-submit, validate, register, reject, approve late.

Each use case is one transaction. Registering applies the event to the registry: a birth creates a person
with a new national code, a death marks the person deceased and ends their marriages, a marriage links
two persons, a divorce ends their marriage. Every step is kept in the event's history.
"""

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...access.service import national_codes_in, record_reads
from ...accounts.service import usernames
from ...context import Context
from ...core.deadlines import assess_timeliness
from ...core.jalali import parse_date
from ...core.permissions import Action, Actor, Role, authorize
from ...core.text import to_ascii_digits
from ...core.workflow import LATE_APPROVAL_STATES, EventKind, EventStatus, next_status
from ...geo.schemas import OfficeOut
from ...geo.service import office_by_code, office_by_id
from ..errors import (
    EventAssigned,
    EventLateUnapproved,
    EventNotLate,
    EventOfOtherKind,
    EventTransition,
    EventUnknown,
    IdempotencyKeyFormat,
    IdempotencyKeyReused,
    OfficeRequired,
)
from ..persons.models import Person
from ..persons.rules import Rules
from ..persons.schemas import DatePair
from .checks import (
    Checked,
    check_birth,
    check_death,
    check_divorce,
    check_marriage,
    check_notified_birth,
    check_notified_death,
)
from .effects import apply_registration
from .models import Event, EventAssignment, EventHistory, IdempotencyKey
from .schemas import (
    BirthDeclaration,
    CauseOfDeath,
    CauseOfDeathOut,
    DeathDeclaration,
    Declaration,
    DivorceDeclaration,
    EventOut,
    EventStepOut,
    MarriageDeclaration,
    NotifiedBirth,
    NotifiedDeath,
    QueueCounts,
)

KIND_OF: dict[type[Declaration], EventKind] = {
    BirthDeclaration: EventKind.BIRTH,
    DeathDeclaration: EventKind.DEATH,
    MarriageDeclaration: EventKind.MARRIAGE,
    DivorceDeclaration: EventKind.DIVORCE,
}


SCHEMA_OF = {kind: schema for schema, kind in KIND_OF.items()}
# The states with work left to do at the office, where an event can be someone's work.
ASSIGNABLE = (EventStatus.DECLARED, EventStatus.VALIDATED, EventStatus.REJECTED)


# Visible ASCII, as a header carries it: a key of nothing, or of control characters, would be a key no
# client meant to send (and an empty one would replay the first declaration ever sent with it).
_IDEMPOTENCY_KEY = re.compile("[\x21-\x7e]{1,100}")


def declare(ctx: Context, *, actor: Actor, declaration: Declaration, idempotency_key: str | None = None) -> EventOut:
    """Record a new declaration. A retried request with the same Idempotency-Key returns the first result."""
    authorize(actor, Action.DECLARE)
    if idempotency_key is not None and not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise IdempotencyKeyFormat(field="Idempotency-Key")
    kind = KIND_OF[type(declaration)]
    data = declaration.model_dump(mode="json")
    request_hash = hashlib.sha256(json.dumps([kind, data], sort_keys=True).encode()).hexdigest()
    try:
        declared = _declare_once(ctx, actor, kind, declaration, data, idempotency_key, request_hash)
    except IntegrityError:
        if idempotency_key is None:
            raise
        # A concurrent request with the same key won the race; answer as its replay.
        declared = _declare_once(ctx, actor, kind, declaration, data, idempotency_key, request_hash)
    return _shown(ctx, actor, declared)


@dataclass(frozen=True)
class DeclarationPreview:
    """What a declaration would be if submitted now: it passed every check; whether it would be late."""

    event_date: DatePair
    deadline: DatePair | None
    late: bool
    days_late: int


def preview_declaration(ctx: Context, *, actor: Actor, declaration: Declaration) -> DeclarationPreview:
    """Run every check a declaration meets when submitted, and write nothing: for a confirmation screen."""
    authorize(actor, Action.DECLARE)
    with ctx.db.snapshot(primary=True) as session:
        office = _declaring_office(session, actor, declaration.office)
        authorize(actor, Action.DECLARE, office_id=office.id)
        checked = _check(Rules(session, ctx.settings, ctx.today()), declaration, exclude=None)
    timeliness = assess_timeliness(
        KIND_OF[type(declaration)],
        event_date=checked.event_date,
        declared_on=ctx.today(),
        period_starts=checked.period_starts,
    )
    deadline = DatePair.of(timeliness.deadline) if timeliness.deadline else None
    return DeclarationPreview(DatePair.of(checked.event_date), deadline, timeliness.late, timeliness.days_late)


def check_notification(ctx: Context, notified: NotifiedBirth | NotifiedDeath) -> None:
    """Every check a facility's notification meets against the registry, writing nothing: the same facts a
    declaration of the event is checked for, named by the same fields."""
    with ctx.db.snapshot(primary=True) as session:
        rules = Rules(session, ctx.settings, ctx.today())
        if isinstance(notified, NotifiedBirth):
            check_notified_birth(rules, notified)
        else:
            check_notified_death(rules, notified)


def notified_event(kind: str, data: dict[str, Any]) -> NotifiedBirth | NotifiedDeath:
    """A stored notification's facts, read back (as `declaration_of` takes them)."""
    return NotifiedBirth.model_validate(data) if kind == EventKind.BIRTH else NotifiedDeath.model_validate(data)


def declaration_of(session: Session, notified: NotifiedBirth | NotifiedDeath) -> int | None:
    """The event a family declared (in any state) that a facility's notification is about: a birth on the
    same day, in the same county, to the same mother and of the same order; the death of the same person;
    none for a stillbirth. The notification has passed `check_notification`."""
    if isinstance(notified, NotifiedDeath):
        code = to_ascii_digits(notified.national_code.strip())
        person_id = session.scalar(select(Person.id).where(Person.national_code == code))
        death = select(Event.id).where(Event.kind == EventKind.DEATH, Event.subject_id == person_id)
        # A declaration that is going ahead before one rejected and left: the latest of either.
        going_ahead = (Event.status == EventStatus.REJECTED).asc()
        return session.scalar(death.order_by(going_ahead, Event.id.desc()).limit(1)) if person_id is not None else None
    if notified.stillborn:
        return None  # a child born dead is not declared: no birth answers its notification
    born = parse_date(notified.birth_date)  # checked already (check_notification)
    mother = to_ascii_digits(notified.mother.national_code.strip())
    same_day = select(Event).where(
        Event.kind == EventKind.BIRTH,
        Event.event_date == born,
        Event.county_code == to_ascii_digits(notified.county.strip()),
    )
    for event in session.scalars(same_day.order_by(Event.id)):
        named = to_ascii_digits(str((event.data.get("mother") or {}).get("national_code") or "").strip())
        if named == mother and int(event.data.get("birth_order") or 1) == notified.birth_order:
            return event.id
    return None


def _declare_once(
    ctx: Context,
    actor: Actor,
    kind: EventKind,
    declaration: Declaration,
    data: dict[str, Any],
    idempotency_key: str | None,
    request_hash: str,
) -> EventOut:
    with ctx.db.transaction() as session:
        if idempotency_key is not None:
            replayed = _replay(session, actor, idempotency_key, request_hash)
            if replayed is not None:
                return replayed
        office = _declaring_office(session, actor, declaration.office)
        authorize(actor, Action.DECLARE, office_id=office.id)
        checked = _check(Rules(session, ctx.settings, ctx.today()), declaration, exclude=None)
        declared_on = ctx.today()
        timeliness = assess_timeliness(
            kind, event_date=checked.event_date, declared_on=declared_on, period_starts=checked.period_starts
        )
        now = ctx.now()
        event = Event(
            kind=kind,
            status=EventStatus.DECLARED,
            office_id=office.id,
            event_date=checked.event_date,
            county_code=to_ascii_digits(declaration.county.strip()),
            declared_on=declared_on,
            deadline=timeliness.deadline,
            late=timeliness.late,
            days_late=timeliness.days_late,
            data=data,
            revision=1,
            subject_id=checked.subject_id,
            partner_id=checked.partner_id,
            declared_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(event)
        session.flush()
        _record_step(session, event, Action.DECLARE, actor, now, data=data)
        if idempotency_key is not None:
            session.add(
                IdempotencyKey(
                    user_id=actor.user_id,
                    key=idempotency_key,
                    request_hash=request_hash,
                    event_id=event.id,
                    created_at=now,
                )
            )
            session.flush()
        return event_out(session, event)


def _replay(session: Session, actor: Actor, key: str, request_hash: str) -> EventOut | None:
    stored = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == actor.user_id, IdempotencyKey.key == key)
    )
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused(field="Idempotency-Key")
    event = session.get(Event, stored.event_id)
    assert event is not None  # foreign key
    return event_out(session, event).model_copy(update={"replayed": True})


def _declaring_office(session: Session, actor: Actor, office_code: str | None) -> OfficeOut:
    if office_code:
        return office_by_code(session, office_code)
    if actor.office_id is None:
        raise OfficeRequired(field="office")
    return office_by_id(session, actor.office_id)


def _check(rules: Rules, declaration: Declaration, *, exclude: int | None) -> Checked:
    if isinstance(declaration, BirthDeclaration):
        return check_birth(rules, declaration)
    if isinstance(declaration, DeathDeclaration):
        return check_death(rules, declaration, exclude=exclude)
    if isinstance(declaration, MarriageDeclaration):
        return check_marriage(rules, declaration, exclude=exclude)
    return check_divorce(rules, declaration, exclude=exclude)


def _stored_declaration(event: Event) -> Declaration:
    declaration: Declaration = SCHEMA_OF[EventKind(event.kind)].model_validate(event.data)
    return declaration


def resubmit(ctx: Context, *, actor: Actor, event_id: int, declaration: Declaration) -> EventOut:
    """Send a rejected declaration back, corrected. The date it was first declared still counts."""
    with ctx.db.transaction() as session:
        event = _locked_event(session, event_id)
        authorize(actor, Action.RESUBMIT, office_id=event.office_id)
        _refuse_if_held_elsewhere(session, actor, event)
        kind = KIND_OF[type(declaration)]
        if kind != event.kind:
            raise EventOfOtherKind(field="kind", id=event.id, kind=event.kind, expected=kind)
        status = _next(event, Action.RESUBMIT)
        checked = _check(Rules(session, ctx.settings, ctx.today()), declaration, exclude=event.id)
        timeliness = assess_timeliness(
            kind, event_date=checked.event_date, declared_on=event.declared_on, period_starts=checked.period_starts
        )
        now = ctx.now()
        data = declaration.model_dump(mode="json")
        event.status, event.data, event.revision = status, data, event.revision + 1
        event.event_date, event.late, event.days_late = checked.event_date, timeliness.late, timeliness.days_late
        event.county_code = to_ascii_digits(declaration.county.strip())
        event.late_approved_by, event.rejection_reason = None, None
        event.subject_id, event.partner_id, event.updated_at = checked.subject_id, checked.partner_id, now
        _record_step(session, event, Action.RESUBMIT, actor, now, data=data)
        resubmitted = event_out(session, event)
    return _shown(ctx, actor, resubmitted)


def validate_event(ctx: Context, *, actor: Actor, event_id: int) -> EventOut:
    """The registrar has checked the documents; the rules are checked again against today's registry."""
    with ctx.db.transaction() as session:
        event = _locked_event(session, event_id)
        authorize(actor, Action.VALIDATE, office_id=event.office_id)
        _refuse_if_held_elsewhere(session, actor, event)
        status = _next(event, Action.VALIDATE)
        _check(Rules(session, ctx.settings, ctx.today()), _stored_declaration(event), exclude=event.id)
        moved = _move(session, event, Action.VALIDATE, status, actor, ctx.now())
    return _shown(ctx, actor, moved)


def register_event(ctx: Context, *, actor: Actor, event_id: int) -> EventOut:
    """Register a validated event and apply it to the registry."""
    with ctx.db.transaction() as session:
        event = _locked_event(session, event_id)
        authorize(actor, Action.REGISTER, office_id=event.office_id)
        _refuse_if_held_elsewhere(session, actor, event)
        status = _next(event, Action.REGISTER)
        if event.late and event.late_approved_by is None:
            raise EventLateUnapproved()
        checked = _check(Rules(session, ctx.settings, ctx.today()), _stored_declaration(event), exclude=event.id)
        now = ctx.now()
        apply_registration(ctx, session, event, checked, actor, now)
        _end_assignment(session, event)
        moved = _move(session, event, Action.REGISTER, status, actor, now)
    return _shown(ctx, actor, moved)


def reject_event(ctx: Context, *, actor: Actor, event_id: int, reason: str) -> EventOut:
    with ctx.db.transaction() as session:
        event = _locked_event(session, event_id)
        authorize(actor, Action.REJECT, office_id=event.office_id)
        _refuse_if_held_elsewhere(session, actor, event)
        status = _next(event, Action.REJECT)
        event.rejection_reason = reason
        _end_assignment(session, event)
        moved = _move(session, event, Action.REJECT, status, actor, ctx.now(), note=reason)
    return _shown(ctx, actor, moved)


def approve_late(ctx: Context, *, actor: Actor, event_id: int, note: str = "") -> EventOut:
    """The office head accepts a declaration made after the legal deadline."""
    with ctx.db.transaction() as session:
        event = _locked_event(session, event_id)
        authorize(actor, Action.APPROVE_LATE, office_id=event.office_id)
        if event.status not in LATE_APPROVAL_STATES:
            raise EventTransition(status=event.status, action=Action.APPROVE_LATE)
        if not event.late:
            raise EventNotLate()
        event.late_approved_by = actor.user_id
        moved = _move(session, event, Action.APPROVE_LATE, EventStatus(event.status), actor, ctx.now(), note=note)
    return _shown(ctx, actor, moved)


def _shown(ctx: Context, actor: Actor, event: EventOut) -> EventOut:
    """An event shown to the staff user who asked for it or took a step on it: a read of every person it
    names (the subject, the parents, the spouses, the declarant)."""
    record_reads(ctx, actor, national_codes_in([event.model_dump()]), "event")
    return event.model_copy(update={"data": seen_by(actor, event.data)})


# What a death declaration says of the cause: only for those who may read it (READ_CAUSE_OF_DEATH).
CAUSE_FIELDS = ("cause", "cause_of_death")


def seen_by(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A declaration's data as this reader may see it: without the cause of death unless they may read it."""
    if actor.may(Action.READ_CAUSE_OF_DEATH) or not any(name in data for name in CAUSE_FIELDS):
        return data
    return {name: value for name, value in data.items() if name not in CAUSE_FIELDS}


def get_event(ctx: Context, *, actor: Actor, event_id: int) -> EventOut:
    authorize(actor, Action.READ_OFFICE_WORK)
    with ctx.db.snapshot() as session:
        event = _event(session, event_id)
        authorize(actor, Action.READ_OFFICE_WORK, office_id=event.office_id)
        out = event_out(session, event)
    return _shown(ctx, actor, out)


def cause_of_death(ctx: Context, *, actor: Actor, event_id: int) -> CauseOfDeathOut:
    """The cause a death declaration states, for the roles that may read it at the office holding it."""
    authorize(actor, Action.READ_CAUSE_OF_DEATH)
    with ctx.db.snapshot() as session:
        event = _event(session, event_id)
        authorize(actor, Action.READ_CAUSE_OF_DEATH, office_id=event.office_id)
        data = event.data
        subject = event_out(session, event).subject_national_code
    record_reads(ctx, actor, [subject] if subject else [], "event")
    certificate = data.get("cause_of_death")
    return CauseOfDeathOut(
        event_id=event_id,
        cause=str(data.get("cause") or ""),
        cause_of_death=CauseOfDeath.model_validate(certificate) if certificate else None,
    )


def event_history(ctx: Context, *, actor: Actor, event_id: int) -> list[EventStepOut]:
    authorize(actor, Action.READ_OFFICE_WORK)
    with ctx.db.snapshot() as session:
        event = _event(session, event_id)
        authorize(actor, Action.READ_OFFICE_WORK, office_id=event.office_id)
        steps = list(
            session.scalars(select(EventHistory).where(EventHistory.event_id == event_id).order_by(EventHistory.id))
        )
        names = usernames(session, {step.actor_id for step in steps})
        history = [
            EventStepOut(
                action=step.action,
                status=step.status,
                revision=step.revision,
                actor=names.get(step.actor_id, "?"),
                note=step.note,
                recorded_at=step.recorded_at,
                data=None if step.data is None else seen_by(actor, step.data),
            )
            for step in steps
        ]
    record_reads(ctx, actor, national_codes_in([step.model_dump() for step in history]), "event")
    return history


def list_events(
    ctx: Context,
    *,
    actor: Actor,
    status: EventStatus | None = None,
    kind: EventKind | None = None,
    office_code: str | None = None,
    declared_since: dt.date | None = None,
    late_unapproved: bool = False,
    mine: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[EventOut]:
    """The work queue: an office's events (the actor's own office unless another is named), oldest first;
    `late_unapproved` keeps the late declarations waiting for the office head, `mine` those the actor holds."""
    authorize(actor, Action.READ_OFFICE_WORK)
    with ctx.db.snapshot() as session:
        query = select(Event).order_by(Event.created_at, Event.id).limit(limit).offset(offset)
        if office_code is not None:
            office_id = office_by_code(session, office_code).id
            authorize(actor, Action.READ_OFFICE_WORK, office_id=office_id)
            query = query.where(Event.office_id == office_id)
        elif actor.office_id is not None:
            query = query.where(Event.office_id == actor.office_id)
        if status is not None:
            query = query.where(Event.status == status)
        if kind is not None:
            query = query.where(Event.kind == kind)
        if declared_since is not None:
            query = query.where(Event.declared_on >= declared_since)
        if late_unapproved:
            query = query.where(*_WAITING_FOR_HEAD)
        if mine:
            query = query.join(EventAssignment).where(EventAssignment.user_id == actor.user_id)
        found = [event_out(session, event) for event in session.scalars(query)]
    record_reads(ctx, actor, national_codes_in([event.model_dump() for event in found]), "event")
    return [event.model_copy(update={"data": seen_by(actor, event.data)}) for event in found]


def registered_births_since(ctx: Context, *, actor: Actor, since: dt.date) -> list[tuple[int, str]]:
    """(event, national code) of each birth the actor's office registered from a declaration made since
    `since`, oldest first: what a queue is about before it shows any of them (and logs their reading)."""
    authorize(actor, Action.READ_OFFICE_WORK)
    with ctx.db.snapshot() as session:
        rows = session.execute(
            select(Event.id, Person.national_code)
            .join(Person, Person.id == Event.subject_id)
            .where(
                Event.office_id == actor.office_id,
                Event.kind == EventKind.BIRTH,
                Event.status == EventStatus.REGISTERED,
                Event.declared_on >= since,
            )
            .order_by(Event.created_at, Event.id)
        )
        return [(event_id, code) for event_id, code in rows]


# A late declaration that the office head has not accepted yet, in a state where they can.
_WAITING_FOR_HEAD = (Event.late.is_(True), Event.late_approved_by.is_(None), Event.status.in_(LATE_APPROVAL_STATES))


def queue_counts(ctx: Context, *, actor: Actor) -> QueueCounts:
    """How many events wait in each of the office's queues (the actor's own office; every office for a
    national role), and how many of them the actor holds."""
    authorize(actor, Action.READ_OFFICE_WORK)
    with ctx.db.snapshot() as session:
        at_office = (Event.office_id == actor.office_id,) if actor.office_id is not None else ()
        by_status = dict(
            session.execute(
                select(Event.status, func.count())
                .where(*at_office, Event.status.in_(ASSIGNABLE))
                .group_by(Event.status)
            ).all()
        )
        waiting_for_head = session.scalar(select(func.count()).select_from(Event).where(*at_office, *_WAITING_FOR_HEAD))
        held = session.scalar(
            select(func.count())
            .select_from(EventAssignment)
            .join(Event)
            .where(*at_office, EventAssignment.user_id == actor.user_id, Event.status.in_(ASSIGNABLE))
        )
    return QueueCounts(
        rejected=by_status.get(EventStatus.REJECTED, 0),
        declared=by_status.get(EventStatus.DECLARED, 0),
        validated=by_status.get(EventStatus.VALIDATED, 0),
        late_unapproved=waiting_for_head or 0,
        mine=held or 0,
    )


def assign_event(ctx: Context, *, actor: Actor, event_id: int) -> EventOut:
    """Take a pending event as one's own work. One held by someone else stays theirs unless the office head
    takes it: the desk shows who holds what, and the head shares the work out."""
    with ctx.db.transaction() as session:
        event, held = _hold_on(session, actor, event_id)
        if held is None:
            session.add(EventAssignment(event_id=event.id, user_id=actor.user_id, assigned_at=ctx.now()))
        elif held.user_id != actor.user_id:
            _refuse_unless_head(session, actor, held)
            held.user_id, held.assigned_at = actor.user_id, ctx.now()
        assigned = event_out(session, event)
    return _shown(ctx, actor, assigned)


def release_event(ctx: Context, *, actor: Actor, event_id: int) -> EventOut:
    """Hand an event back to the office's queue (its holder, or the office head)."""
    with ctx.db.transaction() as session:
        event, held = _hold_on(session, actor, event_id)
        if held is not None:
            if held.user_id != actor.user_id:
                _refuse_unless_head(session, actor, held)
            session.delete(held)
            session.flush()
        released = event_out(session, event)
    return _shown(ctx, actor, released)


def _hold_on(session: Session, actor: Actor, event_id: int) -> tuple[Event, EventAssignment | None]:
    """A pending event the actor may take up or hand back, locked, and who holds it now."""
    event = _locked_event(session, event_id)
    authorize(actor, Action.ASSIGN, office_id=event.office_id)
    if event.status not in ASSIGNABLE:
        raise EventTransition(status=event.status, action=Action.ASSIGN)
    return event, session.get(EventAssignment, event.id)


def _refuse_if_held_elsewhere(session: Session, actor: Actor, event: Event) -> None:
    """A step on an event a colleague has taken up is theirs to take (or the office head's)."""
    held = session.get(EventAssignment, event.id)
    if held is not None and held.user_id != actor.user_id:
        _refuse_unless_head(session, actor, held)


def _refuse_unless_head(session: Session, actor: Actor, held: EventAssignment) -> None:
    if actor.role != Role.OFFICE_HEAD:
        raise EventAssigned(holder=usernames(session, {held.user_id}).get(held.user_id, ""))


def _end_assignment(session: Session, event: Event) -> None:
    """The work is done (registered) or goes back to whoever corrects it (rejected)."""
    held = session.get(EventAssignment, event.id)
    if held is not None:
        session.delete(held)


def _event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise EventUnknown(field="event_id", id=event_id)
    return event


def _locked_event(session: Session, event_id: int) -> Event:
    # FOR UPDATE on PostgreSQL; SQLite's write transaction already holds the database lock.
    event = session.get(Event, event_id, with_for_update=True)
    if event is None:
        raise EventUnknown(field="event_id", id=event_id)
    return event


def _next(event: Event, action: Action) -> EventStatus:
    status = next_status(EventStatus(event.status), action)
    if status is None:
        raise EventTransition(status=event.status, action=action)
    return status


def _move(
    session: Session, event: Event, action: Action, status: EventStatus, actor: Actor, now: dt.datetime, note: str = ""
) -> EventOut:
    event.status, event.updated_at = status, now
    _record_step(session, event, action, actor, now, note=note)
    return event_out(session, event)


def _record_step(
    session: Session,
    event: Event,
    action: Action,
    actor: Actor,
    now: dt.datetime,
    *,
    data: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    session.add(
        EventHistory(
            event_id=event.id,
            action=action,
            status=event.status,
            revision=event.revision,
            data=data,
            note=note,
            actor_id=actor.user_id,
            recorded_at=now,
        )
    )
    session.flush()


def event_out(session: Session, event: Event) -> EventOut:
    ids = [pid for pid in (event.subject_id, event.partner_id) if pid is not None]
    named = national_codes_in([event.data])
    # One query for the persons the event is about and every person its declaration names by code.
    persons = session.execute(
        select(Person.id, Person.national_code, Person.first_name_typed, Person.last_name_typed).where(
            or_(Person.id.in_(ids), Person.national_code.in_(named))
        )
    ).all()
    codes = {person.id: person.national_code for person in persons}
    holder = session.scalar(select(EventAssignment.user_id).where(EventAssignment.event_id == event.id))
    return EventOut(
        id=event.id,
        kind=event.kind,
        status=event.status,
        office_code=office_by_id(session, event.office_id).code,
        event_date=DatePair.of(event.event_date),
        declared_on=DatePair.of(event.declared_on),
        deadline=DatePair.of(event.deadline) if event.deadline else None,
        late=event.late,
        days_late=event.days_late,
        late_approved=event.late_approved_by is not None,
        revision=event.revision,
        subject_national_code=codes.get(event.subject_id) if event.subject_id else None,
        partner_national_code=codes.get(event.partner_id) if event.partner_id else None,
        rejection_reason=event.rejection_reason,
        data=event.data,
        names={person.national_code: f"{person.first_name_typed} {person.last_name_typed}" for person in persons},
        assigned_to=usernames(session, {holder}).get(holder) if holder is not None else None,
    )


def registered_event(session: Session, *, event_id: int) -> EventOut | None:
    """A registered event, read in the caller's session; None when it does not exist or is not registered."""
    event = session.get(Event, event_id)
    return event_out(session, event) if event and event.status == EventStatus.REGISTERED else None


def registered_death(session: Session, *, national_code: str) -> EventOut | None:
    """The registered death of the person with this code (none for deaths carried over from a legacy file)."""
    event = session.scalar(
        select(Event)
        .join(Person, Person.id == Event.subject_id)
        .where(
            Person.national_code == national_code, Event.kind == EventKind.DEATH, Event.status == EventStatus.REGISTERED
        )
    )
    return event_out(session, event) if event else None
