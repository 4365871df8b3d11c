"""Keys in the process's memory, gone when it ends: the key store's fake, for tests only. Each process makes
its own keys, so what one signed (a ledger head, a certificate) no other process and no restart can verify."""

import threading

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .store import raw_public_key


class MemoryKeyStore:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: dict[str, Ed25519PrivateKey] = {}

    def public_key(self, label: str) -> bytes | None:
        key = self.keys.get(label)
        return raw_public_key(key) if key else None

    def create(self, label: str) -> bytes:
        with self.lock:
            if label in self.keys:
                raise FileExistsError(f"the store already holds a key labelled {label}")
            key = self.keys[label] = Ed25519PrivateKey.generate()
        return raw_public_key(key)

    def sign(self, label: str, data: bytes) -> bytes:
        with self.lock:
            if label not in self.keys:  # as the other stores do: a key is made on its first use
                self.keys[label] = Ed25519PrivateKey.generate()
            key = self.keys[label]
        return key.sign(data)
