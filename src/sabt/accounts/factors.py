"""Second factors: an authenticator app's time-based codes (RFC 6238), one-time recovery codes, and passkeys
(WebAuthn), each checked in the caller's transaction.

A TOTP secret is sealed with AES-GCM under a key of the server's own, bound to its user, so a copy of the
database neither reveals it nor lets it be moved to another account; a code's time step is remembered, so
no code counts twice. Recovery codes are 80 random bits, kept as SHA-256 only, each used once.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from urllib.parse import urlsplit

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import PublicKeyCredentialDescriptor, UserVerificationRequirement

from ..config import Settings
from ..core.text import to_ascii_digits
from ..keys import local_secret
from .errors import FactorInvalid, FactorNothingToConfirm, FactorPasskey, FactorPasskeyKnown
from .models import RecoveryCode, SecondFactor, User

ISSUER = "Sabt"
STEP_SECONDS = 30
RECOVERY_CODES = 10
TOTP_DIGITS = 6


def factor_kinds(session: Session, user_id: int) -> set[str]:
    return set(session.scalars(select(SecondFactor.kind).where(*_usable(user_id))))


def _usable(user_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        SecondFactor.user_id == user_id,
        SecondFactor.confirmed_at.is_not(None),
        SecondFactor.revoked_at.is_(None),
    )


def _waiting_totp(user_id: int) -> tuple[ColumnElement[bool], ...]:
    """An authenticator-app secret shown but not yet confirmed by a code made with it."""
    return (
        SecondFactor.user_id == user_id,
        SecondFactor.kind == "totp",
        SecondFactor.confirmed_at.is_(None),
        SecondFactor.revoked_at.is_(None),
    )


def revoke_all(session: Session, user: User, now: dt.datetime) -> None:
    """Every factor and unused recovery code of the user stops counting."""
    for factor in session.scalars(
        select(SecondFactor).where(SecondFactor.user_id == user.id, SecondFactor.revoked_at.is_(None))
    ):
        factor.revoked_at = now
    for code in session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        code.used_at = now


# --- TOTP ---------------------------------------------------------------------------------------------


def start_totp(session: Session, settings: Settings, user: User, now: dt.datetime) -> str:
    """A new secret, waiting for its first code; an earlier one still waiting is dropped. Returns it."""
    for waiting in session.scalars(select(SecondFactor).where(*_waiting_totp(user.id))):
        waiting.revoked_at = now
    secret = pyotp.random_base32()
    session.add(
        SecondFactor(
            user_id=user.id,
            kind="totp",
            label="authenticator app",
            sealed_secret=_seal(settings, user.id, secret),
            last_step=0,
            sign_count=0,
            created_at=now,
            confirmed_at=None,
            revoked_at=None,
        )
    )
    session.flush()
    return secret


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The enrolment QR code as an image the page can show without loading anything from elsewhere."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def confirm_totp(session: Session, settings: Settings, user: User, code: str, now: dt.datetime) -> None:
    """Confirm the secret waiting for its first code."""
    waiting = session.scalar(
        select(SecondFactor).where(*_waiting_totp(user.id)).order_by(SecondFactor.id.desc()).with_for_update()
    )
    if waiting is None:
        raise FactorNothingToConfirm(field="code")
    if not _accept_code(settings, user.id, waiting, code, now):
        raise FactorInvalid(field="code")
    waiting.confirmed_at = now


def check_totp(session: Session, settings: Settings, user: User, code: str, now: dt.datetime) -> bool:
    """Whether `code` is a fresh code of one of the user's confirmed authenticator apps."""
    factors = session.scalars(
        select(SecondFactor).where(*_usable(user.id), SecondFactor.kind == "totp").with_for_update()
    )
    return any(_accept_code(settings, user.id, factor, code, now) for factor in factors)


def _accept_code(settings: Settings, user_id: int, factor: SecondFactor, code: str, now: dt.datetime) -> bool:
    """A code of this step or the one before or after (clocks drift), and later than the last one used."""
    code = to_ascii_digits(code).strip().replace(" ", "")
    if len(code) != TOTP_DIGITS or not code.isascii() or not code.isdigit() or factor.sealed_secret is None:
        return False
    totp = pyotp.TOTP(_unseal(settings, user_id, factor.sealed_secret))
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if step > factor.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            factor.last_step = step
            return True
    return False


def _seal(settings: Settings, user_id: int, secret: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_sealing_key(settings)).encrypt(nonce, secret.encode(), _bound_to(user_id))


def _unseal(settings: Settings, user_id: int, sealed: bytes) -> str:
    try:
        return AESGCM(_sealing_key(settings)).decrypt(sealed[:12], sealed[12:], _bound_to(user_id)).decode()
    except InvalidTag:  # moved from another account, or sealed under another key: it is no factor here
        raise FactorInvalid(field="code") from None


def _sealing_key(settings: Settings) -> bytes:
    return local_secret(settings.secret_file("second-factors"))


def _bound_to(user_id: int) -> bytes:
    return f"sabt totp user {user_id}".encode()


# --- recovery codes -----------------------------------------------------------------------------------


def new_recovery_codes(session: Session, user: User, now: dt.datetime) -> list[str]:
    """Ten new one-time codes, shown once; any earlier unused ones stop counting."""
    for old in session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        old.used_at = now
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_digest(code), created_at=now, used_at=None))
    session.flush()
    return codes


def use_recovery_code(session: Session, user: User, code: str, now: dt.datetime) -> bool:
    row = session.scalar(
        select(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(_normal(code)))
        .with_for_update()
    )
    if row is None or row.used_at is not None:
        return False
    row.used_at = now
    return True


def looks_like_recovery_code(code: str) -> bool:
    return len(_normal(code)) == 16


def _recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return "-".join(raw[index : index + 4] for index in range(0, 16, 4))


def _normal(code: str) -> str:
    return "".join(character for character in code.lower() if character.isascii() and character.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


# --- passkeys (WebAuthn) ------------------------------------------------------------------------------


def relying_party(settings: Settings) -> tuple[str, str]:
    """The relying party's id (the registry's host name) and the origin browsers must be on."""
    parts = urlsplit(settings.public_url)
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def registration_options(session: Session, settings: Settings, user: User) -> tuple[str, bytes]:
    """Options for the browser to create a passkey (as JSON) and the challenge to expect back."""
    rp_id, _ = relying_party(settings)
    known = _passkey_ids(session, user.id)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name="ثبت — سازمان ثبت احوال",
        user_name=user.username,
        user_id=f"sabt-{user.id}".encode(),
        user_display_name=user.username,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=credential) for credential in known],
    )
    return options_to_json(options), options.challenge


def register_passkey(
    session: Session, settings: Settings, user: User, credential: str, challenge: bytes, now: dt.datetime
) -> None:
    rp_id, origin = relying_party(settings)
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise FactorPasskey(field="credential", detail=str(error)[:120]) from None
    if session.scalar(select(SecondFactor.id).where(SecondFactor.credential_id == verified.credential_id)):
        raise FactorPasskeyKnown(field="credential")
    session.add(
        SecondFactor(
            user_id=user.id,
            kind="webauthn",
            label="passkey",
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            last_step=0,
            created_at=now,
            confirmed_at=now,
            revoked_at=None,
        )
    )
    session.flush()


def _passkey_ids(session: Session, user_id: int) -> list[bytes]:
    query = select(SecondFactor.credential_id).where(*_usable(user_id), SecondFactor.kind == "webauthn")
    return [credential for credential in session.scalars(query) if credential]


def authentication_options(session: Session, settings: Settings, user: User) -> tuple[str, bytes]:
    rp_id, _ = relying_party(settings)
    known = _passkey_ids(session, user.id)
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=credential) for credential in known],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), options.challenge


def check_passkey(session: Session, settings: Settings, user: User, credential: str, challenge: bytes) -> None:
    """Verify a passkey's assertion: this origin, this challenge, a key of this user, a counter that went up."""
    rp_id, origin = relying_party(settings)
    for factor in session.scalars(
        select(SecondFactor).where(*_usable(user.id), SecondFactor.kind == "webauthn").with_for_update()
    ):
        if factor.public_key is None or factor.credential_id is None:
            continue
        if _credential_id(credential) != factor.credential_id:
            continue
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=factor.public_key,
                credential_current_sign_count=factor.sign_count,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as error:
            raise FactorPasskey(field="credential", detail=str(error)[:120]) from None
        factor.sign_count = verified.new_sign_count
        return
    raise FactorPasskey(field="credential", detail="not a passkey of this account")


def _credential_id(credential: str) -> bytes | None:
    """The raw id a browser's answer names (its `rawId`, base64url), or None when it names none."""
    try:
        raw = json.loads(credential).get("rawId", "")
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)) if isinstance(raw, str) else None
    except (ValueError, AttributeError):
        return None
