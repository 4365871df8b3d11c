"""Certificate signing keys: public halves with their validity in the database (so every server and every
replica publishes the same key set), private halves as owner-only files in the data directory.

A key signs from `not_before` to `not_after`. The first certificate issued creates a key when none is
current; `sabt certificates keys rotate` starts a new one and ends the current one's signing period.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..ledger.service import Change, append
from ..ledger.signing import load_key, save_new_key
from .keys import KeySet, PublicKey, key_id, raw_public_bytes
from .models import SigningKey
from .records import key_content

ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class ActiveKey:
    kid: bytes
    private: Ed25519PrivateKey


def key_file(settings: Settings, kid_hex: str) -> Path:
    return settings.certificate_keys_dir() / f"{kid_hex}.pem"


def signing_key(session: Session, settings: Settings, now: dt.datetime) -> ActiveKey:
    """The newest key that may sign now and whose private half this server holds; a new one if none is."""
    return current_key(session, settings, now) or create_key(session, settings, now)


def current_key(session: Session, settings: Settings, now: dt.datetime) -> ActiveKey | None:
    """The newest key that may sign now and whose private half this server holds, if there is one."""
    current = session.scalars(
        select(SigningKey)
        .where(SigningKey.not_before <= now, or_(SigningKey.not_after.is_(None), SigningKey.not_after > now))
        .order_by(SigningKey.not_before.desc())
    )
    for row in current:
        path = key_file(settings, row.kid)
        if path.exists():
            return ActiveKey(bytes.fromhex(row.kid), load_key(path))
    return None


def create_key(session: Session, settings: Settings, now: dt.datetime, *, actor_id: int | None = None) -> ActiveKey:
    private = Ed25519PrivateKey.generate()
    kid = key_id(private.public_key())
    save_new_key(key_file(settings, kid.hex()), private)
    row = SigningKey(
        kid=kid.hex(),
        algorithm=ALGORITHM,
        public_key=raw_public_bytes(private.public_key()),
        not_before=now,
        not_after=now + dt.timedelta(days=settings.certificate_key_days),
        created_at=now,
    )
    session.add(row)
    session.flush()
    append(session, [Change("certificate_key.create", "certificate_key", row.kid, 1, actor_id, key_content(row))],
           at=now)  # fmt: skip
    return ActiveKey(kid, private)


def rotate(session: Session, settings: Settings, now: dt.datetime) -> str:
    """End every current key's signing period now and start a new key; returns the new key id (hex)."""
    for row in session.scalars(select(SigningKey).where(or_(SigningKey.not_after.is_(None),
                                                            SigningKey.not_after > now))):  # fmt: skip
        row.not_after = now
        append(session, [Change("certificate_key.retire", "certificate_key", row.kid, 2, None, key_content(row))],
               at=now)  # fmt: skip
    return create_key(session, settings, now).kid.hex()


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
