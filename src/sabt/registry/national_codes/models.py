"""The tables of national codes: every code handed out, and the counter of each place prefix."""

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ...db import Base


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
