"""Signing in and out of the pages (a password, then a second factor or, at first sign-in, enrolling one),
the user's own sessions, and the home page that sends each person where their work is."""

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ..accounts import service as accounts
from ..accounts.errors import AuthRequired
from ..accounts.schemas import SecondFactorStage
from ..accounts.service import actor_for_token, sign_out
from ..context import Context
from ..core.errors import SabtError, Unauthorized
from ..core.permissions import Role
from ..http import CurrentContext, RowId, client_address, retry_after
from .session import (
    SESSION_COOKIE,
    MaybeSignedIn,
    SignedIn,
    check_csrf,
    check_login_token,
    csrf_token,
    end_session,
    login_token,
    remember_login_token,
    start_session,
)
from .templating import page

router = APIRouter(include_in_schema=False)
CSRF = Annotated[str, Form(max_length=100)]
NEXT_STEP = {"required": "/login/factor", "enrol": "/login/enrol"}
Credential = Annotated[dict[str, Any], Body(description="The browser's PublicKeyCredential, as JSON")]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: MaybeSignedIn) -> Response:
    return page(request, "accounts/home.html", {"user": user})


@router.get("/login", response_class=HTMLResponse)
def login_form(ctx: CurrentContext, request: Request, user: MaybeSignedIn) -> Response:
    if user is not None:
        return _after_sign_in(user.actor.role)
    pending = _pending_stage(ctx, request)
    if pending is not None:
        return _see_other(NEXT_STEP[pending])
    return _login_page(ctx, request, username="")


@router.post("/login", response_class=HTMLResponse)
def login(
    ctx: CurrentContext,
    request: Request,
    username: Annotated[str, Form(max_length=60)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf: CSRF = "",
) -> Response:
    check_login_token(ctx, request, csrf)
    attempt = accounts.Attempt(username.strip(), client_address(request))
    try:
        token = accounts.sign_in(ctx, attempt=attempt, password=password)
    except SabtError as error:
        return _refused(
            _login_page(ctx, request, username=username, error=error.message_fa, status=error.status), error
        )
    stage = token.second_factor
    response = _see_other(NEXT_STEP[stage]) if stage in NEXT_STEP else _after_sign_in(_role(ctx, token.access_token))
    start_session(response, ctx, token.access_token)
    return response


@router.post("/logout")
def logout(ctx: CurrentContext, request: Request, csrf: CSRF = "") -> Response:
    """Ends the session, signed in or still giving its second factor."""
    token = request.cookies.get(SESSION_COOKIE, "")
    check_csrf(csrf_token(token), csrf)
    sign_out(ctx, token=token)
    response = _see_other("/login")
    end_session(response)
    return response


# --- the second factor ----------------------------------------------------------------------------------


@router.get("/login/factor", response_class=HTMLResponse)
def factor_form(ctx: CurrentContext, request: Request, next: str = "") -> Response:
    return _factor_page(ctx, request, next_page=next)


@router.post("/login/factor", response_class=HTMLResponse)
def give_factor(
    ctx: CurrentContext,
    request: Request,
    code: Annotated[str, Form(max_length=40)] = "",
    csrf: CSRF = "",
    next: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    token = _session_token(request)
    check_csrf(csrf_token(token), csrf)
    try:
        accounts.give_factor(ctx, token=token, code=code, address=client_address(request))
    except SabtError as error:
        return _refused(_factor_page(ctx, request, next_page=next, error=error.message_fa, status=error.status), error)
    return _see_other(_local(next) or _home_of(ctx, token))


def _factor_page(ctx: Context, request: Request, *, next_page: str, error: str = "", status: int = 200) -> Response:
    token = _session_token(request)
    state = accounts.token_state(ctx, token=token)
    if state.second_factor == "enrol":
        return _see_other("/login/enrol")
    values = {
        "csrf": csrf_token(token),
        "factors": state.factors,
        "next": _local(next_page),
        "error": error,
        "stepping_up": state.second_factor == "done",
    }
    return page(request, "accounts/factor.html", values, status=status)


# --- enrolment ----------------------------------------------------------------------------------------


@router.get("/login/enrol", response_class=HTMLResponse)
def enrol_choice(request: Request) -> Response:
    token = _session_token(request)
    return page(request, "accounts/enrol.html", {"csrf": csrf_token(token)})


@router.post("/login/enrol/totp", response_class=HTMLResponse)
def enrol_totp(ctx: CurrentContext, request: Request, csrf: CSRF = "") -> Response:
    token = _session_token(request)
    check_csrf(csrf_token(token), csrf)
    enrolment = accounts.start_totp(ctx, token=token)
    return page(request, "accounts/enrol_totp.html", {"csrf": csrf, "enrolment": enrolment})


@router.post("/login/enrol/confirm", response_class=HTMLResponse)
def confirm_totp(
    ctx: CurrentContext,
    request: Request,
    code: Annotated[str, Form(max_length=40)] = "",
    secret: Annotated[str, Form(max_length=64)] = "",
    csrf: CSRF = "",
) -> Response:
    token = _session_token(request)
    check_csrf(csrf_token(token), csrf)
    try:
        enrolled = accounts.confirm_totp(ctx, token=token, code=code, address=client_address(request))
    except SabtError as error:
        again = {"secret": secret, "otpauth_uri": "", "qr_svg": ""}
        values = {"csrf": csrf, "enrolment": again, "error": error.message_fa}
        return _refused(page(request, "accounts/enrol_totp.html", values, status=error.status), error)
    return page(request, "accounts/recovery.html", {"codes": enrolled.recovery_codes, "next": _home_of(ctx, token)})


# --- passkeys, for the page's script ------------------------------------------------------------------


@router.post("/login/passkeys/options")
def passkey_registration(ctx: CurrentContext, request: Request) -> Response:
    token = _script_session(request)
    return _json_answer(lambda: json.loads(accounts.passkey_registration(ctx, token=token)))


@router.post("/login/passkeys")
def register_passkey(ctx: CurrentContext, request: Request, credential: Credential) -> Response:
    token, address = _script_session(request), client_address(request)

    def registered() -> dict[str, Any]:
        enrolled = accounts.register_passkey(ctx, token=token, credential=json.dumps(credential), address=address)
        return {"recovery_codes": enrolled.recovery_codes, "next": _home_of(ctx, token)}

    return _json_answer(registered)


@router.post("/login/passkey/challenge")
def passkey_challenge(ctx: CurrentContext, request: Request) -> Response:
    token = _script_session(request)
    return _json_answer(lambda: json.loads(accounts.passkey_challenge(ctx, token=token)))


@router.post("/login/passkey")
def give_passkey(ctx: CurrentContext, request: Request, credential: Credential) -> Response:
    token, address = _script_session(request), client_address(request)

    def given() -> dict[str, Any]:
        accounts.give_passkey(ctx, token=token, credential=json.dumps(credential), address=address)
        return {"next": _home_of(ctx, token)}

    return _json_answer(given)


def _script_session(request: Request) -> str:
    token = _session_token(request)
    check_csrf(csrf_token(token), request.headers.get("x-csrf-token", ""))
    return token


def _json_answer(step: Callable[[], Any]) -> Response:
    """The script's answer: the step's result, or its refusal with the Persian message to show."""
    try:
        return JSONResponse(step())
    except SabtError as error:
        answer = {"message_fa": error.message_fa, "code": error.code}
        return JSONResponse(answer, status_code=error.status, headers=retry_after(error))


# --- the user's own sessions --------------------------------------------------------------------------


@router.get("/account", response_class=HTMLResponse)
def my_account(ctx: CurrentContext, request: Request, user: SignedIn, done: str = "") -> Response:
    values = {
        "user": user,
        "sessions": accounts.my_sessions(ctx, actor=user.actor, token=user.token),
        "factors": accounts.token_state(ctx, token=user.token).factors,
        "done": done == "revoked",
    }
    return page(request, "accounts/account.html", values)


@router.post("/account/sessions/{session_id}/revoke")
def revoke_session(
    ctx: CurrentContext, request: Request, user: SignedIn, session_id: RowId, csrf: CSRF = ""
) -> Response:
    check_csrf(user.csrf, csrf)
    accounts.revoke_my_session(ctx, actor=user.actor, session_id=session_id, address=client_address(request))
    return _see_other("/account?done=revoked")


# --- helpers ------------------------------------------------------------------------------------------


def _session_token(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise AuthRequired()
    return token


def _pending_stage(ctx: Context, request: Request) -> SecondFactorStage | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    try:
        stage = accounts.token_state(ctx, token=token).second_factor
    except Unauthorized:
        return None
    return stage if stage in NEXT_STEP else None


def _role(ctx: Context, token: str) -> Role:
    return actor_for_token(ctx, token).role


# Where each role's work is: a role without an office's desk starts at its own page.
HOME = {Role.CITIZEN: "/me", Role.INVESTIGATOR: "/office/linkage", Role.AUDITOR: "/office/access"}


def _home_of(ctx: Context, token: str) -> str:
    return HOME.get(_role(ctx, token), "/office")


def _after_sign_in(role: Role) -> Response:
    return _see_other(HOME.get(role, "/office"))


def _refused(response: Response, error: SabtError) -> Response:
    """A page that refused a step, with Retry-After when the refusal is a lock-out or a throttle."""
    response.headers.update(retry_after(error))
    return response


def _see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def _local(path: str) -> str:
    """A page of this site to return to, or nothing: never another site's address."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else ""


def _login_page(ctx: Context, request: Request, *, username: str, error: str = "", status: int = 200) -> Response:
    token = login_token(ctx, request)
    values = {"username": username, "error": error, "csrf": token, "demo": not ctx.settings.second_factor}
    response = page(request, "accounts/login.html", values, status=status)
    remember_login_token(response, ctx, token)
    return response
