"""Signing in to the pages: the session is an access token in an HttpOnly cookie (the same tokens as the
API's, stored as SHA-256, revoked at sign-out), and every form carries a CSRF token derived from it.

The cookie is SameSite=Strict and Secure whenever the registry is served over HTTPS, so another site can
neither read it nor make the browser send it; the CSRF token is a second, independent check. The sign-in
form, which has no session yet, carries a token the server signed with a key of its own, bound to a
short-lived cookie of the same value and good for an hour.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from ..accounts import service as accounts
from ..accounts.errors import AuthRequired
from ..context import Context
from ..core.errors import CsrfInvalid, Unauthorized
from ..core.permissions import Actor
from ..http import client_address, get_context, is_form
from ..keys import local_secret

SESSION_COOKIE = "sabt_session"
LOGIN_COOKIE = "sabt_login"
CSRF_FIELD = "csrf"
STEP_UP_FIELD = "_step_up_code"  # a form sent again with the second factor's code, after a step-up was asked
LOGIN_TOKEN_SECONDS = 3600


@dataclass(frozen=True)
class WebUser:
    actor: Actor
    token: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"sabt csrf", hashlib.sha256).hexdigest()[:32]


async def step_up_code(request: Request) -> str:
    """The second factor's code a form was sent again with (read on the event loop; the form is cached)."""
    if request.method != "POST" or not is_form(request):
        return ""
    value = (await request.form()).get(STEP_UP_FIELD, "")
    return value if isinstance(value, str) else ""


def signed_in_user(
    request: Request, ctx: Annotated[Context, Depends(get_context)], code: Annotated[str, Depends(step_up_code)]
) -> WebUser:
    """The person signed in to the pages; 401 (which the pages turn into the sign-in page) otherwise. A form
    sent again with the second factor's code steps the session up first."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthRequired()
    if code.strip():
        accounts.give_factor(ctx, token=token, code=code, address=client_address(request))
    return WebUser(accounts.actor_for_token(ctx, token), token)


def optional_user(request: Request, ctx: Annotated[Context, Depends(get_context)]) -> WebUser | None:
    try:
        return signed_in_user(request, ctx, "")
    except Unauthorized:
        return None


SignedIn = Annotated[WebUser, Depends(signed_in_user)]
MaybeSignedIn = Annotated[WebUser | None, Depends(optional_user)]


def check_csrf(expected: str, submitted: str) -> None:
    # As bytes: compare_digest refuses text that is not ASCII, and a submitted token may be anything.
    if not submitted or not hmac.compare_digest(expected.encode(), submitted.encode("utf-8", "surrogatepass")):
        raise CsrfInvalid()


def start_session(response: Response, ctx: Context, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ctx.settings.token_hours * 3600,
        httponly=True,
        secure=_secure(ctx),
        samesite="strict",
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def login_token(ctx: Context, request: Request) -> str:
    """The sign-in form's token: the one its cookie holds while it is still good, else a new one."""
    held = request.cookies.get(LOGIN_COOKIE, "")
    if held and _login_token_good(ctx, held):
        return held
    expires = int(ctx.now().timestamp()) + LOGIN_TOKEN_SECONDS
    body = f"{secrets.token_urlsafe(16)}.{expires}"
    return f"{body}.{_sign(ctx, body)}"


def check_login_token(ctx: Context, request: Request, submitted: str) -> None:
    """The form's token must be the cookie's, signed by this server and not expired."""
    check_csrf(request.cookies.get(LOGIN_COOKIE, ""), submitted)
    if not _login_token_good(ctx, submitted):
        raise CsrfInvalid()


def _login_token_good(ctx: Context, token: str) -> bool:
    body, _, signature = token.rpartition(".")
    _, _, expires = body.partition(".")
    if not expires.isascii() or not expires.isdigit() or int(expires) < ctx.now().timestamp():
        return False
    return hmac.compare_digest(_sign(ctx, body).encode(), signature.encode("utf-8", "surrogatepass"))


def _sign(ctx: Context, body: str) -> str:
    key = local_secret(ctx.settings.secret_file("forms"))
    return hmac.new(key, f"sabt sign-in form {body}".encode(), hashlib.sha256).hexdigest()


def remember_login_token(response: Response, ctx: Context, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=LOGIN_TOKEN_SECONDS, httponly=True, secure=_secure(ctx), samesite="strict"
    )


def _secure(ctx: Context) -> bool:
    return ctx.settings.public_url.startswith("https://")
