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
