import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


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


class Event(Base):
    """A declared vital event and where it stands in the workflow. `data` is the declaration as submitted."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    event_date: Mapped[dt.date]
    county_code: Mapped[str | None] = mapped_column(String(4))  # where it happened, for statistics by place
    declared_on: Mapped[dt.date]
    deadline: Mapped[dt.date | None]
    late: Mapped[bool] = mapped_column(default=False)
    days_late: Mapped[int] = mapped_column(default=0)
    late_approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(default=1)
    # birth: the child once registered; death: the deceased; marriage and divorce: husband and wife.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    declared_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    __table_args__ = (
        Index("ix_events_queue", "office_id", "status", "kind"),
        Index("ix_events_statistics", "kind", "status", "event_date"),
    )


class EventHistory(Base):
    """Every step an event took: who, when, why, and the declaration whenever it changed. Never updated."""

    __tablename__ = "event_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    revision: Mapped[int]
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime]


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


class IssuedNationalCode(Base):
    """Every national code ever handed out or imported; a code here is never issued again."""

    __tablename__ = "issued_national_codes"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    source: Mapped[str] = mapped_column(String(10))  # "issued" or "imported"
    issued_at: Mapped[dt.datetime]


class NationalCodeCounter(Base):
    """The next serial to try under each 3-digit place prefix."""

    __tablename__ = "national_code_counters"

    prefix: Mapped[str] = mapped_column(String(3), primary_key=True)
    next_serial: Mapped[int]


class IdempotencyKey(Base):
    """A client's Idempotency-Key and the event its request created, so a retry does not declare twice."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    created_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("user_id", "key"),)


class ImportJob(Base):
    """One bulk import of a legacy file, identified by the file's SHA-256; `rows_done` moves with each
    committed batch, so an interrupted import resumes where it stopped."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_digest: Mapped[str] = mapped_column(String(64), unique=True)
    rows_done: Mapped[int]
    imported: Mapped[int]
    rejected: Mapped[int]
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]


class ImportReject(Base):
    """A row of an import that broke a rule: where, which field, why, and the row as it was."""

    __tablename__ = "import_rejects"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id"), index=True)
    row_number: Mapped[int]
    field: Mapped[str | None] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(60))
    message_en: Mapped[str] = mapped_column(String(300))
    message_fa: Mapped[str] = mapped_column(String(300))
    row: Mapped[dict[str, Any]] = mapped_column(JSON)
