"""Request and response models of the registry. Dates are text: Jalali (۱۴۰۳/۰۵/۱۲) or Gregorian
(2024-08-02); national codes accept Persian and Arabic-Indic digits. Business rules are checked in the
service, which names the field at fault."""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ..core.jalali import to_jalali
from ..inputs import AsciiDigits, Line, Strict

DateText = Annotated[Line, Field(max_length=20, description="Jalali (1403/05/12) or Gregorian (2024-08-02)")]
TimeText = Annotated[Line, Field(max_length=8, description="Hour and minute, HH:MM")]
Name = Annotated[Line, Field(max_length=120)]
Code = Annotated[Line, Field(max_length=20, description="10-digit national code")]
Reference = Annotated[Line, Field(min_length=1, max_length=40)]  # a notary office, a document number
Note = Annotated[str, Field(max_length=500)]
Sex = Literal["male", "female"]


class PersonRef(Strict):
    """Someone named in a declaration: by national code when they are in the registry, else by name."""

    national_code: Code | None = None
    first_name: Name | None = None
    last_name: Name | None = None


class Declarant(PersonRef):
    relation: Literal["father", "mother", "grandparent", "sibling", "guardian", "physician", "other"]


class Evidence(Strict):
    """A medical certificate (physician, licensed midwife or facility) or the testimony of two witnesses
    (Civil Registration Law art. 15); for deaths also a burial permit or a court order."""

    kind: Literal["medical_certificate", "witnesses", "burial_permit", "court_order"]
    issuer: Literal["physician", "midwife", "facility", "cemetery", "court"] | None = None
    issuer_name: Name | None = None
    document_number: Annotated[Line, Field(max_length=40)] | None = None
    witnesses: list[PersonRef] = Field(default_factory=list, max_length=2)


class BirthDeclaration(Strict):
    office: Line | None = Field(None, max_length=20, description="Office code; defaults to the declarer's office")
    first_name: Name
    last_name: Name
    sex: Sex
    birth_date: DateText
    birth_time: TimeText | None = None
    county: Line = Field(max_length=8, description="County code of the place of birth")
    place: Name = Field("", description="District, city or village")
    birth_order: Annotated[int, Field(ge=1, le=9), AsciiDigits] = Field(
        1, description="Order within a multiple birth (art. 21)"
    )
    father: PersonRef
    mother: PersonRef
    declarant: Declarant
    evidence: Evidence
    arrival_date: DateText | None = Field(None, description="Arrival, for a birth during travel")


class DeathDeclaration(Strict):
    office: Line | None = Field(None, max_length=20)
    national_code: Code
    death_date: DateText
    death_time: TimeText | None = None
    county: Line = Field(max_length=8)
    place: Name = ""
    cause: Note = ""
    learned_on: DateText | None = Field(None, description="When the declarant learned of the death, if later")
    arrival_date: DateText | None = None
    declarant: Declarant
    evidence: Evidence


class MarriageDeclaration(Strict):
    office: Line | None = Field(None, max_length=20)
    husband_national_code: Code
    wife_national_code: Code
    marriage_date: DateText
    county: Line = Field(max_length=8)
    notary_office: Reference
    document_number: Reference
    court_permission: Annotated[Line, Field(max_length=60)] | None = Field(
        None, description="Court permission reference for a husband who is already married"
    )


class DivorceDeclaration(Strict):
    office: Line | None = Field(None, max_length=20)
    husband_national_code: Code
    wife_national_code: Code
    divorce_date: DateText
    county: Line = Field(max_length=8)
    notary_office: Reference
    document_number: Reference
    divorce_type: Literal["revocable", "irrevocable", "khul", "mubarat"] | None = None


Declaration = BirthDeclaration | DeathDeclaration | MarriageDeclaration | DivorceDeclaration


class ReasonIn(Strict):
    reason: Annotated[str, Field(min_length=3, max_length=500)]


class NoteIn(Strict):
    note: Note = ""


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


class DatePair(BaseModel):
    gregorian: dt.date
    jalali: str

    @classmethod
    def of(cls, day: dt.date) -> "DatePair":
        return cls(gregorian=day, jalali=to_jalali(day))


class ParentOut(BaseModel):
    national_code: str | None
    first_name: str
    last_name: str


class MarriageOut(BaseModel):
    spouse_national_code: str
    spouse_name: str
    married_on: DatePair
    ended_on: DatePair | None
    end_reason: str | None


class ChildOut(BaseModel):
    national_code: str
    first_name: str
    last_name: str
    birth_date: DatePair


class PersonOut(BaseModel):
    national_code: str
    first_name: str
    last_name: str
    first_name_typed: str
    last_name_typed: str
    sex: Sex
    birth_date: DatePair
    birth_time: str | None
    birth_county_code: str
    birth_county_name_fa: str
    birth_province_code: str
    birth_place: str
    birth_order: int
    father: ParentOut
    mother: ParentOut
    alive: bool
    died_on: DatePair | None
    marriages: list[MarriageOut]
    children: list[ChildOut]
    revision: int
    merged_into: str | None = Field(None, description="Found a duplicate: the national code of the record it joined")


@dataclass(frozen=True)
class IdentityFacts:
    first_name: str
    last_name: str
    birth_date: dt.date
    father_first_name: str
    died_on: dt.date | None


@dataclass(frozen=True)
class PersonBasics:
    """Who a person is to another feature that keeps records about them (e.g. their cards)."""

    id: int
    national_code: str
    birth_date: dt.date
    birth_county_code: str
    died_on: dt.date | None


class PersonBrief(BaseModel):
    """A person as another feature lists them: who they are, their parents' names, where they went."""

    id: int
    national_code: str
    first_name: str
    last_name: str
    sex: str
    birth_date: dt.date
    birth_county_code: str
    father_first_name: str
    mother_first_name: str
    mother_last_name: str
    died_on: dt.date | None
    merged_into: str | None = Field(None, description="National code of the record it was merged into")


class PersonSummary(BaseModel):
    national_code: str
    first_name: str
    last_name: str
    sex: Sex
    birth_date: DatePair
    father_first_name: str
    alive: bool


class PersonRevisionOut(BaseModel):
    revision: int
    reason: str
    actor: str
    recorded_at: dt.datetime
    event_id: int | None
    snapshot: dict[str, Any]


class EventOut(BaseModel):
    id: int
    kind: str
    status: str
    office_code: str
    event_date: DatePair
    declared_on: DatePair
    deadline: DatePair | None
    late: bool
    days_late: int
    late_approved: bool
    revision: int
    subject_national_code: str | None
    partner_national_code: str | None
    rejection_reason: str | None
    data: dict[str, Any]
    replayed: bool = Field(False, description="True when an Idempotency-Key replay returned an earlier result")


class EventStepOut(BaseModel):
    action: str
    status: str
    revision: int
    actor: str
    note: str
    recorded_at: dt.datetime
    data: dict[str, Any] | None


class ReissueOut(BaseModel):
    """A certificate reissued because the record it states was corrected."""

    superseded: str
    serial: str
    kind: str


class CorrectedPersonOut(PersonOut):
    reissued_certificates: list[ReissueOut]
