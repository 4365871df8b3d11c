"""The public verification page: paste a certificate's code or upload a photo, scan or PDF of it."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from ..core.errors import InvalidInput
from ..core.jalali import to_jalali
from ..http import CurrentContext
from ..web.templating import page
from . import verification
from .reading import code_from_bytes

router = APIRouter(include_in_schema=False)
VERIFY_PAGE = "/verify"
HEADLINES = {
    "genuine": ("good", "گواهی اصیل و معتبر است"),
    "superseded": ("warn", "گواهی اصیل است اما جایگزین شده است"),
    "revoked": ("warn", "گواهی اصیل است اما باطل شده است"),
}
NOT_GENUINE = ("bad", "این گواهی تأیید نشد: احتمال جعل")


@router.get(VERIFY_PAGE, response_class=HTMLResponse)
def verify_form(ctx: CurrentContext, request: Request) -> HTMLResponse:
    return _page(ctx, request, code="")


@router.post(VERIFY_PAGE, response_class=HTMLResponse)
def verify_submitted(
    ctx: CurrentContext,
    request: Request,
    code: Annotated[str, Form(max_length=5000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    try:
        data = file.file.read() if file is not None and file.filename else b""
        text = code_from_bytes(data) if data else code
        network = verification.client_network(request.client.host if request.client else None)
        checks = request.app.state.certificate_checks
        result = verification.verify_online(ctx, text=text, channel="web", network=network, checks=checks)
    except InvalidInput as error:
        return _page(ctx, request, code=code, error=error, status=422)
    tone, headline = HEADLINES.get(result.verdict, NOT_GENUINE)
    issued_on = to_jalali(result.issued_at.date()) if result.issued_at and result.genuine_signature else None
    return _page(ctx, request, code=code, result=result, tone=tone, headline=headline, issued_on=issued_on)


def _page(ctx: CurrentContext, request: Request, *, code: str, status: int = 200, **values: object) -> HTMLResponse:
    max_mb = ctx.settings.max_upload_bytes // (1024 * 1024)
    return page(request, "certificates/verify.html", {"code": code, "max_mb": max_mb, **values}, status=status)
