"""The pages of account security and the access log: for the national administrator, locked accounts and
what happened to accounts (with an unlock); for auditors, who read a person's record, what a user read, and
the report of unusual access."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import service as access
from ..accounts import service as accounts
from ..core.errors import SabtError
from ..core.permissions import Action
from ..http import CurrentContext, client_address
from ..registry import service as registry
from .session import SignedIn, check_csrf
from .templating import page

router = APIRouter(include_in_schema=False)
CSRF = Annotated[str, Form(max_length=100)]


@router.get("/office/security", response_class=HTMLResponse)
def security(ctx: CurrentContext, request: Request, user: SignedIn, done: str = "") -> Response:
    values = {
        "user": user,
        "locked": accounts.locked_accounts(ctx, actor=user.actor),
        "events": accounts.account_events(ctx, actor=user.actor, limit=100),
        "may_unlock": user.actor.may(Action.MANAGE_USERS),
        "done": done == "unlocked",
    }
    return page(request, "office/security.html", values)


@router.post("/office/security/unlock")
def unlock(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    username: Annotated[str, Form(max_length=60)] = "",
    csrf: CSRF = "",
) -> Response:
    check_csrf(user.csrf, csrf)
    accounts.unlock(ctx, actor=user.actor, username=username, address=client_address(request))
    return RedirectResponse("/office/security?done=unlocked", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/office/access", response_class=HTMLResponse)
def access_log(ctx: CurrentContext, request: Request, user: SignedIn) -> Response:
    findings = access.unusual_access(ctx, actor=user.actor, holding_offices=registry.offices_holding)
    return page(request, "office/access.html", {"user": user, "findings": findings, "reads": None, "query": {}})


@router.post("/office/access", response_class=HTMLResponse)
def access_of(
    ctx: CurrentContext,
    request: Request,
    user: SignedIn,
    national_code: Annotated[str, Form(max_length=20)] = "",
    username: Annotated[str, Form(max_length=60)] = "",
    csrf: CSRF = "",
) -> Response:
    """Who read a person's record (by national code), or what a user read (by username)."""
    check_csrf(user.csrf, csrf)
    query = {"national_code": national_code, "username": username}
    try:
        if national_code.strip():
            reads = access.reads_of_person(ctx, actor=user.actor, national_code=national_code)
        else:
            reads = access.reads_by_user(ctx, actor=user.actor, username=username.strip())
    except SabtError as error:
        values = {"user": user, "findings": [], "reads": None, "query": query, "error": error.message_fa}
        return page(request, "office/access.html", values, status=error.status)
    return page(request, "office/access.html", {"user": user, "findings": [], "reads": reads, "query": query})
