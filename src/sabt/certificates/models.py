import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class SigningKey(Base):
    """A certificate signing key's public half and validity; the private half is in the key store."""

    __tablename__ = "certificate_keys"

    kid: Mapped[str] = mapped_column(String(16), primary_key=True)  # hex of the 8-byte key id
    key_label: Mapped[str] = mapped_column(String(60))  # the private half's name in the key store
    algorithm: Mapped[str] = mapped_column(String(10))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    not_before: Mapped[dt.datetime]
    not_after: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]


class SerialCounter(Base):
    """The next certificate number; one row, taken with UPDATE … RETURNING so concurrent issues queue."""

    __tablename__ = "certificate_serials"

    id: Mapped[int] = mapped_column(primary_key=True)
    next_number: Mapped[int]


class Certificate(Base):
    """One issued certificate: the facts it certifies, exactly as signed, and where it stands.

    `status` is current, superseded (a correction replaced it: `superseded_by` names the new serial) or
    revoked (`end_reason` says why). Rows are never deleted."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(11), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject_code: Mapped[str] = mapped_column(String(10), index=True)
    partner_code: Mapped[str | None] = mapped_column(String(10), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the signed facts' CBOR
    details: Mapped[dict[str, Any]] = mapped_column(JSON)  # printed beside the facts, not signed
    code: Mapped[str] = mapped_column(Text)  # the SB1: text in the QR
    kid: Mapped[str] = mapped_column(ForeignKey("certificate_keys.kid"))
    status: Mapped[str] = mapped_column(String(10))
    # "kind:subject:event" while current, NULL after: the unique constraint lets only one be current, even
    # when two offices issue at the same moment.
    current_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    superseded_by: Mapped[str | None] = mapped_column(String(11))
    end_reason: Mapped[str | None] = mapped_column(String(200))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    issued_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]


class CertificatePrint(Base):
    """Each time a certificate was printed: who, where, when. Never updated."""

    __tablename__ = "certificate_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    copy_number: Mapped[int]
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    printed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    printed_at: Mapped[dt.datetime]


class SuspectedForgery(Base):
    """A verification that failed or found something wrong: when, through which channel, who asked, why,
    and the province of the office the code claims issued it (when the code could be read)."""

    __tablename__ = "suspected_forgeries"

    id: Mapped[int] = mapped_column(primary_key=True)
    detected_at: Mapped[dt.datetime] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(String(10))  # api, web
    reason: Mapped[str] = mapped_column(String(40))  # the stable code, e.g. verify.bad_signature
    serial: Mapped[str | None] = mapped_column(String(11), index=True)
    kid: Mapped[str | None] = mapped_column(String(16))
    province_code: Mapped[str | None] = mapped_column(String(2))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    partner: Mapped[str | None] = mapped_column(String(100))
    input_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of what was presented, not the data


class CertificateCheck(Base):
    """An online verification of a certificate the registry issued: when and from where (an office, a
    partner, or the network the request came from, never a full address), to see one serial used in many
    places at once."""

    __tablename__ = "certificate_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(11))
    place: Mapped[str] = mapped_column(String(60))
    checked_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_certificate_checks_time", "checked_at", "serial"),)
