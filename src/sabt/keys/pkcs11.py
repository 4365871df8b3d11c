"""Keys on a PKCS#11 token (a hardware security module; SoftHSM2 in tests): the private keys never leave it."""

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from ..core.errors import KeysUnavailable

# How long a caller is told to wait when the token cannot sign: a dropped session is usually back in seconds.
RETRY_SECONDS = 5


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
            with contextlib.suppress(FileExistsError):  # another thread made it a moment ago
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
