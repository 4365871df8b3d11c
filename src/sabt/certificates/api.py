"""Certificate routes: issuing, printing and revoking for office staff; verification and the public key
set for anyone."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, UploadFile, status
from fastapi.responses import Response

from ..db import LARGEST_ID
from ..http import CurrentActor, CurrentContext, DayQuery, OptionalActor
from . import service, verification
from .reading import code_from_bytes
from .schemas import (
    CertificateOut,
    CertificateRequest,
    ForgeryCountOut,
    PrintedCopyOut,
    RevokeIn,
    VerificationOut,
    VerifyIn,
)

router = APIRouter(tags=["certificates"])
UPLOAD_PATH = "/api/certificates/verify/file"
KEYS_PATH = "/.well-known/sabt-certificate-keys.json"


@router.post("/certificates", response_model=CertificateOut, status_code=status.HTTP_201_CREATED)
def issue_certificate(ctx: CurrentContext, actor: CurrentActor, request: CertificateRequest) -> CertificateOut:
    """Issue a certificate with a new serial and a signed QR code (registrar, office head)."""
    return service.issue_certificate(ctx, actor=actor, request=request)


@router.get("/certificates", response_model=list[CertificateOut])
def list_certificates(
    ctx: CurrentContext, actor: CurrentActor, national_code: Annotated[str, Query(max_length=20)]
) -> list[CertificateOut]:
    """Every certificate naming a person, newest first."""
    return service.certificates_of(ctx, actor=actor, national_code=national_code)


@router.get("/certificates/forgeries", response_model=list[ForgeryCountOut])
def forgeries(
    ctx: CurrentContext, actor: CurrentActor, since: DayQuery = None, until: DayQuery = None
) -> list[ForgeryCountOut]:
    """Suspected forgeries per province, Jalali month and reason (auditors, office heads, administrators)."""
    return verification.forgery_counts(ctx, actor=actor, since=since, until=until)


@router.get("/certificates/printed", response_model=list[PrintedCopyOut])
def printed_at_office(
    ctx: CurrentContext,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=LARGEST_ID)] = 0,
) -> list[PrintedCopyOut]:
    """The copies the caller's office printed, newest first, a page of `limit` after `offset`."""
    return service.printed_at_office(ctx, actor=actor, limit=limit, offset=offset)


@router.get("/certificates/keys")
def public_keys(ctx: CurrentContext) -> dict[str, Any]:
    """The public key set (JWK Set with signing periods) that verifies certificate codes offline."""
    return service.public_keys(ctx).to_json()


@router.post("/certificates/verify", response_model=VerificationOut)
def verify(ctx: CurrentContext, actor: OptionalActor, body: VerifyIn, request: Request) -> VerificationOut:
    """Anyone may verify a code. The verdict is in the body (200) whenever the code could be read; a code
    that cannot be read is a 422. Anything but "genuine" is recorded as a suspected forgery."""
    return verification.verify_online(
        ctx,
        text=body.code,
        channel="api",
        actor=actor,
        network=_network(request),
        checks=request.app.state.certificate_checks,
    )


@router.post("/certificates/verify/file", response_model=VerificationOut)
def verify_file(ctx: CurrentContext, actor: OptionalActor, file: UploadFile, request: Request) -> VerificationOut:
    """Verify a photo or scan (PNG, JPEG) or the PDF of a certificate, sent as multipart form data."""
    text = code_from_bytes(file.file.read())
    return verification.verify_online(
        ctx,
        text=text,
        channel="api",
        actor=actor,
        network=_network(request),
        checks=request.app.state.certificate_checks,
    )


def _network(request: Request) -> str | None:
    return verification.client_network(request.client.host if request.client else None)


@router.get("/certificates/{serial}", response_model=CertificateOut)
def get_certificate(ctx: CurrentContext, actor: CurrentActor, serial: str) -> CertificateOut:
    return service.get_certificate(ctx, actor=actor, serial=serial)


@router.post("/certificates/{serial}/print", response_class=Response)
def print_certificate(ctx: CurrentContext, actor: CurrentActor, serial: str) -> Response:
    """The certificate as a PDF; each call is recorded as a printed copy."""
    certificate, pdf = service.print_certificate(ctx, actor=actor, serial=serial)
    headers = {
        "Content-Disposition": f'inline; filename="{certificate.serial}.pdf"',
        "X-Copy-Number": str(certificate.prints),
    }
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post("/certificates/{serial}/revoke", response_model=CertificateOut)
def revoke_certificate(ctx: CurrentContext, actor: CurrentActor, serial: str, body: RevokeIn) -> CertificateOut:
    return service.revoke_certificate(ctx, actor=actor, serial=serial, reason=body.reason)


well_known = APIRouter(tags=["certificates"])


@well_known.get(KEYS_PATH)
def well_known_keys(ctx: CurrentContext) -> dict[str, Any]:
    """The same key set at a well-known address, for verifier apps to fetch and cache."""
    return service.public_keys(ctx).to_json()
