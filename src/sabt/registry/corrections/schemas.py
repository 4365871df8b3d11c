"""A correction of a person's record, and the answer: the corrected record and the certificates reissued."""

from typing import Annotated

from pydantic import BaseModel, Field

from ...inputs import Line, Strict
from ..persons.schemas import DateText, Name, PersonOut, Sex, TimeText


class PersonCorrection(Strict):
    """Fields to change on a person's record, with the reason (e.g. the correction commission's decision)."""

    reason: Annotated[str, Field(min_length=3, max_length=500)]
    first_name: Name | None = None
    last_name: Name | None = None
    sex: Sex | None = None
    birth_date: DateText | None = None
    birth_time: TimeText | None = None
    county: Line | None = Field(None, max_length=8)
    place: Name | None = None
    father_first_name: Name | None = None
    father_last_name: Name | None = None
    mother_first_name: Name | None = None
    mother_last_name: Name | None = None


class ReissueOut(BaseModel):
    """A certificate reissued because the record it states was corrected."""

    superseded: str
    serial: str
    kind: str


class CorrectedPersonOut(PersonOut):
    reissued_certificates: list[ReissueOut]
