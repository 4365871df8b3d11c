"""Ed25519 private keys (and other secrets) as files in the data directory, readable only by their owner."""

import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key


@lru_cache(maxsize=64)
def load_key(path: Path) -> Ed25519PrivateKey:
    """Cached: a key file is written once and never changed (see `write_owner_only`)."""
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 key")
    return key


def save_new_key(path: Path, key: Ed25519PrivateKey) -> None:
    write_owner_only(path, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))


def write_owner_only(path: Path, data: bytes) -> None:
    """Create `path` holding `data`, mode 0600 from the start, never overwriting (FileExistsError). The bytes
    go to a draft first and are linked into place, so a concurrent reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.link(draft, path)
    finally:
        draft.unlink()


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        return load_key(path)
    key = Ed25519PrivateKey.generate()
    save_new_key(path, key)
    return key
