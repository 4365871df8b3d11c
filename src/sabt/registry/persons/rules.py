"""Parsing and look-ups every check of a record shares: dates, times, names, national codes, persons, counties."""

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...config import Settings
from ...core.errors import (
    DateBeforeEvent,
    DateInFuture,
    DateTooOld,
    TimeFormat,
    refusal,
)
from ...core.jalali import DateProblem, parse_date, to_jalali
from ...core.national_code import national_code_problem, normalize_national_code
from ...core.text import name_problem, normalize_name, to_ascii_digits
from ...geo.schemas import CountyOut
from ...geo.service import require_county
from ..errors import (
    PersonDeceased,
    PersonMerged,
    PersonUnknown,
)
from .models import Person

_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


@dataclass(frozen=True)
class NameValue:
    normalized: str
    typed: str


def national_code_of(session: Session, person_id: int | None) -> str | None:
    """The national code of the person with this row id (None for no one)."""
    if person_id is None:
        return None
    return session.scalar(select(Person.national_code).where(Person.id == person_id))


def refuse_merged(session: Session, *, code: str, merged_into_id: int | None, field: str) -> None:
    """A record merged into another as its duplicate takes no new records: the one it joined does."""
    if merged_into_id is not None:
        raise PersonMerged(field=field, code=code, into=national_code_of(session, merged_into_id))


class Rules:
    """Parsing and look-ups shared by the checks, bound to a session and the registry's day."""

    def __init__(self, session: Session, settings: Settings, today: dt.date) -> None:
        self.session = session
        self.settings = settings
        self.today = today
        self.earliest = dt.date.fromisoformat(settings.earliest_date)

    def date(self, text: str, *, field: str) -> dt.date:
        try:
            day = parse_date(text)
        except DateProblem as problem:
            raise refusal(f"date.{problem.reason}", field=field) from None
        if day > self.today:
            raise DateInFuture(field=field)
        if day < self.earliest:
            raise DateTooOld(field=field, limit=to_jalali(self.earliest))
        return day

    def optional_date(self, text: str | None, *, field: str, not_before: dt.date) -> dt.date | None:
        if text is None:
            return None
        day = self.date(text, field=field)
        if day < not_before:
            raise DateBeforeEvent(field=field)
        return day

    @staticmethod
    def time(text: str | None, *, field: str) -> str | None:
        if text is None:
            return None
        cleaned = to_ascii_digits(text).strip()
        if not _TIME.match(cleaned):
            raise TimeFormat(field=field)
        return cleaned

    @staticmethod
    def name(text: str | None, *, field: str) -> NameValue:
        problem = name_problem(text or "")
        if problem:
            raise refusal(f"name.{problem}", field=field)
        return NameValue(normalize_name(text or ""), (text or "").strip())

    @staticmethod
    def code(text: str, *, field: str) -> str:
        code = normalize_national_code(text)
        problem = national_code_problem(code)
        if problem:
            raise refusal(f"national_code.{problem}", field=field)
        return code

    def person(self, text: str, *, field: str) -> Person:
        code = self.code(text, field=field)
        person = self.session.scalar(select(Person).where(Person.national_code == code))
        if person is None:
            raise PersonUnknown(field=field, code=code)
        refuse_merged(self.session, code=code, merged_into_id=person.merged_into_id, field=field)
        return person

    def living_person(self, text: str, *, field: str) -> Person:
        person = self.person(text, field=field)
        if person.died_on is not None:
            raise PersonDeceased(field=field, code=person.national_code)
        return person

    def county(self, code: str, *, field: str = "county") -> CountyOut:
        return require_county(self.session, code, field=field)
