import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ..core.permissions import Role
from ..inputs import Secret, Strict


class UserIn(Secret):
    username: str = Field(min_length=3, max_length=60, pattern=r"^[a-z0-9_.\-]+$")
    password: str = Field(max_length=200)
    role: Role
    full_name: str = Field("", max_length=120)
    office: str | None = Field(None, description="Office code; required for clerks, registrars and office heads")
    national_code: str | None = Field(None, max_length=10, description="A citizen's own code; citizens only")


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    office_id: int | None
    national_code: str | None = None
    active: bool


SecondFactorStage = Literal["done", "required", "enrol", "not_required"]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_at: dt.datetime
    second_factor: SecondFactorStage = Field(
        description="done: the session may act; required: give a code or a passkey at /api/auth/factor first; "
        "enrol: add an authenticator app (/api/auth/totp) or a passkey first; not_required: the demo only"
    )
    factors: list[str] = Field(description="The second factors this account can give: totp, webauthn, recovery")


class CodeIn(Strict):
    code: Annotated[str, Field(min_length=1, max_length=40, description="A 6-digit code or a recovery code")]


class PasskeyIn(Strict):
    credential: dict[str, Any] = Field(description="The browser's PublicKeyCredential, as JSON")


class TotpEnrolmentOut(BaseModel):
    secret: str = Field(description="Base32, for an authenticator app that cannot read the QR code")
    otpauth_uri: str
    qr_svg: str = Field(description="The QR code of otpauth_uri, as an SVG data URI")


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="Shown once: each signs in once when the authenticator is lost")
    token: TokenOut


class SessionOut(BaseModel):
    id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    factor: str | None
    factor_at: dt.datetime | None
    address: str
    revoked_at: dt.datetime | None
    current: bool = False


class AccountEventOut(BaseModel):
    id: int
    username: str
    kind: str
    address: str
    detail: str
    by: str | None = Field(None, description="Who unlocked the account or revoked the session")
    at: dt.datetime


class LockedAccountOut(BaseModel):
    username: str
    locked_until: dt.datetime
