"""Users, roles, passwords, second factors and access tokens."""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request, status
from fastapi.responses import Response
from fastapi.security import OAuth2PasswordRequestForm

from ..core.permissions import Actor
from ..http import BearerToken, CurrentActor, CurrentContext, RowId, client_address
from . import service, sign_in
from .errors import AuthRequired
from .schemas import (
    AccountEventOut,
    CodeIn,
    LockedAccountOut,
    PasskeyIn,
    RecoveryCodesOut,
    SessionOut,
    TokenOut,
    TotpEnrolmentOut,
    UserIn,
    UserOut,
)

router = APIRouter(tags=["accounts"])
Username = Annotated[str, Query(max_length=60)]
UserInPath = Annotated[str, Path(max_length=60)]


@router.post("/auth/token", response_model=TokenOut)
def sign_in_with_password(
    ctx: CurrentContext,
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    code: Annotated[str | None, Form(max_length=40, description="The second factor's code, if known")] = None,
) -> TokenOut:
    """Exchange a username and password (form-encoded, OAuth2 password flow), with the second factor's code
    when the account has one, for a bearer token. Without the code the token can only give it
    (`/auth/factor`) or, at first sign-in, enrol one (`second_factor` says which)."""
    attempt = sign_in.Attempt(form.username, client_address(request))
    return sign_in.sign_in(ctx, attempt=attempt, password=form.password, code=code)


def _token(token: str | None) -> str:
    if not token:
        raise AuthRequired()
    return token


@router.post("/auth/factor", response_model=TokenOut)
def give_factor(ctx: CurrentContext, request: Request, token: BearerToken, body: CodeIn) -> TokenOut:
    """The second factor of this session: an authenticator app's code or a recovery code. Given again, it
    is a step-up: steps that need a recent factor are allowed for the next few minutes."""
    return sign_in.give_factor(ctx, token=_token(token), code=body.code, address=client_address(request))


@router.post("/auth/totp", response_model=TotpEnrolmentOut)
def start_totp(ctx: CurrentContext, token: BearerToken) -> TotpEnrolmentOut:
    """A new authenticator-app secret (QR code and text), confirmed by its first code at `/auth/totp/confirm`."""
    return sign_in.start_totp(ctx, token=_token(token))


@router.post("/auth/totp/confirm", response_model=RecoveryCodesOut)
def confirm_totp(ctx: CurrentContext, request: Request, token: BearerToken, body: CodeIn) -> RecoveryCodesOut:
    return sign_in.confirm_totp(ctx, token=_token(token), code=body.code, address=client_address(request))


@router.post("/auth/passkeys/options")
def passkey_registration(ctx: CurrentContext, token: BearerToken) -> Response:
    """WebAuthn options for creating a passkey for this account."""
    return _json(sign_in.passkey_registration(ctx, token=_token(token)))


@router.post("/auth/passkeys", response_model=RecoveryCodesOut)
def register_passkey(ctx: CurrentContext, request: Request, token: BearerToken, body: PasskeyIn) -> RecoveryCodesOut:
    credential = json.dumps(body.credential)
    return sign_in.register_passkey(ctx, token=_token(token), credential=credential, address=client_address(request))


@router.post("/auth/passkey/challenge")
def passkey_challenge(ctx: CurrentContext, token: BearerToken) -> Response:
    """WebAuthn options for signing with one of this account's passkeys."""
    return _json(sign_in.passkey_challenge(ctx, token=_token(token)))


@router.post("/auth/passkey", response_model=TokenOut)
def give_passkey(ctx: CurrentContext, request: Request, token: BearerToken, body: PasskeyIn) -> TokenOut:
    credential = json.dumps(body.credential)
    return sign_in.give_passkey(ctx, token=_token(token), credential=credential, address=client_address(request))


def _json(text: str) -> Response:
    return Response(text, media_type="application/json")


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(ctx: CurrentContext, _actor: CurrentActor, token: BearerToken) -> None:
    service.sign_out(ctx, token=_token(token))


@router.get("/me")
def who_am_i(actor: CurrentActor) -> Actor:
    return actor


@router.get("/me/sessions", response_model=list[SessionOut])
def my_sessions(ctx: CurrentContext, actor: CurrentActor, token: BearerToken) -> list[SessionOut]:
    return sign_in.my_sessions(ctx, actor=actor, token=_token(token))


@router.post("/me/sessions/{session_id}/revoke", response_model=SessionOut)
def revoke_my_session(ctx: CurrentContext, request: Request, actor: CurrentActor, session_id: RowId) -> SessionOut:
    return sign_in.revoke_my_session(ctx, actor=actor, session_id=session_id, address=client_address(request))


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(ctx: CurrentContext, actor: CurrentActor, user: UserIn) -> UserOut:
    return service.create_user(ctx, actor=actor, user=user)


@router.get("/users", response_model=list[UserOut])
def list_users(ctx: CurrentContext, actor: CurrentActor) -> list[UserOut]:
    return service.list_users(ctx, actor=actor)


@router.get("/users/{username}/sessions", response_model=list[SessionOut])
def sessions_of(ctx: CurrentContext, actor: CurrentActor, username: UserInPath) -> list[SessionOut]:
    return sign_in.sessions_of(ctx, actor=actor, username=username)


@router.post("/users/{username}/sessions/{session_id}/revoke", response_model=SessionOut)
def revoke_session_of(
    ctx: CurrentContext, request: Request, actor: CurrentActor, username: UserInPath, session_id: RowId
) -> SessionOut:
    address = client_address(request)
    return sign_in.revoke_session_of(ctx, actor=actor, username=username, session_id=session_id, address=address)


@router.post("/users/{username}/unlock", status_code=status.HTTP_204_NO_CONTENT)
def unlock(ctx: CurrentContext, request: Request, actor: CurrentActor, username: UserInPath) -> None:
    sign_in.unlock(ctx, actor=actor, username=username, address=client_address(request))


@router.post("/users/{username}/factors/reset", status_code=status.HTTP_204_NO_CONTENT)
def reset_factors(ctx: CurrentContext, request: Request, actor: CurrentActor, username: UserInPath) -> None:
    """Revoke every second factor and recovery code of a user who lost them, and end their sessions; they
    enrol a new factor at their next sign-in."""
    sign_in.reset_factors(ctx, actor=actor, username=username, address=client_address(request))


@router.get("/security/locked", response_model=list[LockedAccountOut])
def locked_accounts(ctx: CurrentContext, actor: CurrentActor) -> list[LockedAccountOut]:
    return sign_in.locked_accounts(ctx, actor=actor)


@router.get("/security/events", response_model=list[AccountEventOut])
def account_events(
    ctx: CurrentContext,
    actor: CurrentActor,
    username: Username | None = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AccountEventOut]:
    """Sign-ins, failures, lock-outs, unlocks, factors added and sessions ended, newest first."""
    return sign_in.account_events(ctx, actor=actor, username=username, kind=kind, limit=limit)
