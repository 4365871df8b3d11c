"""Signing in and out of the pages, and the home page that sends each person where their work is."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..accounts import service
from ..core.errors import Unauthorized
from ..core.workflow import Role
from ..http import CurrentContext
from .session import (
    LOGIN_COOKIE,
    MaybeSignedIn,
    SignedIn,
    check_csrf,
    end_session,
    login_token,
    remember_login_token,
    start_session,
)
from .templating import page

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: MaybeSignedIn) -> Response:
    return page(request, "accounts/home.html", {"user": user})


@router.get("/login", response_class=HTMLResponse)
def login_form(ctx: CurrentContext, request: Request, user: MaybeSignedIn) -> Response:
    if user is not None:
        return _after_sign_in(user.actor.role)
    return _login_page(ctx, request, username="")


@router.post("/login", response_class=HTMLResponse)
def login(
    ctx: CurrentContext,
    request: Request,
    username: Annotated[str, Form(max_length=60)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    check_csrf(request.cookies.get(LOGIN_COOKIE, ""), csrf)
    try:
        token = service.sign_in(ctx, username=username.strip(), password=password)
    except Unauthorized as error:
        return _login_page(ctx, request, username=username, error=error.message_fa, status=401)
    actor = service.actor_for_token(ctx, token.access_token)
    response = _after_sign_in(actor.role)
    start_session(response, ctx, token.access_token)
    return response


@router.post("/logout")
def logout(ctx: CurrentContext, user: SignedIn, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    check_csrf(user.csrf, csrf)
    service.sign_out(ctx, token=user.token)
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    end_session(response)
    return response


def _after_sign_in(role: Role) -> Response:
    return RedirectResponse("/me" if role == Role.CITIZEN else "/office", status_code=status.HTTP_303_SEE_OTHER)


def _login_page(
    ctx: CurrentContext, request: Request, *, username: str, error: str = "", status: int = 200
) -> Response:
    token = login_token(request)
    response = page(request, "accounts/login.html", {"username": username, "error": error, "csrf": token},
                    status=status)  # fmt: skip
    remember_login_token(response, ctx, token)
    return response
