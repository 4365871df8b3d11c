"""The registry's changes as ledger leaves, and its records read back for the audit."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.workflow import Actor
from ..ledger.service import Change, append
from .models import Event, IssuedNationalCode, Marriage, Person
from .records import code_content, event_content, marriage_content, person_content


def log_event(session: Session, event: Event, kind: str, actor: Actor, at: dt.datetime) -> None:
    append(session, [Change(f"event.{kind}", "event", str(event.id), event.revision, actor.user_id,
                            event_content(event))], at=at)  # fmt: skip


def log_person(session: Session, person: Person, kind: str, actor: Actor, at: dt.datetime) -> None:
    append(session, [Change(f"person.{kind}", "person", str(person.id), person.revision, actor.user_id,
                            person_content(person))], at=at)  # fmt: skip


def log_marriage(session: Session, marriage: Marriage, kind: str, actor: Actor, at: dt.datetime) -> None:
    append(session, [Change(f"marriage.{kind}", "marriage", str(marriage.id), 1, actor.user_id,
                            marriage_content(marriage))], at=at)  # fmt: skip


def log_code(session: Session, code: IssuedNationalCode, actor: Actor | None, at: dt.datetime) -> None:
    append(session, [Change(f"national_code.{code.source}", "national_code", code.code, 1,
                            actor.user_id if actor else None, code_content(code))], at=at)  # fmt: skip


class _Records:
    def __init__(self, record_type: str, model: Any, content: Any, key: Any) -> None:
        self.record_type, self.model, self.content, self.key = record_type, model, content, key

    def current(self, session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
        for row in session.scalars(select(self.model).execution_options(yield_per=10_000)):
            yield str(self.key(row)), self.content(row)


RECORD_SOURCES = (
    _Records("person", Person, person_content, lambda row: row.id),
    _Records("event", Event, event_content, lambda row: row.id),
    _Records("marriage", Marriage, marriage_content, lambda row: row.id),
    _Records("national_code", IssuedNationalCode, code_content, lambda row: row.code),
)
