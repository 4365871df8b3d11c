import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ..db import LARGEST_ID
from ..inputs import Strict
from ..registry.schemas import DatePair

Kind = Literal["birth", "death", "marriage", "divorce", "extract"]
PERSON_KINDS: tuple[Kind, ...] = ("birth", "death", "extract")  # name a person
COUPLE_KINDS: tuple[Kind, ...] = ("marriage", "divorce")  # name the registered event


class CertificateRequest(Strict):
    """A person's certificate (birth, death, extract) names the person; a marriage or divorce certificate
    names the registered event."""

    kind: Kind
    national_code: Annotated[str, Field(max_length=20)] | None = None
    event_id: int | None = Field(None, ge=1, le=LARGEST_ID)


class RevokeIn(Strict):
    reason: Annotated[str, Field(min_length=3, max_length=200)]


class VerifyIn(Strict):
    code: Annotated[str, Field(max_length=5000, description="The text of the certificate's QR code (SB1:…)")]


class CertificateOut(BaseModel):
    serial: str
    kind: str
    status: Literal["current", "superseded", "revoked"]
    subject_national_code: str
    partner_national_code: str | None
    event_id: int | None
    issued_at: dt.datetime
    issued_on: DatePair
    office_code: str | None
    kid: str
    code: str = Field(description="The signed code printed in the QR")
    facts: dict[str, Any]
    prints: int
    superseded_by: str | None
    end_reason: str | None
    ended_at: dt.datetime | None


class PrintedCopyOut(BaseModel):
    """One printed copy of a certificate, as the office that printed it accounts for its paper."""

    serial: str
    kind: str
    subject_national_code: str
    partner_national_code: str | None
    name: str = Field(description="Whom it certifies, as printed (a couple's names for a marriage or divorce)")
    copy_number: int
    printed_at: dt.datetime
    printed_by: str


Verdict = Literal[
    "genuine",
    "superseded",
    "revoked",
    "unknown_serial",
    "data_mismatch",
    "bad_signature",
    "unknown_key",
    "key_expired",
    "issued_in_future",
    "issuer",
]


class VerificationOut(BaseModel):
    verdict: Verdict
    genuine_signature: bool
    message: str
    message_fa: str
    serial: str | None = Field(description="As the code claims it; trust it only with a genuine signature")
    kind: str | None
    issued_at: dt.datetime | None
    kid: str
    facts: dict[str, Any] | None = Field(description="The signed facts; only when the signature is genuine")
    rows: list[tuple[str, str]] = Field(description="The facts as Persian label/value rows")
    superseded_by: str | None = None
    revoked_reason: str | None = None


class ForgeryCountOut(BaseModel):
    province_code: str | None
    province_name_fa: str | None
    month: str = Field(description="Jalali year and month, e.g. 1404/03")
    reason: str
    count: int
