"""A facility's notification in the JSON form (the FHIR form is read into it), and a notification as the
registry answers it."""

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ..inputs import Line
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
    status: Literal["waiting", "declared"] = Field(
        description="waiting for a declaration of the event; declared once one is made (event_id)"
    )
    event_id: int | None
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
