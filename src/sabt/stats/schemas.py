import datetime as dt

from pydantic import BaseModel, Field


class StatRow(BaseModel):
    place: str = Field(description="County (4 digits), province (2) or the country (empty)")
    place_fa: str
    period: str = Field(description="1404-03 (month), 1404-S1 (season), 1404 (year) or range")
    period_fa: str
    first: dt.date
    last: dt.date
    values: dict[str, float | int | None] = Field(description="Each column; null where suppressed or undefined")
    suppressed: list[str] = Field(description="Columns hidden by disclosure control in this row")


class StatTable(BaseModel):
    indicator: str
    place: str
    grain: str
    start: dt.date
    end: dt.date
    exact: bool = Field(description="True for staff: no disclosure control applied")
    base: str = Field(description="Population base of the rates: census (1395) or registry")
    columns: list[str]
    rows: list[StatRow]


class WeekOut(BaseModel):
    week_start: dt.date = Field(description="The Saturday the week begins on")
    week_start_jalali: str
    registered: dict[str, int] = Field(description="Registrations that week by kind: birth, death, marriage, divorce")


class TimelinessOut(BaseModel):
    kind: str = Field(description="birth or death")
    registered: int
    on_time: int
    on_time_percent: float | None
    median_delay_days: float | None = Field(description="Days from the event to its declaration")


class WaitingOut(BaseModel):
    queue: str = Field(description="to-correct, to-validate, to-register or to-approve, as on the desk")
    count: int
    oldest_days: int | None = Field(description="Days since the oldest was declared")
    median_days: float | None


class StaffWorkOut(BaseModel):
    username: str
    steps: dict[str, int] = Field(description="How many of each step: declare, validate, register, reject, …")


class CompletenessOut(BaseModel):
    county: str
    county_fa: str
    population: int
    expected_births: float = Field(description="population × the expected crude birth rate over the year")
    registered_births: int = Field(description="Births in the county in the year, registered by any office")
    completeness_percent: float | None


class FacilityTimelinessOut(BaseModel):
    """How soon one facility (or, with facility None, all of them) notified the office of one kind of event
    in the last twelve months, and how soon the office registered what was notified."""

    facility: str | None = Field(description="The facility's partner code; None on the office's total row")
    facility_name: str
    kind: str = Field(description="birth, stillbirth or death")
    notified: int
    registered: int = Field(description="Notified events whose declaration is registered")
    registered_percent: float | None
    notify_median_hours: float | None = Field(description="Hours from the event to the notification")
    register_median_days: float | None = Field(description="Days from the notification to the registration")


class OfficeDashboardOut(BaseModel):
    """An office's figures for its head: what it registered, how timely, how long work waits, who did what,
    and how complete birth registration is in the counties it serves."""

    office: str
    office_fa: str
    as_of: dt.date
    base: str = Field(description="Population base of completeness: census (1395) or registry")
    expected_birth_rate: float = Field(description="Births a year per 1,000 people that completeness expects")
    weeks: list[WeekOut]
    timeliness: list[TimelinessOut]
    waiting: list[WaitingOut]
    staff: list[StaffWorkOut] = Field(description="Steps each user took on the office's events in 30 days")
    completeness: list[CompletenessOut]
    facilities: list[FacilityTimelinessOut] = Field(
        description="Facilities' notifications to the office in twelve months, by facility and kind, then the totals"
    )
