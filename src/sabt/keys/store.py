"""The key store port: every Ed25519 key the registry signs with, named by label, and a signer of one key."""

from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


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
        known = self.store.public_key(self.label)
        if known is not None:
            return known
        try:
            return self.store.create(self.label)
        except FileExistsError:  # another thread or process made it a moment ago
            made = self.store.public_key(self.label)
            if made is None:
                raise
            return made


def raw_public_key(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
