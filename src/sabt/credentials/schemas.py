"""An identity QR as the registry answers it, and what a verification of one found."""

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from ..inputs import Strict


class IdentityCodeOut(BaseModel):
    code: str = Field(description="The QR's text: Base45 of a zlib-compressed CWT (ID Claim 169, COSE_Sign1 EdDSA)")
    serial: str = Field(description="The serial of the card it stands for (the CWT's cti)")
    issuer: str
    expires_at: dt.datetime = Field(description="When the card, and so the code, expires")
    qr_version: int = Field(description="The smallest QR version that holds it at error correction Q")


class IdentityCodeIn(Strict):
    code: str = Field(min_length=1, max_length=4296)


class IdentityVerifiedOut(BaseModel):
    attributes: dict[str, Any] = Field(description="The Claim 169 attributes by name (id, full_name, …)")
    serial: str
    issuer: str
    issued_at: dt.datetime
    expires_at: dt.datetime
