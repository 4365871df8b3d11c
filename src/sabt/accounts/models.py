import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(20))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    national_code: Mapped[str | None] = mapped_column(String(10), unique=True)  # a citizen's own
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, never the password
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]
    # Too many failed sign-ins: refused until then, or until a national administrator unlocks it.
    locked_until: Mapped[dt.datetime | None]


class AccessToken(Base):
    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # SHA-256 of the bearer token: a stolen database dump holds no usable token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    # The second factor the session was opened with (totp, webauthn, recovery) and when it was last given
    # (a step-up gives it again); None while the password alone was given and a factor is still due.
    factor: Mapped[str | None] = mapped_column(String(10))
    factor_at: Mapped[dt.datetime | None]
    address: Mapped[str] = mapped_column(String(45), default="")
    # A passkey ceremony's challenge, waiting for the browser's answer.
    challenge: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SecondFactor(Base):
    """A user's second factor: an authenticator app's TOTP secret (encrypted with a key the database does
    not hold) or a passkey's public key. Revoked, never deleted."""

    __tablename__ = "second_factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # totp, webauthn
    label: Mapped[str] = mapped_column(String(60), default="")
    # TOTP: the secret, AES-GCM sealed; the last time step accepted, so that no code is used twice.
    sealed_secret: Mapped[bytes | None] = mapped_column(LargeBinary(200))
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    # WebAuthn: the credential's id, COSE public key and signature counter.
    credential_id: Mapped[bytes | None] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary(1024))
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime]
    confirmed_at: Mapped[dt.datetime | None]  # a TOTP secret counts once a code made with it was given
    revoked_at: Mapped[dt.datetime | None]


class RecoveryCode(Base):
    """One-time codes shown once at enrolment, for a user whose authenticator is lost; SHA-256 only."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class AccountEvent(Base):
    """What happened to an account: sign-ins, failures, lock-outs and unlocks, factors added, sessions
    revoked; by whom (another user, for an unlock or a revocation) and from which address."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(60))  # as typed, for a failure on an unknown name
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(index=True)

    __table_args__ = (
        Index("ix_account_events_username_at", "username", "at"),
        Index("ix_account_events_address_at", "address", "at"),
    )
