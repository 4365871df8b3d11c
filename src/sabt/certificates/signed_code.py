"""The code printed in a certificate's QR: a CBOR Web Token signed as COSE_Sign1, compressed, in Base45.

    "SB1:" + Base45( zlib( COSE_Sign1[ protected {1: -8 (EdDSA), 4: kid}, {}, CWT claims, signature ] ) )

The layout follows the EU Digital COVID Certificate (HC1), so its tooling and reviews carry over. The CWT
claims are 1 (iss), 6 (iat) and -70001 (private use: the certificate's facts as a CBOR map). Decoding
refuses anything that is not exactly this shape; verification fails closed, by raising.
"""

import zlib
from dataclasses import dataclass
from typing import Any, Protocol

import base45
import cbor2
from cryptography.exceptions import InvalidSignature

from ..core.text import forbidden_character
from .errors import (
    QrBase45,
    QrCompressed,
    QrEmpty,
    QrPrefix,
    QrStructure,
    QrTooLong,
    VerifyBadSignature,
    VerifyIssuedInFuture,
    VerifyIssuer,
    VerifyKeyExpired,
    VerifyUnknownKey,
)
from .keys import KeySet, PublicKey

PREFIX = "SB1:"
ALG_EDDSA = -8
HEADER_ALG, HEADER_KID = 1, 4
CLAIM_ISSUER, CLAIM_ISSUED_AT, CLAIM_CERTIFICATE = 1, 6, -70001
COSE_SIGN1_TAG = 18
# A version-40 QR holds 4,296 alphanumeric characters; nothing longer was printed by Sabt.
MAX_CODE_LENGTH = 4296
MAX_MESSAGE_BYTES = 8192
CLOCK_SKEW_SECONDS = 300
MAX_FACTS_DEPTH = 4
MAX_TIMESTAMP = 2**40


class Signs(Protocol):
    """A private key, wherever it is kept: an Ed25519 key object or a key store's signer."""

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class SignedCode:
    kid: bytes
    issuer: str
    issued_at: int
    certificate: dict[str, Any]
    protected: bytes
    payload: bytes
    signature: bytes

    def signed_bytes(self) -> bytes:
        return _sig_structure(self.protected, self.payload)


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    # RFC 9052 §4.4: the bytes a COSE_Sign1 signature covers (no external AAD).
    return bytes(cbor2.dumps(["Signature1", protected, b"", payload]))


def encode_code(certificate: dict[str, Any], *, issuer: str, issued_at: int, kid: bytes, key: Signs) -> str:
    protected = cbor2.dumps({HEADER_ALG: ALG_EDDSA, HEADER_KID: kid})
    payload = cbor2.dumps({CLAIM_ISSUER: issuer, CLAIM_ISSUED_AT: issued_at, CLAIM_CERTIFICATE: certificate})
    signature = key.sign(_sig_structure(protected, payload))
    message = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return PREFIX + str(base45.b45encode(zlib.compress(message, 9)).decode("ascii"))


def decode_code(text: str) -> SignedCode:
    """Parse a code into its parts without trusting any of them; raises InvalidInput naming what is wrong."""
    text = text.strip()
    if not text:
        raise QrEmpty(field="code")
    if len(text) > MAX_CODE_LENGTH:
        raise QrTooLong(field="code")
    if not text.upper().startswith(PREFIX):
        raise QrPrefix(field="code", prefix=PREFIX)
    try:
        compressed = base45.b45decode(text[len(PREFIX) :])
    except ValueError:
        raise QrBase45(field="code") from None
    message = _decompress(compressed)
    try:
        parsed = cbor2.loads(message)
        # One certificate has one code: bytes after the message, or an encoding of it other than the one
        # Sabt writes (an indefinite-length map, a longer integer), are changes no signature covers.
        if cbor2.dumps(parsed) != message:
            raise ValueError("the message is encoded as Sabt encodes it, with nothing after it")
        return _parse_sign1(parsed)
    except (ValueError, TypeError, KeyError, LookupError, RecursionError, cbor2.CBORError):
        raise QrStructure(field="code") from None


def _decompress(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        message = inflater.decompress(data, MAX_MESSAGE_BYTES)
    except zlib.error:
        raise QrCompressed(field="code") from None
    # A zip bomb, data cut short, or bytes after the compressed stream.
    if inflater.unconsumed_tail or not inflater.eof or inflater.unused_data:
        raise QrCompressed(field="code")
    return message


def _parse_sign1(message: Any) -> SignedCode:
    """The parts of a COSE_Sign1 of exactly Sabt's shape; ValueError for anything else, whatever it holds
    (a header that is a list, claims that are text, facts holding bytes or control characters)."""
    if not isinstance(message, cbor2.CBORTag) or message.tag != COSE_SIGN1_TAG:
        raise ValueError("not a tagged COSE_Sign1")
    parts = message.value
    if not isinstance(parts, list | tuple) or len(parts) != 4:
        raise ValueError("a COSE_Sign1 has four parts")
    protected, unprotected, payload, signature = parts
    if not (isinstance(protected, bytes) and isinstance(payload, bytes) and isinstance(signature, bytes)):
        raise ValueError("the protected header, payload and signature are byte strings")
    # The unprotected header is not signed, and Sabt leaves it empty: anything there was added by someone else.
    if unprotected != {}:
        raise ValueError("the unprotected header is not empty")
    header, claims = cbor2.loads(protected), cbor2.loads(payload)
    if not (isinstance(header, dict) and isinstance(claims, dict)):
        raise ValueError("the header and the claims are maps")
    if header.get(HEADER_ALG) != ALG_EDDSA:
        raise ValueError("unsupported algorithm")
    kid, issuer, issued_at = header.get(HEADER_KID), claims.get(CLAIM_ISSUER), claims.get(CLAIM_ISSUED_AT)
    certificate = claims.get(CLAIM_CERTIFICATE)
    if not (isinstance(kid, bytes) and isinstance(issuer, str) and forbidden_character(issuer) is None):
        raise ValueError("the key id and the issuer are a byte string and plain text")
    if not (isinstance(issued_at, int) and not isinstance(issued_at, bool) and 0 <= issued_at < MAX_TIMESTAMP):
        raise ValueError("the moment of issue is a timestamp")
    if not (isinstance(certificate, dict) and _plain_facts(certificate, depth=0)):
        raise ValueError("the facts are not a map of plain text and numbers")
    return SignedCode(kid, issuer, issued_at, certificate, protected, payload, signature)


def _plain_facts(value: object, *, depth: int) -> bool:
    """What Sabt puts in a certificate: maps with text keys, lists, text without forbidden characters,
    integers of 64 bits, booleans and nulls, a few levels deep. Anything else was never issued."""
    if depth > MAX_FACTS_DEPTH:
        return False
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain_facts(key, depth=depth + 1) for key in value) and all(
            _plain_facts(item, depth=depth + 1) for item in value.values()
        )
    if isinstance(value, list | tuple):
        return all(_plain_facts(item, depth=depth + 1) for item in value)
    if isinstance(value, str):
        return forbidden_character(value) is None
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**63
    return value is None or isinstance(value, bool)


def verify_code(code: SignedCode, keys: KeySet, *, now: int) -> PublicKey:
    """The key that signed `code`, or NotGenuine: unknown key, bad signature, wrong issuer or a time the key
    was not signing. The signature is checked before anything it covers is believed."""
    key = keys.find(code.kid)
    if key is None:
        raise VerifyUnknownKey(field="code")
    try:
        key.public.verify(code.signature, code.signed_bytes())
    except InvalidSignature:
        raise VerifyBadSignature(field="code") from None
    if code.issuer != keys.issuer:
        raise VerifyIssuer(field="code", issuer=code.issuer)
    if code.issued_at > now + CLOCK_SKEW_SECONDS:
        raise VerifyIssuedInFuture(field="code")
    if not key.signs_at(code.issued_at):
        raise VerifyKeyExpired(field="code")
    return key
