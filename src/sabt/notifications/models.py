"""The table of facilities' notifications: what a facility reported, where it waits, and the declaration
of the same event it was matched to."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class Notification(Base):
    """A birth or death a health facility reported. `data` is the notification as sent (in the JSON form,
    also for one sent as FHIR); `reference` is the facility's own identifier for it, so a notification sent
    twice is one. It waits at the office of the event's county until a declaration of the event is made
    there or anywhere (`event_id`): by the family, or by a clerk from the notification itself; or until it
    is closed without one (`NotificationClosing`)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    reference: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # birth, death
    event_date: Mapped[dt.date]
    event_time: Mapped[str | None] = mapped_column(String(5))
    county_code: Mapped[str] = mapped_column(String(4))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime]
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    matched_at: Mapped[dt.datetime | None]

    __table_args__ = (
        UniqueConstraint("partner_id", "reference", name="uq_notifications_reference"),
        Index("ix_notifications_waiting", "office_id", "event_id"),
    )


class NotificationClosing(Base):
    """A notification closed without a declaration: a child born dead (closed on receipt: there is no
    person to register, only a count for the statistics), or one a registrar dismissed, with the reason
    (sent twice under two references, sent in error). A row of its own, so that a notification's row is
    written once and the closing is its own evidence."""

    __tablename__ = "notification_closings"

    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))  # stillbirth, duplicate, error
    note: Mapped[str] = mapped_column(String(200))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime]
