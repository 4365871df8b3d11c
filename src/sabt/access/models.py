import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class StaffRead(Base):
    """One person's data shown to one staff user. Written before the answer leaves; never updated."""

    __tablename__ = "staff_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    national_code: Mapped[str] = mapped_column(String(10))  # whose data: national codes never change
    # What was read: record, search, history, certificate, print, cards, event, export.
    what: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[dt.datetime] = mapped_column(index=True)

    __table_args__ = (
        Index("ix_staff_reads_code_at", "national_code", "at"),
        Index("ix_staff_reads_user_at", "user_id", "at"),
    )
