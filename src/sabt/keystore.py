"""The one key store: every Ed25519 key the registry signs with (the ledger's head and checkpoints,
certificates, eKYC releases and card revocation lists), behind one port.

Two implementations: key files in the data directory (the default, and the demo's), and a PKCS#11 token
(a hardware security module; SoftHSM2 in tests), where the private keys never leave the token and no key
file exists on the server at all. Keys are named by label: `ledger`, `certificate-<key id>`.
"""

import contextlib
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from .config import Settings
from .core.errors import KeysUnavailable

# How long a caller is told to wait when the token cannot sign: a dropped session is usually back in seconds.
RETRY_SECONDS = 5


class KeyStore(Protocol):
    def public_key(self, label: str) -> bytes | None:
        """The raw 32-byte Ed25519 public key, or None when the store holds no key of that label."""
        ...

    def create(self, label: str) -> bytes:
        """Make a new key pair under `label` (never replacing one); returns its raw public key."""
        ...

    def sign(self, label: str, data: bytes) -> bytes:
        """The Ed25519 signature of `data`; raises `Unavailable` when the store cannot sign just now."""
        ...


@dataclass(frozen=True)
class Signer:
    """One key of a store, as the code that signs sees it."""

    store: KeyStore
    label: str

    def sign(self, data: bytes) -> bytes:
        return self.store.sign(self.label, data)

    def public_key(self) -> bytes:
        """The key's raw public half, creating the key on first use."""
        return self.store.public_key(self.label) or self.store.create(self.label)


class FileKeyStore:
    """Ed25519 keys as PKCS#8 PEM files, 0600 in 0700 folders, written once and never changed."""

    def __init__(self, locate: Callable[[str], Path]) -> None:
        self.locate = locate

    def public_key(self, label: str) -> bytes | None:
        path = self.locate(label)
        return _raw(load_key(path)) if path.exists() else None

    def create(self, label: str) -> bytes:
        key = Ed25519PrivateKey.generate()
        save_new_key(self.locate(label), key)
        return _raw(key)

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


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


ED25519_CURVE = "1.3.101.112"  # id-Ed25519 (RFC 8410)


class Pkcs11KeyStore:
    """Ed25519 keys on a PKCS#11 token, created there as sensitive and not extractable.

    One session is shared under a lock (a PKCS#11 session serves one operation at a time). When the token
    drops the session (a restarted HSM, a pulled device), the next signature opens a new one and tries
    once more; if that fails too, the caller gets `Unavailable` (503 with Retry-After) and nothing is
    written, since signing happens before the transaction commits."""

    def __init__(self, module: str, token: str, pin: str) -> None:
        import pkcs11  # imported here: a registry on key files does not need the binding

        self.pkcs11 = pkcs11
        self.module, self.token_label, self.pin = module, token, pin
        self.lock = threading.Lock()
        self.session: Any = None
        self.keys: dict[str, Any] = {}
        self.public: dict[str, bytes] = {}

    def public_key(self, label: str) -> bytes | None:
        if label not in self.public:
            with self.lock:
                key = self._attempt(lambda: self._find(self.pkcs11.ObjectClass.PUBLIC_KEY, label))
                if key is None:
                    return None
                self.public[label] = _point(key[self.pkcs11.Attribute.EC_POINT])
        return self.public[label]

    def create(self, label: str) -> bytes:
        from pkcs11.util.ec import encode_named_curve_parameters

        attribute = self.pkcs11.Attribute
        with self.lock:
            if self._attempt(lambda: self._find(self.pkcs11.ObjectClass.PRIVATE_KEY, label)) is not None:
                raise FileExistsError(f"the token already holds a key labelled {label}")
            public, _ = self._attempt(
                lambda: self._session().generate_keypair(
                    self.pkcs11.KeyType.EC_EDWARDS,
                    store=True,
                    label=label,
                    public_template={attribute.EC_PARAMS: encode_named_curve_parameters(ED25519_CURVE)},
                    private_template={attribute.SENSITIVE: True, attribute.EXTRACTABLE: False},
                )
            )
        return _point(public[attribute.EC_POINT])

    def sign(self, label: str, data: bytes) -> bytes:
        if self.public_key(label) is None:
            self.create(label)
        with self.lock:
            signature: bytes = self._attempt(
                lambda: self._private(label).sign(data, mechanism=self.pkcs11.Mechanism.EDDSA)
            )
            return signature

    def _attempt(self, step: Callable[[], Any]) -> Any:
        """Run `step`; on a token error, drop the session and keys and run it once more on a new session."""
        try:
            return step()
        except self.pkcs11.PKCS11Error:
            self.session, self.keys = None, {}
        try:
            return step()
        except self.pkcs11.PKCS11Error:
            self.session, self.keys = None, {}
            raise KeysUnavailable(seconds=RETRY_SECONDS) from None

    def _session(self) -> Any:
        if self.session is None:
            token = self.pkcs11.lib(self.module).get_token(token_label=self.token_label)
            try:
                self.session = token.open(user_pin=self.pin, rw=True)
            except self.pkcs11.exceptions.UserAlreadyLoggedIn:  # the token kept this process's login
                self.session = token.open(rw=True)
        return self.session

    def _find(self, object_class: Any, label: str) -> Any:
        found = list(
            self._session().get_objects(
                {
                    self.pkcs11.Attribute.CLASS: object_class,
                    self.pkcs11.Attribute.LABEL: label,
                }
            )
        )
        return found[0] if found else None

    def _private(self, label: str) -> Any:
        if label not in self.keys:
            key = self._find(self.pkcs11.ObjectClass.PRIVATE_KEY, label)
            if key is None:
                raise KeyError(f"the token holds no private key labelled {label}")
            self.keys[label] = key
        return self.keys[label]


def _point(encoded: bytes) -> bytes:
    """CKA_EC_POINT of an Edwards key: the 32 raw bytes, DER-wrapped in an OCTET STRING by most tokens."""
    return encoded[2:] if len(encoded) == 34 and encoded[:2] == b"\x04\x20" else encoded


def open_key_store(settings: Settings) -> KeyStore:
    if settings.key_store == "pkcs11":
        return Pkcs11KeyStore(settings.pkcs11_module, settings.pkcs11_token, settings.pkcs11_pin_value())
    return FileKeyStore(settings.key_file)
