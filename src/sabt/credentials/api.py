"""Routes of the identity QR: the citizen's own, a card holder's for office staff, an online check
anyone may make, and the key set Claim 169 verifiers fetch."""

from typing import Any

from fastapi import APIRouter

from ..certificates import service as certificates
from ..http import CurrentActor, CurrentContext
from . import service
from .schemas import IdentityCodeIn, IdentityCodeOut, IdentityVerifiedOut

router = APIRouter(tags=["credentials"])
JWKS_PATH = "/.well-known/jwks.json"


@router.get("/me/identity-code", response_model=IdentityCodeOut)
def my_identity_code(ctx: CurrentContext, actor: CurrentActor) -> IdentityCodeOut:
    """The citizen's own ID Claim 169 identity QR, while their smart card is active."""
    return service.my_identity_code(ctx, actor=actor)


@router.get("/persons/{national_code}/identity-code", response_model=IdentityCodeOut)
def identity_code(ctx: CurrentContext, actor: CurrentActor, national_code: str) -> IdentityCodeOut:
    """A card holder's identity QR, for the office printing the card or a holder asking at an office."""
    return service.identity_code(ctx, actor=actor, national_code=national_code)


@router.post("/credentials/identity/verify", response_model=IdentityVerifiedOut)
def verify_identity_code(ctx: CurrentContext, body: IdentityCodeIn) -> IdentityVerifiedOut:
    """Anyone holding a code may check it online: the registry's signature, its issuer, its validity and
    that the card it stands for is still active. It answers only what the code itself holds."""
    return service.verify_identity_code(ctx, code=body.code)


well_known = APIRouter(tags=["credentials"])


@well_known.get(JWKS_PATH)
def jwks(ctx: CurrentContext) -> dict[str, Any]:
    """The registry's document-signing keys as a JWK Set (RFC 7517; Ed25519 as RFC 8037 writes it), where
    a Claim 169 verifier looks for the keys of the issuer a code names."""
    return {"keys": [key.to_jwk() for key in certificates.public_keys(ctx).keys]}
