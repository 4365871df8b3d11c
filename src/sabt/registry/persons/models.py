"""The tables of persons: the record, each revision of it, and marriages between two persons."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...db import Base


class Person(Base):
    """One person, identified by a national code. Names are stored normalized and as typed."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    national_code: Mapped[str] = mapped_column(String(10), unique=True)
    first_name: Mapped[str] = mapped_column(String(60))
    first_name_typed: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str] = mapped_column(String(60), index=True)
    last_name_typed: Mapped[str] = mapped_column(String(120))
    sex: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[dt.date] = mapped_column(index=True)
    birth_time: Mapped[str | None] = mapped_column(String(5))
    birth_county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"), index=True)
    birth_place: Mapped[str] = mapped_column(String(120), default="")
    birth_order: Mapped[int] = mapped_column(default=1)
    father_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    father_first_name: Mapped[str] = mapped_column(String(60), index=True)
    father_last_name: Mapped[str] = mapped_column(String(60))
    mother_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    mother_first_name: Mapped[str] = mapped_column(String(60))
    mother_last_name: Mapped[str] = mapped_column(String(60))
    died_on: Mapped[dt.date | None]
    # Set when an investigator found this record to be a duplicate of another: both histories are kept.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_persons_name", "first_name", "last_name"),)


class PersonRevision(Base):
    """A full snapshot of a person after each change, with who made it and why. Never updated."""

    __tablename__ = "person_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    revision: Mapped[int]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    recorded_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("person_id", "revision"),)


class Marriage(Base):
    __tablename__ = "marriages"

    id: Mapped[int] = mapped_column(primary_key=True)
    husband_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    wife_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    married_on: Mapped[dt.date]
    marriage_event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    ended_on: Mapped[dt.date | None]
    end_reason: Mapped[str | None] = mapped_column(String(10))  # "divorce" or "death"
    divorce_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
