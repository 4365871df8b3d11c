"""Use cases for persons: look up, search, read the history, and the revision every change of a record adds.

A change never overwrites silently: it raises the person's revision and stores a full snapshot with the
reason and the actor, so every earlier version can be read back.
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from ...access.service import national_codes_in, record_reads
from ...accounts.service import usernames
from ...context import Context
from ...core.jalali import year_span
from ...core.permissions import Action, Actor, authorize, own_national_code
from ...core.text import normalize_name
from ...geo.service import require_county
from ..errors import PersonUnknown
from .models import Marriage, Person, PersonRevision
from .records import snapshot
from .rules import Rules, national_code_of, refuse_merged
from .schemas import (
    ChildOut,
    DatePair,
    IdentityFacts,
    MarriageOut,
    ParentOut,
    PersonBasics,
    PersonOut,
    PersonRevisionOut,
    PersonSummary,
)


def record_person_revision(
    session: Session, person: Person, *, reason: str, actor: Actor, event_id: int | None, at: dt.datetime
) -> None:
    session.add(
        PersonRevision(
            person_id=person.id,
            revision=person.revision,
            snapshot=snapshot(person),
            reason=reason,
            actor_id=actor.user_id,
            event_id=event_id,
            recorded_at=at,
        )
    )
    session.flush()


def get_person(ctx: Context, *, actor: Actor, national_code: str, purpose: str = "") -> PersonOut:
    authorize(actor, Action.READ)
    with ctx.db.snapshot() as session:
        record = person_out(session, person_by_code(session, national_code))
    # The record shows its relatives too (parents, spouses, children), each by name and code.
    record_reads(ctx, actor, national_codes_in([record.model_dump()]), "record", purpose=purpose)
    return record


def own_record(ctx: Context, *, actor: Actor) -> PersonOut:
    """A citizen's own record."""
    code = own_national_code(actor)
    with ctx.db.snapshot() as session:
        return person_out(session, person_by_code(session, code))


def person_by_code(session: Session, text: str) -> Person:
    code = Rules.code(text, field="national_code")
    person = session.scalar(select(Person).where(Person.national_code == code))
    if person is None:
        raise PersonUnknown(field="national_code", code=code)
    return person


def search_persons(
    ctx: Context,
    *,
    actor: Actor,
    name: str | None = None,
    last_name: str | None = None,
    birth_year: int | None = None,
    father_name: str | None = None,
    limit: int = 50,
    purpose: str = "",
) -> list[PersonSummary]:
    """Persons whose normalized first name and/or surname match, narrowed by birth year (Jalali or
    Gregorian) and father's name."""
    authorize(actor, Action.READ)
    query = select(Person).order_by(Person.last_name, Person.first_name, Person.id)
    for text, column in (
        (name, Person.first_name),
        (last_name, Person.last_name),
        (father_name, Person.father_first_name),
    ):
        if text:
            query = query.where(column == normalize_name(text))
    if birth_year is not None:
        first, last = year_span(birth_year)
        query = query.where(Person.birth_date.between(first, last))
    with ctx.db.snapshot() as session:
        found = [
            PersonSummary(
                national_code=row.national_code,
                first_name=row.first_name,
                last_name=row.last_name,
                sex=row.sex,
                birth_date=DatePair.of(row.birth_date),
                father_first_name=row.father_first_name,
                alive=row.died_on is None,
            )
            for row in session.scalars(query.limit(limit))
        ]
    record_reads(ctx, actor, [person.national_code for person in found], "search", purpose=purpose)
    return found


def person_history(ctx: Context, *, actor: Actor, national_code: str) -> list[PersonRevisionOut]:
    authorize(actor, Action.READ)
    with ctx.db.snapshot() as session:
        person = person_by_code(session, national_code)
        code = person.national_code
        revisions = list(
            session.scalars(
                select(PersonRevision).where(PersonRevision.person_id == person.id).order_by(PersonRevision.revision)
            )
        )
        names = usernames(session, {revision.actor_id for revision in revisions})
        history = [
            PersonRevisionOut(
                revision=r.revision,
                reason=r.reason,
                actor=names.get(r.actor_id, "?"),
                recorded_at=r.recorded_at,
                event_id=r.event_id,
                snapshot=r.snapshot,
            )
            for r in revisions
        ]
    record_reads(ctx, actor, [code], "history")
    return history


def person_record(session: Session, national_code: str) -> PersonOut:
    """The record of the person with this national code, read in the caller's session."""
    return person_out(session, person_by_code(session, national_code))


def person_out(session: Session, person: Person) -> PersonOut:
    county = require_county(session, person.birth_county_code, field="birth_county_code")
    return PersonOut(
        national_code=person.national_code,
        first_name=person.first_name,
        last_name=person.last_name,
        first_name_typed=person.first_name_typed,
        last_name_typed=person.last_name_typed,
        sex=person.sex,
        birth_date=DatePair.of(person.birth_date),
        birth_time=person.birth_time,
        birth_county_code=county.code,
        birth_county_name_fa=county.name_fa,
        birth_province_code=county.province_code,
        birth_place=person.birth_place,
        birth_order=person.birth_order,
        father=_parent_out(session, person.father_id, person.father_first_name, person.father_last_name),
        mother=_parent_out(session, person.mother_id, person.mother_first_name, person.mother_last_name),
        alive=person.died_on is None,
        died_on=DatePair.of(person.died_on) if person.died_on else None,
        marriages=_marriages_of(session, person),
        children=_children_of(session, person),
        revision=person.revision,
        merged_into=national_code_of(session, person.merged_into_id),
    )


def _parent_out(session: Session, parent_id: int | None, first_name: str, last_name: str) -> ParentOut:
    return ParentOut(national_code=national_code_of(session, parent_id), first_name=first_name, last_name=last_name)


def _marriages_of(session: Session, person: Person) -> list[MarriageOut]:
    spouse = aliased(Person)
    own, other = (
        (Marriage.husband_id, Marriage.wife_id) if person.sex == "male" else (Marriage.wife_id, Marriage.husband_id)
    )
    rows = session.execute(
        select(Marriage, spouse).join(spouse, spouse.id == other).where(own == person.id).order_by(Marriage.married_on)
    ).all()
    return [
        MarriageOut(
            spouse_national_code=wife_or_husband.national_code,
            spouse_name=f"{wife_or_husband.first_name} {wife_or_husband.last_name}",
            married_on=DatePair.of(marriage.married_on),
            ended_on=DatePair.of(marriage.ended_on) if marriage.ended_on else None,
            end_reason=marriage.end_reason,
            marriage_event_id=marriage.marriage_event_id,
            divorce_event_id=marriage.divorce_event_id,
        )
        for marriage, wife_or_husband in rows
    ]


def _children_of(session: Session, person: Person) -> list[ChildOut]:
    column = Person.father_id if person.sex == "male" else Person.mother_id
    children = session.scalars(select(Person).where(column == person.id).order_by(Person.birth_date, Person.id))
    return [
        ChildOut(
            national_code=child.national_code,
            first_name=child.first_name,
            last_name=child.last_name,
            birth_date=DatePair.of(child.birth_date),
        )
        for child in children
    ]


def living_born_by(
    session: Session, *, born_on_or_before: dt.date, alive_on: dt.date, province: str | None
) -> Iterator[tuple[str, str, str, str, dt.date, str, dt.date | None]]:
    """Persons born on or before a day and not dead by another, ordered by county code (whose first two
    digits are the province's) and national code: code, surname, first name, father's first name, birth
    date, birth county, death date. Streamed, for rolls of tens of millions."""
    query = (
        select(
            Person.national_code,
            Person.last_name,
            Person.first_name,
            Person.father_first_name,
            Person.birth_date,
            Person.birth_county_code,
            Person.died_on,
        )
        .where(Person.birth_date <= born_on_or_before, or_(Person.died_on.is_(None), Person.died_on > alive_on))
        .order_by(Person.birth_county_code, Person.national_code)
        .execution_options(yield_per=20_000)
    )
    if province is not None:
        query = query.where(Person.birth_county_code.startswith(province))
    for row in session.execute(query):
        yield tuple(row)  # type: ignore[misc]


_PERSONS = Person.__table__.c


# The few facts an identity check compares, of whoever has the national code bound as `code`; built once,
# on the table's columns, as a subquery: a partner's check joins it to the look-up of its key, so that the
# whole check is one indexed statement. A record retired as a duplicate is nobody.
IDENTITY_FACTS = (
    select(_PERSONS.first_name, _PERSONS.last_name, _PERSONS.birth_date, _PERSONS.father_first_name, _PERSONS.died_on)
    .where(_PERSONS.national_code == bindparam("code"), _PERSONS.merged_into_id.is_(None))
    .subquery("identity_facts")
)


def identity_facts(db: Connection | Session, national_code: str) -> IdentityFacts | None:
    """The facts an identity check compares; None when nobody has the code."""
    row = db.execute(select(IDENTITY_FACTS), {"code": national_code}).first()
    return identity_facts_in(row) if row else None


def identity_facts_in(row: Row[Any]) -> IdentityFacts | None:
    """The facts in a row of a statement that outer-joined IDENTITY_FACTS; None when nobody has the code."""
    if row.birth_date is None:  # every person has one
        return None
    return IdentityFacts(row.first_name, row.last_name, row.birth_date, row.father_first_name, row.died_on)


def person_basics(session: Session, national_code: str, *, lock: bool = False) -> PersonBasics:
    """The person with a (parsed, valid) code, or NotFound; `lock` holds their row to the transaction's end,
    so two offices acting on one person queue. A record merged into another as its duplicate takes no new
    records: the one it was merged into does."""
    query = select(
        Person.id,
        Person.national_code,
        Person.birth_date,
        Person.birth_county_code,
        Person.died_on,
        Person.merged_into_id,
    ).where(Person.national_code == national_code)
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise PersonUnknown(field="national_code", code=national_code)
    refuse_merged(session, code=national_code, merged_into_id=row.merged_into_id, field="national_code")
    return PersonBasics(*row[:5])


def count_living_on_days(
    session: Session, *, days: Sequence[tuple[dt.date, dt.date]], province: str | None = None
) -> dict[str, list[int]]:
    """For each (born on or before, alive on) pair, how many persons there are, by county of birth, in one
    pass over the persons (a table of tens of millions is read once, not once per day)."""
    if not days:
        return {}
    alive = [or_(Person.died_on.is_(None), Person.died_on > alive_on) for _, alive_on in days]
    sums = [
        func.sum(case((and_(Person.birth_date <= born_by, living), 1), else_=0))
        for (born_by, _), living in zip(days, alive, strict=True)
    ]
    query = select(Person.birth_county_code, *sums).where(Person.birth_date <= max(born for born, _ in days))
    if province is not None:
        query = query.where(Person.birth_county_code.startswith(province))
    rows = session.execute(query.group_by(Person.birth_county_code))
    return {county: [int(n or 0) for n in counts] for county, *counts in rows}
