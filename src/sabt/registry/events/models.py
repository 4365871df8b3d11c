"""The tables of vital events: the declaration and its workflow, each step of it, and the idempotency keys
that make a repeated declaration one event."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...db import Base


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


class EventAssignment(Base):
    """Who is working on a pending event, so that two staff members do not take up the same declaration. It
    ends when the event is registered or rejected, or when its holder hands it back."""

    __tablename__ = "event_assignments"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[dt.datetime]


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
