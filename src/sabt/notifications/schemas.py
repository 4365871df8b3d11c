"""A facility's notification in the JSON form (the FHIR form is read into it), and a notification as the
registry answers it."""

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ..inputs import Line, Strict
from ..registry.schemas import DatePair, NotifiedBirth, NotifiedDeath

Reference = Annotated[Line, Field(min_length=1, max_length=64)]
FacilityCode = Annotated[Line, Field(min_length=2, max_length=40)]


class BirthNotificationIn(NotifiedBirth):
    reference: Reference = Field(description="The facility's own identifier for this notification")
    facility: FacilityCode | None = Field(None, description="The facility's partner code; the caller's own")


class DeathNotificationIn(NotifiedDeath):
    reference: Reference = Field(description="The facility's own identifier for this notification")
    facility: FacilityCode | None = Field(None, description="The facility's partner code; the caller's own")


NotificationIn = BirthNotificationIn | DeathNotificationIn
NotificationStatus = Literal["waiting", "declared", "stillbirth", "dismissed"]


class DismissalIn(Strict):
    """Why a registrar closes a notification no declaration will answer."""

    reason: Literal["duplicate", "error"] = Field(
        description="duplicate: the facility notified the same event again under another reference; "
        "error: the facility notified an event that did not happen, or not in this form"
    )
    note: Annotated[Line, Field(max_length=200)] = Field("", description="What the registrar found, for the audit")


class NotificationOut(BaseModel):
    id: int
    kind: Literal["birth", "death"]
    reference: str
    facility: str = Field(description="The partner code of the facility that sent it")
    facility_name: str
    office_code: str = Field(description="The office where it waits: the one serving the event's county")
    county_code: str
    event_date: DatePair
    event_time: str | None
    received_at: dt.datetime
    status: NotificationStatus = Field(
        description="waiting for a declaration of the event; declared once one is made (event_id); "
        "stillbirth: a child born dead, counted and not declared; dismissed by a registrar (closed_reason)"
    )
    event_id: int | None
    closed_reason: Literal["stillbirth", "duplicate", "error"] | None = None
    closed_note: str | None = None
    data: dict[str, Any]
    replayed: bool = Field(False, description="True when the same notification was sent before")


class NotificationReceipt(BaseModel):
    """What a facility is told of its notification: that it is received, and under which number. Where it
    waits and whether a family has declared the event are the registry's, not the facility's, to know."""

    id: int
    kind: Literal["birth", "death"]
    reference: str
    received_at: dt.datetime
    replayed: bool = Field(False, description="True when the same notification was sent before")


class WaitingOut(BaseModel):
    """A page of the notifications waiting at an office, oldest first."""

    total: int = Field(description="How many wait at the office in all")
    offset: int
    notifications: list[NotificationOut]
