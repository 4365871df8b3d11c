import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

What = Literal["record", "search", "history", "certificate", "print", "cards", "event", "linkage", "notification"]


class StaffReadOut(BaseModel):
    """One staff read of a person's data. `username` is for auditors only; a citizen sees role and office."""

    national_code: str
    what: str = Field(description="record, search, history, certificate, print, cards, event or linkage")
    role: str
    office: str | None = Field(None, description="The reader's office code; None for a national role")
    office_name: str | None = None
    username: str | None = None
    purpose: str
    at: dt.datetime


class UnusualAccessOut(BaseModel):
    kind: Literal["outside_office", "much_read_person", "at_night"]
    username: str | None = Field(None, description="The reader, for outside_office and at_night")
    national_code: str | None = Field(None, description="The person read, for much_read_person")
    count: int = Field(description="Records read outside the office, readers of the person, or reads at night")
    detail: str
