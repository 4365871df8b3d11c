import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ..db import LARGEST_ID
from ..inputs import Strict
from ..registry.schemas import DatePair

Code = Annotated[str, Field(max_length=20, description="National code (Persian or Arabic digits accepted)")]
Note = Annotated[str, Field(max_length=500)]
PublicStatus = Literal["active", "expired", "revoked", "unknown"]
HolderStatus = Literal["active", "expired", "revoked", "none"]
Id = Annotated[int, Field(ge=1, le=LARGEST_ID)]


class ApplicationIn(Strict):
    national_code: Code
    replaces: Annotated[str, Field(max_length=20, description="Serial of the active card this one replaces")] | None = (
        None
    )


class EnrolmentIn(Strict):
    photo_ref: Annotated[str, Field(min_length=1, max_length=200, description="The enrolment system's capture id")]
    template_sha256: Annotated[str, Field(max_length=64, description="SHA-256 (hex) of the fingerprint template")]


class BatchIn(Strict):
    card_ids: list[Id] | None = Field(None, max_length=10_000, description="Default: every enrolled application")


class ProducedCard(Strict):
    card_id: Id
    chip_id: Annotated[str, Field(max_length=40, description="The chip's UID in hex")]


class ProductionIn(Strict):
    cards: list[ProducedCard] = Field(max_length=10_000)


class ReportIn(Strict):
    what: Literal["lost", "stolen", "damaged"]
    note: Note = ""


class RevocationIn(Strict):
    reason: Literal["fraud", "issued_in_error", "withdrawn", "other"]
    note: Note = ""


class CardOut(BaseModel):
    id: int
    national_code: str
    status: str
    public_status: PublicStatus
    serial: str | None
    chip_id: str | None
    office: str
    batch_id: int | None
    replaces: str | None = Field(description="Serial of the card it replaces")
    applied_at: dt.datetime
    enrolled_at: dt.datetime | None
    sent_at: dt.datetime | None
    produced_at: dt.datetime | None
    issued_at: dt.datetime | None
    expires_on: DatePair | None
    ended_at: dt.datetime | None
    end_reason: str | None


class BatchOut(BaseModel):
    id: int
    office: str
    size: int
    card_ids: list[int]
    sent_at: dt.datetime
    produced_at: dt.datetime | None


class CardStatusOut(BaseModel):
    """All the world may know of a card serial."""

    serial: str
    status: PublicStatus
    reason: str | None = Field(None, description="Why a card is revoked: lost, stolen, damaged, replaced, …")


class RevocationEntry(BaseModel):
    number: int
    serial: str
    chip_id: str
    reason: str
    revoked_on: dt.date


class RevocationList(BaseModel):
    statement: dict[str, object] = Field(
        description="issuer, kind, after, through, complete, generated_at, entries [{number, serial, chip_id, "
        "reason, revoked_on}]"
    )
    kid: str = Field(description="The registry key that signed the statement (hex)")
    signature: str = Field(description="base64url Ed25519 over the statement's canonical JSON")


class CoverageRow(BaseModel):
    province: str
    county: str | None = Field(description="None on a province's total row")
    eligible: int
    active_cards: int
    coverage_percent: float | None
    pending_applications: int
    oldest_pending_days: int | None
    median_pending_days: float | None


Stage = Literal["waiting_enrolment", "waiting_batch", "in_production", "waiting_pickup"]


class QueueItem(BaseModel):
    stage: Stage
    count: int = Field(description="Applications, or batches for in_production")
    oldest_days: int | None
    median_days: float | None


class OfficeQueue(BaseModel):
    office: str
    as_of: dt.datetime
    stages: list[QueueItem]
