"""Plumbing every feature's routes share: the context, the signed-in actor, and problem+json responses."""

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer

from .accounts.service import actor_for_token
from .context import Context
from .core.errors import SabtError, Unauthorized
from .core.workflow import Actor
from .db import LARGEST_ID

PROBLEM_JSON = "application/problem+json"
TOKEN_URL = "/api/auth/token"  # noqa: S105 (an address, not a secret)

bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


async def get_context(request: Request) -> Context:
    # async: it does no I/O, so FastAPI calls it on the event loop instead of a worker thread.
    context: Context = request.app.state.context
    return context


def get_actor(ctx: Annotated[Context, Depends(get_context)], token: Annotated[str | None, Depends(bearer)]) -> Actor:
    if not token:
        raise Unauthorized("auth.required")
    return actor_for_token(ctx, token)


def get_optional_actor(
    ctx: Annotated[Context, Depends(get_context)], token: Annotated[str | None, Depends(bearer)]
) -> Actor | None:
    """The signed-in actor on a public endpoint, or None; a token that is sent must still be valid."""
    return actor_for_token(ctx, token) if token else None


CurrentContext = Annotated[Context, Depends(get_context)]
RowId = Annotated[int, Path(ge=1, le=LARGEST_ID)]  # a table row's id in an address
OptionalActor = Annotated[Actor | None, Depends(get_optional_actor)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
BearerToken = Annotated[str | None, Depends(bearer)]


def problem_response(error: SabtError, *, instance: str, errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    """RFC 9457 problem details, with Sabt's stable code, the field and a Persian message."""
    body: dict[str, Any] = {
        "type": f"urn:sabt:problem:{error.code}",
        "title": error.message_en,
        "status": error.status,
        "detail": error.message_en,
        "code": error.code,
        "field": error.field,
        "message_fa": error.message_fa,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    if error.status in (429, 503):
        headers = {"Retry-After": str(error.params.get("seconds", 1))}
    return JSONResponse(body, status_code=error.status, media_type=PROBLEM_JSON, headers=headers)
