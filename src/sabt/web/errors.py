"""Refusals on the pages: a Persian error page, the sign-in page when the session is missing or over, and the
second factor asked again when a step needs a recent one."""

from fastapi import Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..accounts import service as accounts
from ..accounts.service import actor_for_token
from ..context import Context
from ..core.errors import SabtError
from ..http import is_form, retry_after
from .session import CSRF_FIELD, SESSION_COOKIE, STEP_UP_FIELD, WebUser, csrf_token
from .templating import page

# Addresses that answer programs (problem+json), not people.
NOT_PAGES = ("/api/", "/docs", "/openapi.json", "/health", "/metrics", "/.well-known/", "/static/")


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


async def page_for_error(request: Request, error: SabtError) -> Response:
    if error.code == "auth.step_up" or (error.code.startswith("factor.") and await _stepping_up(request)):
        return await _step_up(request, error)  # asked for the factor, or given a wrong one: ask again
    if error.status == status.HTTP_401_UNAUTHORIZED:
        return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    back = "/office" if request.url.path.startswith("/office") else "/"
    response = page(request, "office/error.html", {"message": error.message_fa, "back": back}, status=error.status)
    response.headers.update(retry_after(error))
    return response


async def _stepping_up(request: Request) -> bool:
    """Whether the request is a form sent again with a step-up's code."""
    return request.method == "POST" and is_form(request) and STEP_UP_FIELD in await request.form()


async def _step_up(request: Request, error: SabtError) -> Response:
    """A form that needs a recent second factor comes back with a field for it and everything that was
    typed, to be sent again as it was; a page that was only opened is opened again after the factor."""
    if request.method != "POST":
        return RedirectResponse(f"/login/factor?next={request.url.path}", status_code=status.HTTP_303_SEE_OTHER)
    typed = (await request.form()).multi_items() if is_form(request) else []
    fields = [
        (name, value) for name, value in typed if isinstance(value, str) and name not in (STEP_UP_FIELD, CSRF_FIELD)
    ]
    token = request.cookies.get(SESSION_COOKIE, "")
    fields.append((CSRF_FIELD, csrf_token(token)))
    user, usable = await run_in_threadpool(_signed_in, request.app.state.context, token)
    values = {
        "user": user,
        "message": error.message_fa,
        "action": request.url.path,
        "fields": fields,
        "csrf": csrf_token(token),
        "passkey": "webauthn" in usable,
    }
    return page(request, "accounts/step_up.html", values, status=error.status)


def _signed_in(ctx: Context, token: str) -> tuple[WebUser, list[str]]:
    """Who is asked to step up (for the page's header), and which factors they can give."""
    return WebUser(actor_for_token(ctx, token), token), accounts.token_state(ctx, token=token).factors
