"""Keys as files in the data directory (the default, and the demo's), and the server's own local secrets."""

import contextlib
import os
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key

from .store import raw_public_key


class FileKeyStore:
    """Ed25519 keys as PKCS#8 PEM files, 0600 in 0700 folders, written once and never changed."""

    def __init__(self, locate: Callable[[str], Path]) -> None:
        self.locate = locate

    def public_key(self, label: str) -> bytes | None:
        path = self.locate(label)
        return raw_public_key(load_key(path)) if path.exists() else None

    def create(self, label: str) -> bytes:
        key = Ed25519PrivateKey.generate()
        save_new_key(self.locate(label), key)
        return raw_public_key(key)

    def sign(self, label: str, data: bytes) -> bytes:
        path = self.locate(label)
        if not path.exists():
            with contextlib.suppress(FileExistsError):  # another process made it a moment ago
                self.create(label)
        return load_key(path).sign(data)


@lru_cache(maxsize=64)
def load_key(path: Path) -> Ed25519PrivateKey:
    """Cached: a key file is written once and never changed (see `write_owner_only`)."""
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 key")
    return key


def save_new_key(path: Path, key: Ed25519PrivateKey) -> None:
    write_owner_only(path, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))


@lru_cache(maxsize=16)
def local_secret(path: Path) -> bytes:
    """A secret of the server's own: 32 random bytes, owner-only, made on first use; losing it invalidates
    what it made (partner tokens, sign-in form tokens, sealed TOTP secrets)."""
    # Made earlier, or by a concurrent first use: whichever landed first is the secret.
    with contextlib.suppress(FileExistsError):
        write_owner_only(path, secrets.token_bytes(32))
    return path.read_bytes()


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
