"""What the registry tells duplicate and fraud detection about events: the births registered late, the
birth an event declares and the births declared but not yet registered, as the check before registration
compares them."""

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ...core.text import normalize_name
from ...geo.service import office_by_id
from ..persons.models import Person
from .checks import PENDING
from .models import Event
from .schemas import BirthFacts, DeclaredBirthOut

# A duplicate declaration is usually of the same day; a wrong day typed on one of them, a few weeks off.
PENDING_WINDOW = dt.timedelta(days=45)
PENDING_CANDIDATES = 200


def late_births(connection: Connection) -> Iterator[Any]:
    """(event id, child id, born, declared on, declaration) of registered births declared late."""
    events = Event.__table__
    query = select(events.c.id, events.c.subject_id, events.c.event_date, events.c.declared_on, events.c.data).where(
        events.c.kind == "birth", events.c.status == "registered", events.c.late.is_(True)
    )
    yield from connection.execute(query.execution_options(yield_per=5_000))


def declared_birth(session: Session, event_id: int) -> BirthFacts | None:
    """The birth an event declares, or None when the event is not a birth."""
    event = session.get(Event, event_id)
    if event is None or event.kind != "birth":
        return None
    return _birth_facts(session, event)


def pending_births_near(session: Session, *, born: dt.date, excluding: int) -> list[BirthFacts]:
    """Births declared and neither registered nor rejected yet, born within `PENDING_WINDOW` of `born`: a
    second declaration of one child is found before either is registered. Pending declarations are an
    office's days of work, so a window on the indexed birth date (`ix_events_statistics`) finds them all
    and the model tells which are the same child."""
    query = (
        select(Event)
        .where(
            Event.kind == "birth",
            Event.status.in_(PENDING),
            Event.event_date.between(born - PENDING_WINDOW, born + PENDING_WINDOW),
            Event.id != excluding,
        )
        .order_by(Event.id)
        .limit(PENDING_CANDIDATES)
    )
    return [_birth_facts(session, event) for event in session.scalars(query)]


def declared_birth_briefs(session: Session, event_ids: Sequence[int]) -> dict[int, DeclaredBirthOut]:
    """The births these events declare, as a warning of a duplicate shows them: names as typed."""
    events = session.scalars(select(Event).where(Event.id.in_(event_ids)))
    briefs = {}
    for event in events:
        office = office_by_id(session, event.office_id)
        data = event.data
        briefs[event.id] = DeclaredBirthOut(
            event_id=event.id,
            status=event.status,
            office_code=office.code,
            office_name=office.name_fa,
            declared_on=event.declared_on,
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            sex=data.get("sex", ""),
            birth_date=event.event_date,
            father_first_name=(data.get("father") or {}).get("first_name") or "",
            mother_first_name=(data.get("mother") or {}).get("first_name") or "",
            mother_last_name=(data.get("mother") or {}).get("last_name") or "",
        )
    return briefs


def _birth_facts(session: Session, event: Event) -> BirthFacts:
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
