import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ..inputs import AsciiDigits, Strict
from ..registry.schemas import DeclaredBirthOut, PersonBrief

Decision = Literal["duplicate", "not_duplicate", "fraud"]
CaseStatus = Literal["open", "duplicate", "not_duplicate", "fraud"]


class Evidence(BaseModel):
    field: str
    level: str = Field(description="Which level of the comparison the pair reached, e.g. 'sounds the same'")
    weight: float = Field(description="What it added to the match weight, in bits")


class CandidateOut(BaseModel):
    """A record a new birth may duplicate, with the model's evidence: a person of the registry, or a birth
    declared and not yet registered (the same child declared twice); one of the two is given."""

    person: PersonBrief | None = None
    declaration: DeclaredBirthOut | None = None
    match_weight: float
    match_probability: float
    evidence: list[Evidence]
    possible_twin: bool = Field(
        description="The same mother, a birth a day apart at most and two first names people are given (علی and "
        "محمدعلی): perhaps twins rather than one person"
    )


class CaseOut(BaseModel):
    id: int
    kind: str = Field(description="duplicate, or the rule that found it")
    status: CaseStatus
    source: str
    person: PersonBrief | None
    other_person: PersonBrief | None
    event_id: int | None
    match_weight: float | None
    match_probability: float | None
    evidence: list[Evidence]
    details: dict[str, Any] = Field(description="What a rule found (dates, counts, places)")
    note: str
    found_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None


class CasesPage(BaseModel):
    total: int
    cases: list[CaseOut]


class DecisionIn(Strict):
    decision: Decision
    note: str = Field("", max_length=500)
    keep: Annotated[int, Field(ge=1, le=2**31 - 1), AsciiDigits] | None = Field(
        None, description="For a duplicate: the person id that stays"
    )


class RunOut(BaseModel):
    id: int
    status: str
    persons: int
    pairs_scored: int
    cases_found: int
    cases_new: int
    seconds: float
    error: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None


class ModelOut(BaseModel):
    id: int | None = Field(description="None for the model Sabt ships with")
    trained_on: str
    true_pairs: int
    trained_at: dt.datetime | None


class KindOut(BaseModel):
    """The pairs of one kind the truth names: how many there are and how many the model joined. For a kind of
    duplicate, `joined / pairs` is its recall; for another person (a twin, a sibling) every join is wrong."""

    kind: str
    same_person: bool
    pairs: int
    joined: int


class EvaluationOut(BaseModel):
    records: int
    true_pairs: int
    found_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    threshold: float
    seconds: float
    kinds: list[KindOut]
