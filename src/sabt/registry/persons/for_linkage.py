"""What the registry tells duplicate and fraud detection about persons: persons as linkage reads them, the
candidates for a new birth, the records the rules look at, and the merge of a duplicate into the record
that stays.
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, func, select
from sqlalchemy.orm import Session

from ...core.linkage import slipped_birth_dates
from ...core.permissions import Actor
from .models import Person
from .schemas import PersonBrief
from .service import record_person_revision

_person = Person.__table__


_father, _mother = _person.alias("father"), _person.alias("mother")


LINKAGE_COLUMNS = (
    _person.c.id,
    _person.c.first_name,
    _person.c.last_name,
    _person.c.sex,
    _person.c.birth_date,
    _person.c.birth_county_code,
    _person.c.father_first_name,
    _person.c.mother_first_name,
    _person.c.mother_last_name,
    _father.c.national_code,
    _mother.c.national_code,
)


CANDIDATES_PER_RULE = 50


def _linkage_select() -> Any:
    return (
        select(*LINKAGE_COLUMNS)
        .outerjoin(_father, _father.c.id == _person.c.father_id)
        .outerjoin(_mother, _mother.c.id == _person.c.mother_id)
        .where(_person.c.merged_into_id.is_(None))
    )


def persons_for_linkage(connection: Connection) -> Iterator[Any]:
    """Every person not merged into another, with the parents' codes."""
    yield from connection.execute(_linkage_select().execution_options(yield_per=20_000))


def candidates_for_birth(
    session: Session,
    *,
    first_name: str,
    last_name: str,
    born: dt.date,
    county: str,
    mother_first_name: str,
    parent_ids: Sequence[int],
) -> list[Row[Any]]:
    """Persons a new birth could duplicate, found by the model's blocking keys on indexed columns: the same
    birth day, the same full name within a year, the same mother or father, the same surname and mother, and
    the same surname on the day or a day a slip would write instead (a first name written otherwise)."""
    year = dt.timedelta(days=366)
    rules = [
        and_(_person.c.birth_date == born, _person.c.birth_county_code == county),
        and_(_person.c.last_name == last_name, _person.c.birth_date.in_([born, *sorted(slipped_birth_dates(born))])),
        and_(
            _person.c.first_name == first_name,
            _person.c.last_name == last_name,
            _person.c.birth_date.between(born - year, born + year),
        ),
        and_(
            _person.c.last_name == last_name,
            _person.c.mother_first_name == mother_first_name,
            _person.c.birth_date.between(born - year, born + year),
        ),
    ]
    if parent_ids:
        rules += [_person.c.mother_id.in_(parent_ids), _person.c.father_id.in_(parent_ids)]
    found: dict[int, Row[Any]] = {}
    for rule in rules:  # one query per rule, so each uses its own index
        for row in session.execute(_linkage_select().where(rule).limit(CANDIDATES_PER_RULE)):
            found[row[0]] = row
    return list(found.values())


def name_frequencies(
    session: Session, *, first_names: set[str], last_names: set[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """How common each first name and surname is among persons (the model's term frequencies), in one
    indexed count per column; a name nobody has counts as one."""
    total = max(session.scalar(select(func.max(_person.c.id))) or 1, 1)

    def shares(column: Any, names: set[str]) -> dict[str, float]:
        counts: dict[str, int] = dict(
            session.execute(select(column, func.count()).where(column.in_(names)).group_by(column)).all()
        )
        return {name: max(counts.get(name, 0), 1) / total for name in names}

    return shares(_person.c.first_name, first_names), shares(_person.c.last_name, last_names)


def births_after_mothers_death(connection: Connection) -> Iterator[Any]:
    """(child id, mother id, born, mother died) for every child born after its mother's death."""
    query = (
        select(_person.c.id, _mother.c.id, _person.c.birth_date, _mother.c.died_on)
        .join(_mother, _mother.c.id == _person.c.mother_id)
        .where(_mother.c.died_on.is_not(None), _person.c.birth_date > _mother.c.died_on)
    )
    yield from connection.execute(query)


def births_by_mother(connection: Connection) -> Iterator[Any]:
    """(mother id, child id, born, mother born) for every child with a known mother, by mother and day."""
    query = (
        select(_person.c.mother_id, _person.c.id, _person.c.birth_date, _mother.c.birth_date)
        .join(_mother, _mother.c.id == _person.c.mother_id)
        .where(_person.c.merged_into_id.is_(None))
        .order_by(_person.c.mother_id, _person.c.birth_date)
    )
    yield from connection.execute(query.execution_options(yield_per=20_000))


def living_born_before(connection: Connection, day: dt.date) -> Iterator[Any]:
    """(id, born) of persons alive in the registry and born before `day`."""
    query = select(_person.c.id, _person.c.birth_date).where(
        _person.c.birth_date < day, _person.c.died_on.is_(None), _person.c.merged_into_id.is_(None)
    )
    yield from connection.execute(query)


def person_briefs(session: Session, ids: Sequence[int]) -> dict[int, PersonBrief]:
    """The persons with these row ids, as a duplicate's review shows them."""
    persons = list(session.scalars(select(Person).where(Person.id.in_(ids))))
    merged_into = {person.merged_into_id for person in persons if person.merged_into_id is not None}
    merged = session.execute(select(Person.id, Person.national_code).where(Person.id.in_(merged_into)))
    codes = {person_id: code for person_id, code in merged}
    return {
        person.id: PersonBrief(
            id=person.id,
            national_code=person.national_code,
            first_name=person.first_name,
            last_name=person.last_name,
            sex=person.sex,
            birth_date=person.birth_date,
            birth_county_code=person.birth_county_code,
            father_first_name=person.father_first_name,
            mother_first_name=person.mother_first_name,
            mother_last_name=person.mother_last_name,
            died_on=person.died_on,
            merged_into=codes.get(person.merged_into_id) if person.merged_into_id else None,
        )
        for person in persons
    }


def merge_person(
    session: Session, *, retired_id: int, kept_id: int, reason: str, actor: Actor, now: dt.datetime
) -> None:
    """Mark the person `retired_id` as a duplicate of `kept_id`. Both records, their revisions and their
    events stay as they are; the retired one gains a revision saying where it went, and the ledger records
    the step."""
    retired = session.get_one(Person, retired_id, with_for_update=True)
    retired.merged_into_id, retired.revision, retired.updated_at = kept_id, retired.revision + 1, now
    record_person_revision(session, retired, reason=reason, actor=actor, event_id=None, at=now)
