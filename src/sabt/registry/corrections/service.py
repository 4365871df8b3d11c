"""Correcting a person's record, and who may: the offices that hold the record.

A correction is a new revision of the record with the reason, read back like any other; the features that
keep documents about the person react in the same transaction.
"""

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...access.service import record_reads
from ...config import Settings
from ...context import Context
from ...core.errors import DateBeforeBirth, Forbidden, Unauthorized
from ...core.permissions import Action, Actor, authorize
from ...core.text import normalize_name
from ...geo.service import offices_in_county, offices_in_province_of
from ..errors import PersonNoCorrection
from ..events.models import Event
from ..persons.models import Person
from ..persons.rules import Rules
from ..persons.schemas import (
    PersonOut,
)
from ..persons.service import (
    person_by_code,
    person_out,
    record_person_revision,
)
from .schemas import CorrectedPersonOut, PersonCorrection, ReissueOut


def correct_person(
    ctx: Context, *, actor: Actor, national_code: str, correction: PersonCorrection
) -> CorrectedPersonOut:
    """Correct a person's record. In the same transaction the features that keep documents about the person
    react: the certificates whose facts changed are superseded by new ones, listed in the answer."""
    authorize(actor, Action.CORRECT)
    with ctx.db.transaction() as session:
        now = ctx.now()
        person = apply_correction(
            session,
            settings=ctx.settings,
            actor=actor,
            national_code=national_code,
            correction=correction,
            now=now,
            today=ctx.today(),
        )
        notice = {"national_code": person.national_code, "reason": correction.reason}
        reissued = [
            ReissueOut.model_validate(change)
            for react in ctx.reactions.get("person.corrected", ())
            for change in react(ctx, session, notice, actor, now) or ()
        ]
        corrected = CorrectedPersonOut(**person.model_dump(), reissued_certificates=reissued)
    record_reads(ctx, actor, [corrected.national_code], "record")
    return corrected


def apply_correction(
    session: Session,
    *,
    settings: Settings,
    actor: Actor,
    national_code: str,
    correction: PersonCorrection,
    now: dt.datetime,
    today: dt.date,
) -> PersonOut:
    """Apply a correction approved by the office head as a new revision of the person's record, inside the
    caller's transaction."""
    authorize(actor, Action.CORRECT)
    person = person_by_code(session, national_code)
    authorize(actor, Action.CORRECT, held_by=holding_offices(session, person))
    changes = _corrected_values(Rules(session, settings, today), person, correction)
    changes = {key: value for key, value in changes.items() if getattr(person, key) != value}
    if not changes:
        raise PersonNoCorrection(field="reason")
    for key, value in changes.items():
        setattr(person, key, value)
    person.revision, person.updated_at = person.revision + 1, now
    record_person_revision(session, person, reason=correction.reason, actor=actor, event_id=None, at=now)
    return person_out(session, person)


def holding_offices(session: Session, person: Person) -> frozenset[int]:
    """The offices that keep a person's record: the one that registered their birth or, for a person
    registered without a declaration (an imported register), every office of the county they were born in,
    else of their province; none when their province has no office (national roles only act on it)."""
    registered_by = session.scalar(
        select(Event.office_id).where(
            Event.kind == "birth", Event.status == "registered", Event.subject_id == person.id
        )
    )
    if registered_by is not None:
        return frozenset({registered_by})
    return offices_in_county(session, person.birth_county_code) or offices_in_province_of(
        session, person.birth_county_code
    )


def may_act_on(ctx: Context, *, actor: Actor, national_code: str, action: Action) -> bool:
    """Whether the permission table lets `actor` take `action` on this person's record, so that a page
    offers only what it allows (a step-up still to be asked for counts as allowed)."""
    with ctx.db.snapshot() as session:
        held_by = holding_offices(session, person_by_code(session, national_code))
    try:
        authorize(actor, action, held_by=held_by)
    except Forbidden:
        return False
    except Unauthorized:
        return True
    return True


def offices_holding(session: Session, national_code: str) -> frozenset[int]:
    return holding_offices(session, person_by_code(session, national_code))


def _corrected_values(rules: Rules, person: Person, correction: PersonCorrection) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in ("first_name", "last_name"):
        text = getattr(correction, field)
        if text is not None:
            name = rules.name(text, field=field)
            values[field], values[f"{field}_typed"] = name.normalized, name.typed
    for field in ("father_first_name", "father_last_name", "mother_first_name", "mother_last_name"):
        text = getattr(correction, field)
        if text is not None:
            values[field] = rules.name(text, field=field).normalized
    if correction.sex is not None:
        values["sex"] = correction.sex
    if correction.birth_date is not None:
        born = rules.date(correction.birth_date, field="birth_date")
        if person.died_on is not None and born > person.died_on:
            raise DateBeforeBirth(field="birth_date", birth_date=correction.birth_date)
        values["birth_date"] = born
    if correction.birth_time is not None:
        values["birth_time"] = rules.time(correction.birth_time, field="birth_time")
    if correction.county is not None:
        values["birth_county_code"] = rules.county(correction.county).code
    if correction.place is not None:
        values["birth_place"] = normalize_name(correction.place)
    return values
