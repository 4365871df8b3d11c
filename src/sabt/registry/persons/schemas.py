"""A person's record as the registry answers it, and the kinds of text its requests carry: dates are
Jalali (۱۴۰۳/۰۵/۱۲) or Gregorian (2024-08-02); national codes accept Persian and Arabic-Indic digits."""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ...core.jalali import to_jalali
from ...inputs import Line

DateText = Annotated[Line, Field(max_length=20, description="Jalali (1403/05/12) or Gregorian (2024-08-02)")]


TimeText = Annotated[Line, Field(max_length=8, description="Hour and minute, HH:MM")]


Name = Annotated[Line, Field(max_length=120)]


Code = Annotated[Line, Field(max_length=20, description="10-digit national code")]


Sex = Literal["male", "female"]


class DatePair(BaseModel):
    gregorian: dt.date
    jalali: str

    @classmethod
    def of(cls, day: dt.date) -> "DatePair":
        return cls(gregorian=day, jalali=to_jalali(day))


class ParentOut(BaseModel):
    national_code: str | None
    first_name: str
    last_name: str


class MarriageOut(BaseModel):
    spouse_national_code: str
    spouse_name: str
    married_on: DatePair
    ended_on: DatePair | None
    end_reason: str | None
    marriage_event_id: int
    divorce_event_id: int | None


class ChildOut(BaseModel):
    national_code: str
    first_name: str
    last_name: str
    birth_date: DatePair


class PersonOut(BaseModel):
    national_code: str
    first_name: str
    last_name: str
    first_name_typed: str
    last_name_typed: str
    sex: Sex
    birth_date: DatePair
    birth_time: str | None
    birth_county_code: str
    birth_county_name_fa: str
    birth_province_code: str
    birth_place: str
    birth_order: int
    father: ParentOut
    mother: ParentOut
    alive: bool
    died_on: DatePair | None
    marriages: list[MarriageOut]
    children: list[ChildOut]
    revision: int
    merged_into: str | None = Field(None, description="Found a duplicate: the national code of the record it joined")


@dataclass(frozen=True)
class IdentityFacts:
    first_name: str
    last_name: str
    birth_date: dt.date
    father_first_name: str
    died_on: dt.date | None


@dataclass(frozen=True)
class PersonBasics:
    """Who a person is to another feature that keeps records about them (e.g. their cards)."""

    id: int
    national_code: str
    birth_date: dt.date
    birth_county_code: str
    died_on: dt.date | None


class PersonBrief(BaseModel):
    """A person as another feature lists them: who they are, their parents' names, where they went."""

    id: int
    national_code: str
    first_name: str
    last_name: str
    sex: str
    birth_date: dt.date
    birth_county_code: str
    father_first_name: str
    mother_first_name: str
    mother_last_name: str
    died_on: dt.date | None
    merged_into: str | None = Field(None, description="National code of the record it was merged into")


class PersonSummary(BaseModel):
    national_code: str
    first_name: str
    last_name: str
    sex: Sex
    birth_date: DatePair
    father_first_name: str
    alive: bool


class PersonRevisionOut(BaseModel):
    revision: int
    reason: str
    actor: str
    recorded_at: dt.datetime
    event_id: int | None
    snapshot: dict[str, Any]
