"""Plumbing every feature's routes share: the context, the signed-in actor, and problem+json responses."""

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer

from .accounts.errors import AuthRequired
from .accounts.service import actor_for_token
from .context import Context
from .core.errors import SabtError, TextBadCharacter
from .core.jalali import FIRST_DAY, LAST_DAY
from .core.permissions import Actor
from .core.text import forbidden_character, printable
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
        raise AuthRequired()
    return actor_for_token(ctx, token)


def get_optional_actor(
    ctx: Annotated[Context, Depends(get_context)], token: Annotated[str | None, Depends(bearer)]
) -> Actor | None:
    """The signed-in actor on a public endpoint, or None; a token that is sent must still be valid."""
    return actor_for_token(ctx, token) if token else None


def client_address(request: Request) -> str:
    """The caller's address as the server saw it (behind a proxy: as the proxy reported it)."""
    return request.client.host if request.client else ""


CurrentContext = Annotated[Context, Depends(get_context)]
RowId = Annotated[int, Path(ge=1, le=LARGEST_ID)]  # a table row's id in an address
# A day asked about in a query: within the registry's calendar, where date arithmetic cannot overflow.
DayQuery = Annotated[dt.date | None, Query(ge=FIRST_DAY, le=LAST_DAY)]
OptionalActor = Annotated[Actor | None, Depends(get_optional_actor)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
BearerToken = Annotated[str | None, Depends(bearer)]


def problem_response(
    error: SabtError,
    *,
    instance: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """RFC 9457 problem details, with Sabt's stable code, the field and a Persian message."""
    body: dict[str, Any] = {
        "type": f"urn:sabt:problem:{error.code}",
        "title": error.message_en,
        "status": error.status,
        "detail": error.message_en,
        "code": error.code,
        "field": printable(error.field) if error.field else None,
        "message_fa": error.message_fa,
        "instance": printable(instance),
    }
    if errors:
        body["errors"] = [item | {"field": printable(item["field"]) if item.get("field") else None} for item in errors]
    headers = dict(headers or {})
    if error.code == "auth.step_up":  # RFC 9470: the token is good, its authentication is not recent enough
        headers["WWW-Authenticate"] = 'Bearer error="insufficient_user_authentication"'
    elif error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    headers |= retry_after(error)
    return JSONResponse(body, status_code=error.status, media_type=PROBLEM_JSON, headers=headers)


def retry_after(error: SabtError) -> dict[str, str]:
    """When a refused caller may try again (too many requests, a part briefly unavailable): Retry-After."""
    return {"Retry-After": str(error.params.get("seconds", 1))} if error.status in (429, 503) else {}


async def refuse_forbidden_characters(request: Request) -> None:
    """Every text a request brings, checked once for every route and page: its address, query, form fields
    and every string of its JSON body. No text may hold a control or direction-override character, a lone
    surrogate or a noncharacter (`core.text.forbidden_character`); the refusal names the field.

    An app-wide dependency: FastAPI caches the parsed form or JSON on the request, so the route reads the
    body this looked at, and parses it once."""
    for name, value in request.path_params.items():
        _check(value, field=name)
    for name, value in request.query_params.multi_items():
        _check(name, field=name)
        _check(value, field=name)
    if request.method not in BODY_METHODS:  # a body nothing reads: not parsed, and not limited by BodyLimits
        return
    media_type = media_type_of(request.headers.get("content-type", ""))
    if media_type in FORM_TYPES:
        for name, value in (await request.form()).multi_items():
            _check(name, field=name)
            if isinstance(value, str):
                _check(value, field=name)
    elif is_json(media_type):
        try:
            body = await request.json()
        except (ValueError, RecursionError):  # not JSON: the route's own parsing says so, or it takes no body
            return
        _check_json(body)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def media_type_of(content_type: str) -> str:
    """`application/json` of `Application/JSON; charset=utf-8`: media types are case-insensitive."""
    return content_type.partition(";")[0].strip().lower()


def is_form(request: Request) -> bool:
    return media_type_of(request.headers.get("content-type", "")) in FORM_TYPES


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")  # as FastAPI reads a body as JSON


def _check(value: object, *, field: str) -> None:
    if isinstance(value, str) and (character := forbidden_character(value)):
        raise TextBadCharacter(field=field, character=character)


def _check_json(body: Any) -> None:
    """Walk the parsed body without recursion (a deeply nested body must not exhaust the stack)."""
    waiting: list[tuple[str, Any]] = [("", body)]
    while waiting:
        path, node = waiting.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                field = f"{path}.{key}" if path else str(key)
                _check(key, field=field)
                waiting.append((field, value))
        elif isinstance(node, list):
            waiting.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(node))
        else:
            _check(node, field=path or "body")
