"""Signing in to the pages: the session is an access token in an HttpOnly cookie (the same tokens as the
API's, stored as SHA-256, revoked at sign-out), and every form carries a CSRF token derived from it.

The cookie is SameSite=Strict and Secure whenever the registry is served over HTTPS, so another site can
neither read it nor make the browser send it; the CSRF token is a second, independent check. The sign-in
form, which has no session yet, uses a double-submit cookie instead.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from ..accounts import service as accounts
from ..context import Context
from ..core.errors import Forbidden, Unauthorized
from ..core.workflow import Actor
from ..http import get_context

SESSION_COOKIE = "sabt_session"
LOGIN_COOKIE = "sabt_login"
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class WebUser:
    actor: Actor
    token: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"sabt csrf", hashlib.sha256).hexdigest()[:32]


def signed_in_user(request: Request, ctx: Annotated[Context, Depends(get_context)]) -> WebUser:
    """The person signed in to the pages; 401 (which the pages turn into the sign-in page) otherwise."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized("auth.required")
    return WebUser(accounts.actor_for_token(ctx, token), token)


def optional_user(request: Request, ctx: Annotated[Context, Depends(get_context)]) -> WebUser | None:
    try:
        return signed_in_user(request, ctx)
    except Unauthorized:
        return None


SignedIn = Annotated[WebUser, Depends(signed_in_user)]
MaybeSignedIn = Annotated[WebUser | None, Depends(optional_user)]


def check_csrf(expected: str, submitted: str) -> None:
    # As bytes: compare_digest refuses text that is not ASCII, and a submitted token may be anything.
    if not submitted or not hmac.compare_digest(expected.encode(), submitted.encode("utf-8", "surrogatepass")):
        raise Forbidden("csrf.invalid")


def start_session(response: Response, ctx: Context, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=ctx.settings.token_hours * 3600, httponly=True,
                        secure=_secure(ctx), samesite="strict", path="/")  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def login_token(request: Request) -> str:
    """The sign-in form's token: kept in a short-lived cookie and repeated in the form (double submit)."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def remember_login_token(response: Response, ctx: Context, token: str) -> None:
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, secure=_secure(ctx), samesite="strict")


def _secure(ctx: Context) -> bool:
    return ctx.settings.public_url.startswith("https://")
