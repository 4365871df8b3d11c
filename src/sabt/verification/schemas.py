import datetime as dt
import ipaddress
import re
from typing import Annotated, Literal

import httpx
from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from ..inputs import Secret, Strict
from ..registry.schemas import DatePair

Check = Literal["verify", "ekyc"]
Attribute = Literal[
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_county",
    "father_first_name",
    "mother_first_name",
    "alive",
    "died_on",
]
Short = Annotated[str, Field(min_length=1, max_length=200)]
Notice = Literal["birth.registered", "death.registered", "marriage.registered", "divorce.registered"]


class Policy(Strict):
    checks: list[Check] = Field(description="verify: yes/no matching; ekyc: attributes with consent")
    attributes: list[Attribute] = Field(default_factory=list, description="What eKYC may release")
    alive_status: bool = Field(False, description="Whether yes/no answers say alive or deceased")
    card_status: bool = Field(False, description="Whether matched yes/no answers give the holder's card status")
    notices: list[Notice] = Field(default_factory=list, description="Registrations it may be notified of")
    notifications: list[Literal["birth", "death"]] = Field(
        default_factory=list, description="For a health facility: the events it may notify the registry of"
    )
    purpose: Short = Field(description="Why the partner may ask (the legal basis)")


class PartnerIn(Strict):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    name: Short
    kind: Literal["bank", "election", "pension", "health", "court", "other"]
    contact: Short
    policy: Policy
    rate_per_minute: int = Field(600, ge=1, le=100_000)


class PartnerOut(BaseModel):
    code: str
    name: str
    kind: str
    contact: str
    policy: Policy
    rate_per_minute: int
    active: bool
    keys: list[str] = Field(description="Prefixes of the keys not revoked")


class KeyOut(BaseModel):
    partner: str
    prefix: str
    api_key: str | None = Field(None, description="The whole key; shown only when it is created")
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class IdentityQuery(Strict):
    national_code: Annotated[str, Field(max_length=20)]
    first_name: Annotated[str, Field(max_length=120)] | None = None
    last_name: Annotated[str, Field(max_length=120)] | None = None
    birth_date: Annotated[str, Field(max_length=20, description="Jalali or Gregorian")] | None = None
    father_name: Annotated[str, Field(max_length=120, description="Father's first name")] | None = None
    purpose: Short


class IdentityAnswer(BaseModel):
    status: Literal["match", "no_match", "locked"]
    fields: dict[str, bool] = Field(
        description="On a match, each field the partner sent (all true); empty on no_match, which says neither "
        "which field differed nor whether anyone holds the code"
    )
    alive: bool | None = Field(None, description="On a match, when the partner's policy allows it")
    card_status: Literal["active", "expired", "revoked", "none"] | None = Field(
        None, description="The smart card the person holds; on a match, when the partner's policy allows it"
    )
    partner_token: str | None = Field(None, description="Stable for this person and this partner only")
    checked_at: dt.datetime


class EkycQuery(Strict):
    national_code: Annotated[str, Field(max_length=20)]
    consent_reference: Annotated[str, Field(min_length=4, max_length=100)]
    purpose: Short


class EkycAnswer(BaseModel):
    status: Literal["released", "locked"]
    statement: dict[str, object] | None = Field(
        None, description="partner, national_code, partner_token, attributes, consent_reference, purpose, issued_at"
    )
    kid: str | None = Field(None, description="The registry key that signed the statement (hex)")
    signature: str | None = Field(None, description="base64url Ed25519 over the statement's canonical JSON")


class CitizenIn(Secret):
    national_code: Annotated[str, Field(max_length=20)]
    username: str = Field(min_length=3, max_length=60, pattern=r"^[a-z0-9_.\-]+$")
    password: str = Field(max_length=200)


class CheckOut(BaseModel):
    partner: str
    partner_kind: str
    check: str
    purpose: str
    result: str
    checked_at: dt.datetime
    checked_on: DatePair


# A host name as DNS has it (RFC 1123 labels, after IDNA encoding): `https://…` or `https://a..b` passes the
# URL parser but names no machine a delivery could reach.
HOST_NAME = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?")


def _reachable_url(url: str) -> str:
    """An address an HTTP client can send to: a host, and a port a socket can have (`http://[::1`, or a port
    of 99999, passes the pattern but no request can be made to it)."""
    try:
        parsed = httpx.URL(url)
        port = parsed.port
    except (httpx.InvalidURL, ValueError):
        raise PydanticCustomError("webhook.url", "not an address a request can be sent to") from None
    if not _is_host(parsed.raw_host.decode("ascii")) or (port is not None and not 0 < port < 65536):
        raise PydanticCustomError("webhook.url", "not an address a request can be sent to")
    return url


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return HOST_NAME.fullmatch(host.lower()) is not None
    return True


class SubscriptionIn(Strict):
    url: Annotated[str, Field(min_length=8, max_length=500, pattern=r"^https?://"), AfterValidator(_reachable_url)]
    kinds: list[Notice] = Field(min_length=1)


class SubscriptionOut(BaseModel):
    id: int
    partner: str
    url: str
    kinds: list[str]
    active: bool


class DeliveryOut(BaseModel):
    id: int
    partner: str
    url: str
    kind: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    delivered_at: dt.datetime | None


class LockOut(BaseModel):
    national_code: str
    locked: bool
