"""Declarations of vital events and the events as the registry answers them. Business rules are checked in
the service, which names the field at fault."""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ...inputs import AsciiDigits, Line, Strict
from ..persons.schemas import (
    Code,
    DatePair,
    DateText,
    Name,
    Sex,
    TimeText,
)

Reference = Annotated[Line, Field(min_length=1, max_length=40)]  # a notary office, a document number


Note = Annotated[str, Field(max_length=500)]


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
    names: dict[str, str] = Field(
        default_factory=dict, description="The name of each person the event names by national code, as typed"
    )
    replayed: bool = Field(False, description="True when an Idempotency-Key replay returned an earlier result")
    assigned_to: str | None = Field(None, description="The username of the staff member working on it, if any")


class QueueCounts(BaseModel):
    """How many events wait in each of an office's queues."""

    rejected: int = Field(description="rejected, waiting to be corrected and sent again")
    declared: int = Field(description="declared, waiting for validation")
    validated: int = Field(description="validated, waiting for registration")
    late_unapproved: int = Field(description="late, waiting for the office head's approval")
    mine: int = Field(description="pending events the caller is working on")


class EventStepOut(BaseModel):
    action: str
    status: str
    revision: int
    actor: str
    note: str
    recorded_at: dt.datetime
    data: dict[str, Any] | None


class DeclaredBirthOut(BaseModel):
    """A birth declared and not yet registered, as a warning of a duplicate shows it (names as typed)."""

    event_id: int
    status: str
    office_code: str
    office_name: str
    declared_on: dt.date
    first_name: str
    last_name: str
    sex: str
    birth_date: dt.date
    father_first_name: str
    mother_first_name: str
    mother_last_name: str


@dataclass(frozen=True)
class BirthFacts:
    """A declared birth as linkage compares it: names normalized, the parents found by code when given."""

    event_id: int
    subject_id: int | None  # the person it created, once registered
    office_id: int
    first_name: str
    last_name: str
    sex: str
    born: dt.date
    county: str
    father_first_name: str
    mother_first_name: str
    mother_last_name: str
    father_id: int | None
    mother_id: int | None
    father_code: str | None
    mother_code: str | None
