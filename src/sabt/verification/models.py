import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class Partner(Base):
    """An agency that may ask the registry about people, and what its policy lets it ask and receive."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # bank, election, pension, health, court, other
    contact: Mapped[str] = mapped_column(String(200))
    # {"checks": [...], "attributes": [...], "alive_status": bool, "purpose": "..."}
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    rate_per_minute: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]


class PartnerKey(Base):
    """An API key: `prefix` names it in logs and lists; only the SHA-256 of the secret is stored."""

    __tablename__ = "partner_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(12), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class CodeLock(Base):
    """A citizen's lock on their national code: every partner's check answers "locked" while it stands."""

    __tablename__ = "code_locks"

    national_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    locked_at: Mapped[dt.datetime]
    locked_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class IdentityCheck(Base):
    """The access log: every question a partner asked about a person, why, and what it was told."""

    __tablename__ = "identity_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    key_prefix: Mapped[str] = mapped_column(String(12))
    national_code: Mapped[str] = mapped_column(String(10))
    check: Mapped[str] = mapped_column(String(10))  # verify, ekyc
    purpose: Mapped[str] = mapped_column(String(200))
    consent_reference: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[str] = mapped_column(String(20))  # match, no_match, locked, released
    checked_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_identity_checks_code", "national_code", "checked_at"),)


class Subscription(Base):
    """A partner's webhook: where to POST which kinds of message."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    kinds: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]


class Delivery(Base):
    """One message to one subscription: pending until a 2xx, retried with backoff, failed after the last try."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"))
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    status: Mapped[str] = mapped_column(String(10))  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)
