"""What registering an event does to the registry: a birth creates a person with a new national code, a
death marks the person deceased and ends their marriages, a marriage links two persons, a divorce ends
their marriage. Each change is recorded in the person's revisions and in the ledger."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...context import Context
from ...core.permissions import Actor
from ...core.workflow import EventKind
from ...geo.schemas import OfficeOut
from ...geo.service import office_by_id
from ...metrics import count_registration_when_committed
from ...outbox.service import enqueue
from ..national_codes.service import issue_national_code
from ..persons.models import Marriage, Person
from ..persons.service import record_person_revision
from .checks import Checked, CheckedBirth, CheckedCouple, CheckedDeath
from .models import Event

Notice = tuple[str, dict[str, str]]  # its kind, and who it is about by national code


def apply_registration(
    ctx: Context, session: Session, event: Event, checked: Checked, actor: Actor, now: dt.datetime
) -> None:
    """Make a registered event true in the registry, with its ledger leaves, in the caller's transaction;
    then tell subscribed partners (through the outbox) and the features that react to it (now, in it)."""
    office = office_by_id(session, event.office_id)
    if isinstance(checked, CheckedBirth):
        kind, codes = _apply_birth(session, event, office, checked, actor, now)
    elif isinstance(checked, CheckedDeath):
        kind, codes = _apply_death(session, event, checked, actor, now)
    else:
        kind, codes = _apply_couple(session, event, checked)
    # The least a subscribed agency needs to act: who (by code), what, when; never names or places.
    payload = {"event_id": event.id, "date": event.event_date.isoformat(), **codes}
    enqueue(session, kind=kind, payload=payload, at=now)
    count_registration_when_committed(session, office=office.code, kind=kind)
    for react in ctx.reactions.get(kind, ()):
        react(ctx, session, payload, actor, now)


def _apply_birth(
    session: Session, event: Event, office: OfficeOut, birth: CheckedBirth, actor: Actor, now: dt.datetime
) -> Notice:
    code = issue_national_code(session, prefix=office.national_code_prefix, at=now)
    person = _new_person(birth, code.code, now)
    session.add(person)
    session.flush()
    event.subject_id = person.id
    record_person_revision(session, person, reason="birth registered", actor=actor, event_id=event.id, at=now)
    return "birth.registered", {"national_code": person.national_code}


def _apply_death(session: Session, event: Event, death: CheckedDeath, actor: Actor, now: dt.datetime) -> Notice:
    person = death.person
    person.died_on, person.revision, person.updated_at = death.event_date, person.revision + 1, now
    spouse = (Marriage.husband_id == person.id) | (Marriage.wife_id == person.id)
    for marriage in session.scalars(select(Marriage).where(spouse, Marriage.ended_on.is_(None))):
        marriage.ended_on, marriage.end_reason = death.event_date, "death"
    record_person_revision(session, person, reason="death registered", actor=actor, event_id=event.id, at=now)
    return "death.registered", {"national_code": person.national_code}


def _apply_couple(session: Session, event: Event, couple: CheckedCouple) -> Notice:
    if event.kind == EventKind.MARRIAGE:
        marriage = Marriage(
            husband_id=couple.husband.id,
            wife_id=couple.wife.id,
            married_on=couple.event_date,
            marriage_event_id=event.id,
        )
        session.add(marriage)
        session.flush()
        return "marriage.registered", {"husband": couple.husband.national_code, "wife": couple.wife.national_code}
    assert couple.marriage is not None  # check_divorce found it
    marriage = couple.marriage
    marriage.ended_on, marriage.end_reason, marriage.divorce_event_id = couple.event_date, "divorce", event.id
    return "divorce.registered", {"husband": couple.husband.national_code, "wife": couple.wife.national_code}


def _new_person(birth: CheckedBirth, national_code: str, now: dt.datetime) -> Person:
    return Person(
        national_code=national_code,
        first_name=birth.first_name.normalized,
        first_name_typed=birth.first_name.typed,
        last_name=birth.last_name.normalized,
        last_name_typed=birth.last_name.typed,
        sex=birth.sex,
        birth_date=birth.event_date,
        birth_time=birth.birth_time,
        birth_county_code=birth.county.code,
        birth_place=birth.place,
        birth_order=birth.birth_order,
        father_id=birth.father.person_id,
        father_first_name=birth.father.first_name.normalized,
        father_last_name=birth.father.last_name.normalized,
        mother_id=birth.mother.person_id,
        mother_first_name=birth.mother.first_name.normalized,
        mother_last_name=birth.mother.last_name.normalized,
        died_on=None,
        revision=1,
        created_at=now,
        updated_at=now,
    )
