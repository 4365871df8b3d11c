import datetime as dt

from pydantic import BaseModel, Field

from ..core.workflow import Role
from ..inputs import Secret


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


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_at: dt.datetime
