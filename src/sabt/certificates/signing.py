"""Certificate signing keys: public halves with their validity in the database (so every server and every
replica publishes the same key set), private halves in the key store (files in the data directory, or a
PKCS#11 token), each under the label its row names.

A key signs from `not_before` to `not_after`. The first certificate issued creates a key when none is
current; `sabt certificates keys rotate` starts a new one and ends the current one's signing period.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..keys import KeyStore, Signer
from .keys import KeySet, PublicKey, key_id
from .models import SigningKey

ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class ActiveKey:
    kid: bytes
    signer: Signer


def signing_key(session: Session, keys: KeyStore, settings: Settings, now: dt.datetime) -> ActiveKey:
    """The newest key that may sign now and whose private half this server holds; a new one if none is."""
    return current_key(session, keys, now) or create_key(session, keys, settings, now)


def current_key(session: Session, keys: KeyStore, now: dt.datetime) -> ActiveKey | None:
    """The newest key that may sign now and whose private half this server holds, if there is one."""
    current = session.scalars(
        select(SigningKey)
        .where(SigningKey.not_before <= now, or_(SigningKey.not_after.is_(None), SigningKey.not_after > now))
        .order_by(SigningKey.not_before.desc())
    )
    for row in current:
        if keys.public_key(row.key_label) is not None:
            return ActiveKey(bytes.fromhex(row.kid), Signer(keys, row.key_label))
    return None


def create_key(session: Session, keys: KeyStore, settings: Settings, now: dt.datetime) -> ActiveKey:
    label = f"certificate-{secrets.token_hex(8)}"
    public = keys.create(label)
    kid = key_id(Ed25519PublicKey.from_public_bytes(public))
    row = SigningKey(
        kid=kid.hex(),
        key_label=label,
        algorithm=ALGORITHM,
        public_key=public,
        not_before=now,
        not_after=now + dt.timedelta(days=settings.certificate_key_days),
        created_at=now,
    )
    session.add(row)
    session.flush()  # before the certificate that names it
    return ActiveKey(kid, Signer(keys, label))


def rotate(session: Session, keys: KeyStore, settings: Settings, now: dt.datetime) -> str:
    """End every current key's signing period now and start a new key; returns the new key id (hex)."""
    current = or_(SigningKey.not_after.is_(None), SigningKey.not_after > now)
    for row in session.scalars(select(SigningKey).where(current)):
        row.not_after = now
    return create_key(session, keys, settings, now).kid.hex()


def key_set(session: Session, settings: Settings) -> KeySet:
    rows = session.scalars(select(SigningKey).order_by(SigningKey.not_before))
    return KeySet(settings.certificate_issuer, tuple(_public_key(row) for row in rows))


def _public_key(row: SigningKey) -> PublicKey:
    not_after = int(row.not_after.timestamp()) if row.not_after else None
    return PublicKey(
        bytes.fromhex(row.kid),
        Ed25519PublicKey.from_public_bytes(row.public_key),
        int(row.not_before.timestamp()),
        not_after,
    )
