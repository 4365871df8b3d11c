"""Declarations of vital events and the events as the registry answers them. Business rules are checked in
the service, which names the field at fault."""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StrictBool

from ...core import causes
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


# An ICD-10 code as typed: "i219" and "I21.9" are the same code; whether it exists is the service's check.
IcdCode = Annotated[Line, Field(min_length=3, max_length=8), AfterValidator(causes.formatted)]


class Interval(Strict):
    """The time from a condition's onset to death, as the certificate states it."""

    amount: Annotated[int, Field(ge=0, le=1200), AsciiDigits]
    unit: Literal["minutes", "hours", "days", "months", "years"]


class CauseLine(Strict):
    condition: Annotated[Line, Field(min_length=1, max_length=200)] = Field(description="As the certifier wrote it")
    icd10: IcdCode
    interval: Interval | None = None


class CauseOfDeath(Strict):
    """The medical certificate of cause of death, WHO's international form (2016). Part I is the chain of
    conditions from the immediate cause (line a, first) down to the one that started it (lines b to d);
    part II other conditions that contributed. The underlying cause is one of them, coded in ICD-10."""

    part1: list[CauseLine] = Field(min_length=1, max_length=4)
    part2: list[CauseLine] = Field(default_factory=list, max_length=3)
    underlying: IcdCode = Field(description="The certifier's underlying cause: what started the chain")
    manner: Literal[
        "disease", "accident", "self_harm", "assault", "legal_intervention", "war", "pending", "undetermined"
    ]
    pregnancy: Literal["not_pregnant", "pregnant", "within_42_days", "43_days_to_1_year", "unknown"] | None = Field(
        None, description="For a woman aged 10 to 54: pregnant at death, or within 42 days or a year before"
    )
    autopsy: Literal["not_done", "findings_used", "findings_not_used", "unknown"] = "unknown"


class DeathDeclaration(Strict):
    office: Line | None = Field(None, max_length=20)
    national_code: Code
    death_date: DateText
    death_time: TimeText | None = None
    county: Line = Field(max_length=8)
    place: Name = ""
    cause: Note = Field("", description="The cause as the family or a lay witness states it, when no certificate")
    cause_of_death: CauseOfDeath | None = Field(None, description="The physician's certificate, coded in ICD-10")
    learned_on: DateText | None = Field(None, description="When the declarant learned of the death, if later")
    arrival_date: DateText | None = None
    declarant: Declarant
    evidence: Evidence


class NotifiedMother(Strict):
    national_code: Code


class NotifiedBirth(Strict):
    """A birth as the facility where it happened knows it at once: the child is often not named yet, and the
    father is for the family to declare."""

    sex: Sex
    birth_date: DateText
    birth_time: TimeText | None = None
    county: Line = Field(max_length=8, description="County code of the place of birth")
    place: Name = Field("", description="District, city or village")
    birth_order: Annotated[int, Field(ge=1, le=9), AsciiDigits] = Field(1, description="Order within a multiple birth")
    weight_grams: Annotated[int, Field(ge=200, le=7000), AsciiDigits] | None = None
    stillborn: StrictBool = Field(
        False, description="Born dead: counted in the statistics as a stillbirth, with no person to register"
    )
    mother: NotifiedMother


class NotifiedDeath(Strict):
    """A death as the facility where it happened knows it, with the physician's certificate of its cause."""

    national_code: Code
    death_date: DateText
    death_time: TimeText | None = None
    county: Line = Field(max_length=8)
    place: Name = ""
    cause_of_death: CauseOfDeath | None = None


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


class CauseOfDeathOut(BaseModel):
    """What a death declaration says of the cause: for the office staff who take and register it."""

    event_id: int
    cause: str = Field(description="As the family or a lay witness stated it")
    cause_of_death: CauseOfDeath | None = Field(description="The physician's certificate, coded in ICD-10")


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
