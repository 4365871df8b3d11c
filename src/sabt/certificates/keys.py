"""The public key set that verifies certificate codes, as verifiers receive it.

Each key has a validity period: it signs certificates from `not_before` until `not_after`, and a code
whose issue time falls outside its key's period is refused, so a retired key that leaks cannot sign new
certificates that pass, while everything it signed in its time still verifies. The set is published as a
JWK Set (RFC 7517, Ed25519 keys as in RFC 8037) with `nbf`/`exp` members in seconds since the epoch.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ..core.errors import KeysFile

KEY_ID_BYTES = 8


def key_id(public: Ed25519PublicKey) -> bytes:
    """The first 8 bytes of SHA-256 over the raw public key, as the EU Digital COVID Certificate does."""
    return hashlib.sha256(raw_public_bytes(public)).digest()[:KEY_ID_BYTES]


def raw_public_bytes(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class PublicKey:
    kid: bytes
    public: Ed25519PublicKey
    not_before: int
    not_after: int | None  # None: still signing

    def signs_at(self, moment: int) -> bool:
        return self.not_before <= moment and (self.not_after is None or moment < self.not_after)

    def to_jwk(self) -> dict[str, Any]:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "use": "sig",
            "kid": b64url(self.kid),
            "x": b64url(raw_public_bytes(self.public)),
            "nbf": self.not_before,
            "exp": self.not_after,
        }

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> "PublicKey":
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise ValueError("only Ed25519 (OKP) keys are supported")
        public = Ed25519PublicKey.from_public_bytes(from_b64url(str(jwk["x"])))
        kid = from_b64url(str(jwk["kid"]))
        if kid != key_id(public):
            raise ValueError(f"kid {jwk['kid']} does not match its key")
        not_after = jwk.get("exp")
        return cls(kid, public, int(jwk["nbf"]), None if not_after is None else int(not_after))


@dataclass(frozen=True)
class KeySet:
    issuer: str
    keys: tuple[PublicKey, ...]

    def find(self, kid: bytes) -> PublicKey | None:
        return next((key for key in self.keys if key.kid == kid), None)

    def to_json(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "keys": [key.to_jwk() for key in self.keys]}

    @classmethod
    def from_json(cls, text: str | bytes) -> "KeySet":
        """Parse a published key set; anything malformed is refused whole (a verifier fails closed)."""
        try:
            data = json.loads(text)
            return cls(str(data["issuer"]), tuple(PublicKey.from_jwk(jwk) for jwk in data["keys"]))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise KeysFile(field="keys", detail=str(error) or type(error).__name__) from None
