import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class CardCounter(Base):
    """Numbers handed out one by one: card serials ("serial") and revocation-list entries ("revocation")."""

    __tablename__ = "card_counters"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    next_number: Mapped[int]


class CardBatch(Base):
    """Enrolled applications an office sent to the card factory together; `produced_at` once made."""

    __tablename__ = "card_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    size: Mapped[int]
    sent_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[dt.datetime]
    produced_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    produced_at: Mapped[dt.datetime | None]


class Card(Base):
    """One card from its application to its end. The time of each step is kept, so the status of every
    card on any past day can be told (coverage "as of" a date). Rows are never deleted.

    Biometrics stay in the enrolment system: only its reference and the SHA-256 of the fingerprint template
    are kept here, enough to show later which capture a card was made from."""

    __tablename__ = "cards"
    __table_args__ = (
        Index("ix_cards_status_office", "status", "office_id"),
        Index("ix_cards_county", "county_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    national_code: Mapped[str] = mapped_column(String(10), index=True)
    county_code: Mapped[str] = mapped_column(String(4))  # the holder's county, for coverage by place
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    status: Mapped[str] = mapped_column(String(16))
    # The national code while the card is pending (or active): unique keys that let a person have at most
    # one card on its way and one active card, even when two offices act at the same moment.
    pending_key: Mapped[str | None] = mapped_column(String(10), unique=True)
    active_key: Mapped[str | None] = mapped_column(String(10), unique=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    serial: Mapped[str | None] = mapped_column(String(11), unique=True)
    chip_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    photo_ref: Mapped[str | None] = mapped_column(String(200))
    template_sha256: Mapped[str | None] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("card_batches.id"), index=True)
    applied_at: Mapped[dt.datetime]
    enrolled_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    produced_at: Mapped[dt.datetime | None]
    issued_at: Mapped[dt.datetime | None]
    expires_on: Mapped[dt.date | None]
    ended_at: Mapped[dt.datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(200))
    # Its place in the revocation list, when it went on it.
    revocation_number: Mapped[int | None] = mapped_column(unique=True)
    revision: Mapped[int]
    updated_at: Mapped[dt.datetime]
