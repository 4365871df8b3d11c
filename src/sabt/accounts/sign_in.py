"""Use cases for signing in: a password, then a second factor (an authenticator app's code, a passkey or a
one-time recovery code); enrolment of a factor at first sign-in; step-up; lock-out and throttling; a
user's sessions.

A password alone opens a session that can only give its second factor (or, at first sign-in, enrol one):
every other request refuses it. Every failure is an account event, counted by the name typed and by the
client's address; a lock-out and an unlock are account events too, and the national administrator sees
them all.
"""

import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..context import Context
from ..core.errors import AuthStepUp, Unauthorized
from ..core.permissions import Action, Actor, authorize
from ..core.sign_in import (
    ACCOUNT_FAILURES,
    ADDRESS_FAILURES,
    FAILED,
    LOCK,
    WINDOW,
    Happened,
    account_state,
    address_retry_after,
    locks_now,
    seconds_until,
)
from ..db import serialize
from . import factors
from .errors import (
    AuthInvalid,
    AuthLocked,
    AuthNotLocked,
    AuthThrottled,
    FactorInvalid,
    FactorNoPasskey,
    FactorPasskey,
    FactorRecovery,
    SessionUnknown,
)
from .models import AccessToken, AccountEvent, User
from .schemas import (
    AccountEventOut,
    LockedAccountOut,
    RecoveryCodesOut,
    SecondFactorStage,
    SessionOut,
    TokenOut,
    TotpEnrolmentOut,
)
from .users import (
    digest,
    find_user,
    needs_factor,
    password_matches,
    session_of,
    stepped_up,
    user_named,
    usernames,
)

ADDRESS_LENGTH = 45
T = TypeVar("T")


class _Refused(Exception):
    """A sign-in step that failed: counted against the name and the address, and recorded."""

    def __init__(self, kind: str, user_id: int | None, error: Unauthorized) -> None:
        self.kind, self.user_id, self.error = kind, user_id, error


@dataclass(frozen=True)
class Attempt:
    username: str
    address: str  # the client's, as the server saw it; empty from the command line


def sign_in(ctx: Context, *, attempt: Attempt, password: str, code: str | None = None) -> TokenOut:
    """Check a password (and, when given, the second factor's code) and hand out a new bearer token; it can
    act only once its second factor is given, when the account needs one."""
    with ctx.db.snapshot(primary=True) as session:
        _refuse_if_throttled(session, attempt, ctx.now())  # before the password is hashed: a lock costs nothing
        user = find_user(session, attempt.username)
        password_hash = user.password_hash if user else None
    right = password_matches(password_hash, password)  # slow on purpose (Argon2id): outside any lock

    def signed_in(session: Session, now: dt.datetime) -> TokenOut:
        user = find_user(session, attempt.username)
        if not right or user is None:
            raise _Refused("failed_password", user.id if user else None, AuthInvalid())
        factor = _factor_given(session, ctx, user, code, now) if code and needs_factor(ctx.settings, user) else None
        token = secrets.token_urlsafe(32)
        access = _new_token(session, ctx, user, digest(token), factor, attempt.address, now)
        if _stage(session, ctx, user, access) in ("done", "not_required"):
            _record(session, user.username, "signed_in", user.id, attempt.address, now, detail=factor or "")
        return _token_out(session, ctx, user, access, token)

    return _decided(ctx, attempt, signed_in)


def _decided(ctx: Context, attempt: Attempt, step: Callable[[Session, dt.datetime], T]) -> T:
    """One attempt on a name, decided while no other attempt on that name or from that address is: the lock
    and the throttle are checked, and a failure is counted, in the same transaction, so that attempts sent
    together cannot all pass the check before any of them is counted. Its time is read once the attempt
    holds the lock (and SQLite's write transaction has begun), so that it sees every failure committed
    before it. A failed step's own changes (a passkey challenge used up) are kept with its record."""
    with ctx.db.transaction() as session:
        serialize(session, f"sign-in name {attempt.username}", f"sign-in address {attempt.address}")
        session.connection()  # begins the transaction now: on SQLite, BEGIN IMMEDIATE waits for the write lock
        now = ctx.now()
        _refuse_if_throttled(session, attempt, now)
        try:
            return step(session, now)
        except _Refused as refused:
            _record_failure(session, attempt, refused, now)
            failure = refused
    raise failure.error


def give_factor(ctx: Context, *, token: str, code: str, address: str) -> TokenOut:
    """The second factor of a session opened with a password (its sign-in), or again (a step-up)."""

    def given(session: Session, access: AccessToken, user: User, now: dt.datetime) -> TokenOut:
        factor = _factor_given(session, ctx, user, code, now)
        return _factor_taken(session, ctx, user, access, factor, address, now, token)

    return _factor_step(ctx, token, address, given)


def _factor_step(
    ctx: Context, token: str, address: str, step: Callable[[Session, AccessToken, User, dt.datetime], T]
) -> T:
    """A step of a session that gives a factor, decided as a password is: refused while its name is locked
    or its address throttled, and a factor it refuses counted against both."""
    attempt = _attempt_of(ctx, token, address)

    def within(session: Session, now: dt.datetime) -> T:
        access, user = session_of(session, token, now)
        return step(session, access, user, now)

    return _decided(ctx, attempt, within)


@contextmanager
def _counted_as_failure(user: User) -> Iterator[None]:
    try:
        yield
    except Unauthorized as error:
        raise _Refused("failed_factor", user.id, error) from None


def _factor_given(session: Session, ctx: Context, user: User, code: str, now: dt.datetime) -> str:
    if factors.looks_like_recovery_code(code):
        if factors.use_recovery_code(session, user, code, now):
            return "recovery"
        raise _Refused("failed_factor", user.id, FactorRecovery(field="code"))
    if factors.check_totp(session, ctx.settings, user, code, now):
        return "totp"
    raise _Refused("failed_factor", user.id, FactorInvalid(field="code"))


def _factor_taken(
    session: Session,
    ctx: Context,
    user: User,
    access: AccessToken,
    factor: str,
    address: str,
    now: dt.datetime,
    token: str,
) -> TokenOut:
    signing_in = access.factor is None
    access.factor, access.factor_at, access.challenge = factor, now, None
    _record(session, user.username, "signed_in" if signing_in else "stepped_up", user.id, address, now, detail=factor)
    if factor == "recovery":
        _record(session, user.username, "recovery_used", user.id, address, now)
    return _token_out(session, ctx, user, access, token)


# --- enrolment ----------------------------------------------------------------------------------------


def start_totp(ctx: Context, *, token: str) -> TotpEnrolmentOut:
    """A new authenticator-app secret for the session's user, shown once as a QR code and as text."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        access, user = session_of(session, token, now)
        _refuse_unless_may_add_factor(session, ctx, user, access, now)
        secret = factors.start_totp(session, ctx.settings, user, now)
        uri = factors.provisioning_uri(secret, user.username)
    return TotpEnrolmentOut(secret=secret, otpauth_uri=uri, qr_svg=factors.qr_svg_data_uri(uri))


def confirm_totp(ctx: Context, *, token: str, code: str, address: str) -> RecoveryCodesOut:
    """The first code of the new secret confirms it; the session counts as signed in with it, and the user
    gets new recovery codes."""

    def confirmed(session: Session, access: AccessToken, user: User, now: dt.datetime) -> RecoveryCodesOut:
        _refuse_unless_may_add_factor(session, ctx, user, access, now)
        with _counted_as_failure(user):
            factors.confirm_totp(session, ctx.settings, user, code, now)
        return _enrolled(session, ctx, user, access, "totp", address, now, token)

    return _factor_step(ctx, token, address, confirmed)


def passkey_registration(ctx: Context, *, token: str) -> str:
    """Options for the browser to create a passkey for the session's user (JSON)."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        access, user = session_of(session, token, now)
        _refuse_unless_may_add_factor(session, ctx, user, access, now)
        options, access.challenge = factors.registration_options(session, ctx.settings, user)
        return options


def register_passkey(ctx: Context, *, token: str, credential: str, address: str) -> RecoveryCodesOut:
    now = ctx.now()
    with ctx.db.transaction() as session:
        access, user = session_of(session, token, now)
        _refuse_unless_may_add_factor(session, ctx, user, access, now)
        challenge = _take_challenge(access)
        factors.register_passkey(session, ctx.settings, user, credential, challenge, now)
        return _enrolled(session, ctx, user, access, "webauthn", address, now, token)


def _enrolled(
    session: Session,
    ctx: Context,
    user: User,
    access: AccessToken,
    kind: str,
    address: str,
    now: dt.datetime,
    token: str,
) -> RecoveryCodesOut:
    _record(session, user.username, "factor_added", user.id, address, now, detail=kind)
    codes = factors.new_recovery_codes(session, user, now)
    return RecoveryCodesOut(
        recovery_codes=codes, token=_factor_taken(session, ctx, user, access, kind, address, now, token)
    )


def _refuse_unless_may_add_factor(
    session: Session, ctx: Context, user: User, access: AccessToken, now: dt.datetime
) -> None:
    """A first factor may be added by the password's session; a further one needs a recent factor, so that
    a stolen password cannot add an attacker's authenticator."""
    if not factors.factor_kinds(session, user.id):
        return
    if access.factor is None or not stepped_up(ctx.settings, user, access, now):
        raise AuthStepUp(action="add_factor")


# --- passkeys as the second factor --------------------------------------------------------------------


def passkey_challenge(ctx: Context, *, token: str) -> str:
    """Options for the browser to sign with one of the user's passkeys (JSON)."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        access, user = session_of(session, token, now)
        if "webauthn" not in factors.factor_kinds(session, user.id):
            raise FactorNoPasskey()
        options, access.challenge = factors.authentication_options(session, ctx.settings, user)
        return options


def give_passkey(ctx: Context, *, token: str, credential: str, address: str) -> TokenOut:
    def given(session: Session, access: AccessToken, user: User, now: dt.datetime) -> TokenOut:
        challenge = _take_challenge(access)
        with _counted_as_failure(user):
            factors.check_passkey(session, ctx.settings, user, credential, challenge)
        return _factor_taken(session, ctx, user, access, "webauthn", address, now, token)

    return _factor_step(ctx, token, address, given)


def _take_challenge(access: AccessToken) -> bytes:
    """The challenge the session was given, used once."""
    challenge, access.challenge = access.challenge, None
    if challenge is None:
        raise FactorPasskey(field="credential", detail="ask for a challenge first")
    return challenge


# --- sessions and their state -------------------------------------------------------------------------


def token_state(ctx: Context, *, token: str) -> TokenOut:
    """The session's token as the sign-in answered it, without the token itself."""
    with ctx.db.snapshot(primary=True) as session:
        access, user = session_of(session, token, ctx.now())
        return _token_out(session, ctx, user, access, "")


def _stage(session: Session, ctx: Context, user: User, access: AccessToken) -> SecondFactorStage:
    if not needs_factor(ctx.settings, user):
        return "not_required"
    if access.factor is not None:
        return "done"
    return "required" if factors.factor_kinds(session, user.id) else "enrol"


def _attempt_of(ctx: Context, token: str, address: str) -> Attempt:
    """A factor given to a session is an attempt on its user's name, counted as a password is."""
    with ctx.db.snapshot(primary=True) as session:
        return Attempt(session_of(session, token, ctx.now())[1].username, address)


def _new_token(
    session: Session, ctx: Context, user: User, token_hash: str, factor: str | None, address: str, now: dt.datetime
) -> AccessToken:
    access = AccessToken(
        user_id=user.id,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + dt.timedelta(hours=ctx.settings.token_hours),
        revoked_at=None,
        factor=factor,
        factor_at=now if factor else None,
        address=address[:ADDRESS_LENGTH],
    )
    session.add(access)
    return access


def _token_out(session: Session, ctx: Context, user: User, access: AccessToken, token: str) -> TokenOut:
    kinds = sorted(factors.factor_kinds(session, user.id))
    usable = [*kinds, "recovery"] if kinds else []
    return TokenOut(
        access_token=token,
        expires_at=access.expires_at,
        second_factor=_stage(session, ctx, user, access),
        factors=usable,
    )


def my_sessions(ctx: Context, *, actor: Actor, token: str) -> list[SessionOut]:
    """The signed-in user's sessions, newest first, the current one marked."""
    with ctx.db.snapshot(primary=True) as session:
        return _sessions(session, actor.user_id, current=digest(token))


def revoke_my_session(ctx: Context, *, actor: Actor, session_id: int, address: str) -> SessionOut:
    return _revoke(ctx, actor=actor, user_id=actor.user_id, session_id=session_id, address=address)


def sessions_of(ctx: Context, *, actor: Actor, username: str) -> list[SessionOut]:
    authorize(actor, Action.READ_ACCOUNTS)
    with ctx.db.snapshot(primary=True) as session:
        return _sessions(session, user_named(session, username).id, current="")


def revoke_session_of(ctx: Context, *, actor: Actor, username: str, session_id: int, address: str) -> SessionOut:
    """A national administrator ends another user's session (a lost phone, a suspected theft)."""
    authorize(actor, Action.MANAGE_USERS)
    with ctx.db.snapshot(primary=True) as session:
        user_id = user_named(session, username).id
    return _revoke(ctx, actor=actor, user_id=user_id, session_id=session_id, address=address)


def _revoke(ctx: Context, *, actor: Actor, user_id: int, session_id: int, address: str) -> SessionOut:
    now = ctx.now()
    with ctx.db.transaction() as session:
        access = session.get(AccessToken, session_id)
        if access is None or access.user_id != user_id:
            raise SessionUnknown(field="session_id", id=session_id)
        if access.revoked_at is None:
            access.revoked_at, access.revoked_by = now, actor.user_id
            user = session.get(User, user_id)
            name = user.username if user else ""
            _record(
                session,
                name,
                "session_revoked",
                user_id,
                address,
                now,
                detail=f"session {session_id}",
                actor_id=actor.user_id,
            )
        return _session_out(access, current="")


def _sessions(session: Session, user_id: int, *, current: str) -> list[SessionOut]:
    rows = session.scalars(
        select(AccessToken).where(AccessToken.user_id == user_id).order_by(AccessToken.id.desc()).limit(100)
    )
    return [_session_out(row, current=current) for row in rows]


def _session_out(access: AccessToken, *, current: str) -> SessionOut:
    return SessionOut(
        id=access.id,
        created_at=access.created_at,
        expires_at=access.expires_at,
        factor=access.factor,
        factor_at=access.factor_at,
        address=access.address,
        revoked_at=access.revoked_at,
        current=access.token_hash == current,
    )


# --- lock-out, throttling and the account events ------------------------------------------------------


def _refuse_if_throttled(session: Session, attempt: Attempt, now: dt.datetime) -> None:
    """429 with Retry-After for a locked name or a throttled address, before any password is looked at."""
    state = account_state(_history(session, attempt.username, now), now)
    if state.locked_until is not None:
        raise AuthLocked(field="username", seconds=seconds_until(state.locked_until, now))
    if not attempt.address:
        return
    failures_at = session.scalars(
        select(AccountEvent.at)
        .where(
            AccountEvent.address == attempt.address[:ADDRESS_LENGTH],
            AccountEvent.kind.in_(FAILED),
            AccountEvent.at > now - WINDOW,
        )
        .limit(ADDRESS_FAILURES * 5)
    )
    retry = address_retry_after(list(failures_at), now)
    if retry is not None:
        raise AuthThrottled(seconds=retry)


def _history(session: Session, username: str, now: dt.datetime) -> list[Happened]:
    rows = session.execute(
        select(AccountEvent.kind, AccountEvent.at)
        .where(AccountEvent.username == username[:60], AccountEvent.at > now - WINDOW - LOCK)
        .order_by(AccountEvent.at.desc())
        .limit(ACCOUNT_FAILURES * 10)
    )
    return [Happened(kind, at) for kind, at in rows]


def _record_failure(session: Session, attempt: Attempt, refused: _Refused, now: dt.datetime) -> None:
    state = account_state(_history(session, attempt.username, now), now)
    _record(session, attempt.username, refused.kind, refused.user_id, attempt.address, now, detail=refused.error.code)
    if locks_now(state):
        detail = f"{ACCOUNT_FAILURES} failed sign-ins"
        _record(session, attempt.username, "locked", refused.user_id, attempt.address, now, detail=detail)


def _record(
    session: Session,
    username: str,
    kind: str,
    user_id: int | None,
    address: str,
    now: dt.datetime,
    *,
    detail: str = "",
    actor_id: int | None = None,
) -> None:
    session.add(
        AccountEvent(
            user_id=user_id,
            username=username[:60],
            kind=kind,
            address=address[:ADDRESS_LENGTH],
            detail=detail[:200],
            actor_id=actor_id,
            at=now,
        )
    )


def reset_factors(ctx: Context, *, actor: Actor, username: str, address: str) -> None:
    """A national administrator revokes every second factor and recovery code of a user who lost them (after
    checking who they are in person), and ends their sessions: they enrol again at their next sign-in."""
    authorize(actor, Action.MANAGE_USERS)
    now = ctx.now()
    with ctx.db.transaction() as session:
        user = user_named(session, username)
        factors.revoke_all(session, user, now)
        for access in session.scalars(
            select(AccessToken).where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        ):
            access.revoked_at, access.revoked_by = now, actor.user_id
        _record(session, user.username, "factors_reset", user.id, address, now, actor_id=actor.user_id)


def record_refusal(ctx: Context, *, token: str, what: str, address: str) -> None:
    """A signed-in user was refused a step (their role, another office's record, a skipped step-up): an
    account event. A token that is no session records nothing (it was refused as such already)."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        try:
            _, user = session_of(session, token, now)
        except Unauthorized:
            return
        _record(session, user.username, "refused", user.id, address, now, detail=what)


def unlock(ctx: Context, *, actor: Actor, username: str, address: str) -> None:
    """A national administrator lifts a lock-out before it ends (recorded, as the lock was); a name nobody
    has can be locked too, and unlocked as well."""
    authorize(actor, Action.MANAGE_USERS)
    now = ctx.now()
    with ctx.db.transaction() as session:
        if account_state(_history(session, username, now), now).locked_until is None:
            raise AuthNotLocked(field="username", username=username)
        user = find_user(session, username)
        user_id = user.id if user else None
        _record(session, username, "unlocked", user_id, address, now, actor_id=actor.user_id)


def locked_accounts(ctx: Context, *, actor: Actor) -> list[LockedAccountOut]:
    """Names locked now, including names nobody has (an attacker guessing)."""
    authorize(actor, Action.READ_ACCOUNTS)
    now = ctx.now()
    with ctx.db.snapshot(primary=True) as session:
        names = set(
            session.scalars(
                select(AccountEvent.username).where(AccountEvent.kind == "locked", AccountEvent.at > now - LOCK)
            )
        )
        locked = []
        for name in sorted(names):
            until = account_state(_history(session, name, now), now).locked_until
            if until is not None:
                locked.append(LockedAccountOut(username=name, locked_until=until))
        return locked


def account_events(
    ctx: Context, *, actor: Actor, username: str | None = None, kind: str | None = None, limit: int = 200
) -> list[AccountEventOut]:
    """What happened to accounts, newest first: for the national administrator and auditors."""
    authorize(actor, Action.READ_ACCOUNTS)
    query = select(AccountEvent).order_by(AccountEvent.id.desc()).limit(limit)
    if username:
        query = query.where(AccountEvent.username == username)
    if kind:
        query = query.where(AccountEvent.kind == kind)
    with ctx.db.snapshot(primary=True) as session:
        rows = list(session.scalars(query))
        names = usernames(session, {row.actor_id for row in rows if row.actor_id is not None})
        return [
            AccountEventOut(
                id=row.id,
                username=row.username,
                kind=row.kind,
                address=row.address,
                detail=row.detail,
                by=names.get(row.actor_id) if row.actor_id else None,
                at=row.at,
            )
            for row in rows
        ]
