"""What the registry tells duplicate and fraud detection about events: the births registered late and the
birth an event declares, as a check before registration compares it."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ...core.text import normalize_name
from ..persons.models import Person
from .models import Event


def late_births(connection: Connection) -> Iterator[Any]:
    """(event id, child id, born, declared on, declaration) of registered births declared late."""
    events = Event.__table__
    query = select(events.c.id, events.c.subject_id, events.c.event_date, events.c.declared_on, events.c.data).where(
        events.c.kind == "birth", events.c.status == "registered", events.c.late.is_(True)
    )
    yield from connection.execute(query.execution_options(yield_per=5_000))


@dataclass(frozen=True)
class BirthFacts:
    """A declared birth as linkage compares it: names normalized, the parents found by code when given."""

    event_id: int
    subject_id: int | None  # the person it created, once registered
    office_id: int
    first_name: str
    last_name: str
    sex: str
    born: dt.date
    county: str
    father_first_name: str
    mother_first_name: str
    mother_last_name: str
    father_id: int | None
    mother_id: int | None
    father_code: str | None
    mother_code: str | None


def declared_birth(session: Session, event_id: int) -> BirthFacts | None:
    """The birth an event declares, or None when the event is not a birth."""
    event = session.get(Event, event_id)
    if event is None or event.kind != "birth":
        return None
    data = event.data
    father, mother = (_parent(session, data.get(role) or {}) for role in ("father", "mother"))
    return BirthFacts(
        event_id=event.id,
        subject_id=event.subject_id,
        office_id=event.office_id,
        first_name=normalize_name(data.get("first_name", "")),
        last_name=normalize_name(data.get("last_name", "")),
        sex=data.get("sex", ""),
        born=event.event_date,
        county=data.get("county", ""),
        father_first_name=father[1],
        mother_first_name=mother[1],
        mother_last_name=mother[2],
        father_id=father[0],
        mother_id=mother[0],
        father_code=father[3],
        mother_code=mother[3],
    )


def _parent(session: Session, ref: dict[str, Any]) -> tuple[int | None, str, str, str | None]:
    """(id, first name, last name, code) of a parent named by code or by name."""
    code = ref.get("national_code")
    if code:
        person = session.scalar(select(Person).where(Person.national_code == code))
        if person is not None:
            return person.id, person.first_name, person.last_name, person.national_code
    return None, normalize_name(ref.get("first_name") or ""), normalize_name(ref.get("last_name") or ""), code
