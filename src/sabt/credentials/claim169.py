"""MOSIP's ID Claim 169 identity QR (specification 1.2.2), written and read.

    Base45( zlib( COSE_Sign1 18( [ protected {1: -8 (EdDSA), 4: kid}, {}, claims, signature ] ) ) )

The claims are a CWT's: 1 iss (an https URL naming the issuer, where its JWK Set is published), 4 exp,
6 iat, 7 cti (the card's serial, so a verifier can look it up in the revocation list it holds)
and 169, the identity: a CBOR map of the attributes Claim 169 numbers (below). The QR has no prefix,
which is how Claim 169 verifiers (MOSIP's Inji Verify, the `claim169` package) read it. The COSE_Sign1 is
written with its own tag alone, not inside the CWT tag 61: the `claim169` package (0.3) refuses the tag
61 form. Reading takes either.

This module depends on nothing of the registry but CBOR, Base45 and Ed25519, so a partner can embed it.
Reading refuses any shape it does not expect and fails closed, by raising `Claim169Refused`.
"""

import datetime as dt
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import base45
import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

CWT_TAG, COSE_SIGN1_TAG = 61, 18
ALG_EDDSA = -8
HEADER_ALG, HEADER_KID = 1, 4
CLAIM_ISS, CLAIM_EXP, CLAIM_NBF, CLAIM_IAT, CLAIM_CTI, CLAIM_IDENTITY = 1, 4, 5, 6, 7, 169
# Claim 169's attributes that the registry holds (the others — address, e-mail, phone, marital status,
# guardian, photo, biometrics — it leaves out).
ATTRIBUTES = {
    "id": 1,
    "version": 2,
    "language": 3,
    "full_name": 4,
    "first_name": 5,
    "last_name": 7,
    "date_of_birth": 8,
    "gender": 9,
    "nationality": 13,
    "secondary_full_name": 19,
    "secondary_language": 20,
    "location_code": 21,
    "country_of_issuance": 23,
}
NAMES = {number: name for name, number in ATTRIBUTES.items()}
GENDERS = {"male": 1, "female": 2}
MAX_TEXT_LENGTH = 2000
MAX_MESSAGE_BYTES = 8192
CLOCK_SKEW_SECONDS = 300


class Claim169Refused(ValueError):
    """Why a code is not a genuine, current Claim 169 identity: `reason` is one short code (`base45`,
    `compressed`, `structure`, `tag`, `algorithm`, `issuer`, `unknown_key`, `signature`, `expired`,
    `not_yet_valid`, `revoked`, `list_too_old`)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Identity:
    """A verified code: who it names, which card, who issued it, when it is valid."""

    attributes: dict[str, Any]
    serial: str
    issuer: str
    issued_at: int
    expires_at: int
    kid: bytes


Sign = Callable[[bytes], bytes]


def encode(
    attributes: Mapping[str, Any],
    *,
    serial: str,
    issuer: str,
    issued_at: int,
    expires_at: int,
    kid: bytes,
    sign: Sign,
) -> str:
    """The QR text of an identity (attributes by their Claim 169 names), signed with `sign`."""
    if not issuer.startswith("https://"):
        raise ValueError("the issuer of a Claim 169 code is an https URL")
    identity = {ATTRIBUTES[name]: value for name, value in attributes.items() if value is not None}
    claims = {
        CLAIM_ISS: issuer,
        CLAIM_EXP: expires_at,
        CLAIM_IAT: issued_at,  # valid from then: no nbf, whose absence readers take as iat
        CLAIM_CTI: serial.encode(),
        CLAIM_IDENTITY: identity,
    }
    protected = cbor2.dumps({HEADER_ALG: ALG_EDDSA, HEADER_KID: kid})
    payload = cbor2.dumps(claims)
    signature = sign(_signed_bytes(protected, payload))
    message = cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature])
    return str(base45.b45encode(zlib.compress(cbor2.dumps(message), 9)).decode("ascii"))


def _signed_bytes(protected: bytes, payload: bytes) -> bytes:
    # RFC 9052 §4.4: the bytes a COSE_Sign1 signature covers (no external AAD).
    return bytes(cbor2.dumps(["Signature1", protected, b"", payload]))


def verify(
    text: str,
    keys: Mapping[bytes, Ed25519PublicKey],
    *,
    now: int,
    issuers: frozenset[str] | None = None,
) -> Identity:
    """The identity a code names, once its signature is checked with one of `keys` (by key id; a code
    without one is tried against each), its issuer is an https URL (one of `issuers`, when given) and it
    is valid at `now`. Raises Claim169Refused."""
    protected, payload, signature = _sign1(_message(text))
    header = _map(protected, "the protected header")
    if header.get(HEADER_ALG) != ALG_EDDSA:
        raise Claim169Refused("algorithm", "only EdDSA (Ed25519) codes are read")
    kid = header.get(HEADER_KID)
    key = _key(keys, kid, _signed_bytes(protected, payload), signature)
    claims = _map(payload, "the claims")
    issuer = claims.get(CLAIM_ISS)
    if not isinstance(issuer, str) or not issuer.startswith("https://"):
        raise Claim169Refused("issuer", "the issuer is not an https URL")
    if issuers is not None and issuer not in issuers:
        raise Claim169Refused("issuer", f"{issuer} is not an issuer this verifier trusts")
    issued_at, expires_at = _time(claims, CLAIM_IAT), _time(claims, CLAIM_EXP)
    if now + CLOCK_SKEW_SECONDS < _time(claims, CLAIM_NBF, default=issued_at):
        raise Claim169Refused("not_yet_valid", "the code is not valid yet")
    if now >= expires_at:
        raise Claim169Refused("expired", "the code, and the card it stands for, expired")
    serial = claims.get(CLAIM_CTI)
    if not isinstance(serial, bytes):
        raise Claim169Refused("structure", "the card's serial (cti) is missing")
    return Identity(
        attributes=_attributes(claims.get(CLAIM_IDENTITY)),
        serial=serial.decode("ascii", errors="replace"),
        issuer=issuer,
        issued_at=issued_at,
        expires_at=expires_at,
        kid=key,
    )


def _message(text: str) -> Any:
    try:
        compressed = base45.b45decode(text.strip())
    except ValueError:
        raise Claim169Refused("base45", "the text is not Base45") from None
    inflater = zlib.decompressobj()
    try:
        message = inflater.decompress(compressed, MAX_MESSAGE_BYTES)
    except zlib.error:
        raise Claim169Refused("compressed", "the data is not zlib-compressed") from None
    if inflater.unconsumed_tail or not inflater.eof or inflater.unused_data:
        raise Claim169Refused("compressed", "the compressed data is cut short, too large or followed by more")
    try:
        return cbor2.loads(message)
    except (ValueError, TypeError, LookupError, RecursionError, cbor2.CBORError):
        raise Claim169Refused("structure", "the data is not CBOR") from None


def _sign1(message: Any) -> tuple[bytes, bytes, bytes]:
    """The protected header, payload and signature of a COSE_Sign1, tagged 18, inside a CWT tag 61 (or
    without it: Claim 169 encoders differ)."""
    if isinstance(message, cbor2.CBORTag) and message.tag == CWT_TAG:
        message = message.value
    if not isinstance(message, cbor2.CBORTag) or message.tag != COSE_SIGN1_TAG:
        raise Claim169Refused("tag", "not a COSE_Sign1 (tag 18) in a CWT (tag 61)")
    parts = message.value
    if not isinstance(parts, list | tuple) or len(parts) != 4:
        raise Claim169Refused("structure", "a COSE_Sign1 has four parts")
    protected, _unprotected, payload, signature = parts
    if not all(isinstance(part, bytes) for part in (protected, payload, signature)):
        raise Claim169Refused("structure", "the header, payload and signature are byte strings")
    return protected, payload, signature


def _map(data: bytes, what: str) -> dict[Any, Any]:
    try:
        value = cbor2.loads(data)
    except (ValueError, TypeError, LookupError, RecursionError, cbor2.CBORError):
        raise Claim169Refused("structure", f"{what} is not CBOR") from None
    if not isinstance(value, dict):
        raise Claim169Refused("structure", f"{what} is not a map")
    return value


def _key(keys: Mapping[bytes, Ed25519PublicKey], kid: Any, signed: bytes, signature: bytes) -> bytes:
    """The id of the key whose signature this is; the signature is checked before anything it covers."""
    candidates = [(kid, keys[kid])] if isinstance(kid, bytes) and kid in keys else []
    if kid is None:
        candidates = list(keys.items())
    if not candidates:
        raise Claim169Refused("unknown_key", "the code names a key this verifier does not hold")
    for key_id, key in candidates:
        try:
            key.verify(signature, signed)
        except InvalidSignature:
            continue
        return key_id
    raise Claim169Refused("signature", "the signature does not verify: the code was altered or forged")


def _time(claims: dict[Any, Any], number: int, *, default: int | None = None) -> int:
    value = claims.get(number, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**40:
        raise Claim169Refused("structure", f"claim {number} is not a time")
    return value


def _attributes(identity: Any) -> dict[str, Any]:
    """The attributes by name; unnumbered ones this module does not read are left out."""
    if not isinstance(identity, dict):
        raise Claim169Refused("structure", "claim 169 is not a map")
    found: dict[str, Any] = {}
    for number, value in identity.items():
        name = NAMES.get(number)
        if name is None:
            continue
        if not isinstance(value, str | int) or isinstance(value, bool) or len(str(value)) > MAX_TEXT_LENGTH:
            raise Claim169Refused("structure", f"attribute {number} is not text or a number")
        found[name] = value
    return found


def date_of_birth(day: dt.date) -> str:
    """Claim 169 writes a date of birth as YYYYMMDD."""
    return day.strftime("%Y%m%d")
