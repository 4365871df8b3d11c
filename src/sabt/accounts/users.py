"""Use cases for users and the actor behind an access token (signing in is in `sign_in`).

Passwords are stored as Argon2id hashes. A bearer token is 256 random bits shown once; only its SHA-256
is stored, so tokens can be listed and revoked but never read back.
"""

import datetime as dt
import hashlib
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Settings
from ..context import Context
from ..core.permissions import OFFICE_ROLES, STAFF_ROLES, Action, Actor, Role, authorize
from ..core.sign_in import is_recent
from ..geo.service import office_by_code
from .errors import (
    AuthSecondFactor,
    AuthToken,
    CitizenCode,
    CitizenExists,
    UserExists,
    UserOffice,
    UserPassword,
    UserUnknown,
)
from .models import AccessToken, User
from .schemas import UserIn, UserOut

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so the response takes as long either way."""
    return _hasher.hash("not a real password")


def create_user(ctx: Context, *, actor: Actor | None, user: UserIn) -> UserOut:
    """Add a user. `actor` None means an operator at the command line of the server."""
    if actor is not None:
        authorize(actor, Action.MANAGE_USERS)
    if len(user.password) < MIN_PASSWORD_LENGTH:
        raise UserPassword(field="password")
    with ctx.db.transaction() as session:
        office_id = None
        if user.role in OFFICE_ROLES:
            if not user.office:
                raise UserOffice(field="office", role=user.role)
            office_id = office_by_code(session, user.office).id
        if (user.role == Role.CITIZEN) != (user.national_code is not None):
            raise CitizenCode(field="national_code")
        if user.national_code and session.scalar(select(User.id).where(User.national_code == user.national_code)):
            raise CitizenExists(field="national_code", code=user.national_code)
        if session.scalar(select(User.id).where(User.username == user.username)) is not None:
            raise UserExists(field="username", username=user.username)
        row = User(
            username=user.username,
            full_name=user.full_name,
            role=user.role,
            office_id=office_id,
            national_code=user.national_code,
            password_hash=_hasher.hash(user.password),
            active=True,
            created_at=ctx.now(),
        )
        session.add(row)
        session.flush()
        return UserOut.model_validate(row, from_attributes=True)


def list_users(ctx: Context, *, actor: Actor) -> list[UserOut]:
    authorize(actor, Action.READ_ACCOUNTS)
    with ctx.db.snapshot() as session:
        rows = session.scalars(select(User).order_by(User.username))
        return [UserOut.model_validate(row, from_attributes=True) for row in rows]


def sign_out(ctx: Context, *, token: str) -> None:
    with ctx.db.transaction() as session:
        row = session.scalar(select(AccessToken).where(AccessToken.token_hash == digest(token)))
        if row is not None and row.revoked_at is None:
            row.revoked_at = ctx.now()


def actor_for_token(ctx: Context, token: str) -> Actor:
    """The actor behind a bearer token; fails closed on anything unknown, revoked or expired, and on a
    session whose second factor is still due."""
    with ctx.db.snapshot(primary=True) as session:  # a revocation takes effect at once, replica or not
        now = ctx.now()
        access, user = session_of(session, token, now)
        if needs_factor(ctx.settings, user) and access.factor is None:
            raise AuthSecondFactor()
        return _actor(user, factor=access.factor, stepped_up=stepped_up(ctx.settings, user, access, now))


def session_of(session: Session, token: str, now: dt.datetime) -> tuple[AccessToken, User]:
    """The token's row and its user, for a session that has not ended (its second factor may be due)."""
    row = session.execute(
        select(AccessToken, User)
        .join(User, User.id == AccessToken.user_id)
        .where(AccessToken.token_hash == digest(token))
    ).first()
    if row is None:
        raise AuthToken()
    access, user = row
    if access.revoked_at is not None or access.expires_at <= now or not user.active:
        raise AuthToken()
    return access, user


def needs_factor(settings: Settings, user: User) -> bool:
    """Staff sign in with a second factor, except in the demo."""
    return settings.second_factor and Role(user.role) in STAFF_ROLES


def stepped_up(settings: Settings, user: User, access: AccessToken, now: dt.datetime) -> bool:
    """Whether the session may take a step that asks for a recent second factor."""
    window = dt.timedelta(minutes=settings.step_up_minutes)
    return not needs_factor(settings, user) or is_recent(access.factor_at, now, window)


def actor_for_username(ctx: Context, username: str) -> Actor:
    """The actor an operator at the server's command line acts as: the operator holds the server itself,
    so no second factor is asked of them."""
    with ctx.db.snapshot() as session:
        user = find_user(session, username)
        if user is None:
            raise UserUnknown(field="as", username=username)
        return _actor(user, factor="console", stepped_up=True)


def user_named(session: Session, username: str) -> User:
    """The user of this name, active or not; NotFound otherwise."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserUnknown(field="username", username=username)
    return user


def find_user(session: Session, username: str) -> User | None:
    """The active user of this name, or None."""
    return session.scalar(select(User).where(User.username == username, User.active.is_(True)))


def _actor(user: User, *, factor: str | None, stepped_up: bool) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        office_id=user.office_id,
        national_code=user.national_code,
        factor=factor,
        stepped_up=stepped_up,
    )


def usernames(session: Session, user_ids: set[int]) -> dict[int, str]:
    """Usernames for showing who did what in a history."""
    if not user_ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).all())


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one hashed; None (no such user) is checked against a dummy hash, so the
    answer takes as long either way."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_users(ctx: Context) -> bool:
    with ctx.db.snapshot() as session:
        return session.scalar(select(User.id).limit(1)) is not None
