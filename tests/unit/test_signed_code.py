"""The signed code in a certificate's QR: round trips, and every way a code can be wrong fails closed."""

import base64
import datetime as dt
import json
import zlib
from pathlib import Path

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from sabt.certificates.errors import NotGenuine
from sabt.certificates.keys import KeySet, PublicKey, key_id
from sabt.certificates.signed_code import PREFIX, decode_code, encode_code, verify_code
from sabt.certificates.verification import verify_offline
from sabt.core.errors import InvalidInput

ISSUER = "sabt.test"
T0 = 1_750_000_000  # a moment in June 2025
FACTS = {
    "v": 1,
    "s": "B000000123F",
    "k": "birth",
    "o": "THR",
    "n": "0010000504",
    "fn": "آوا",
    "ln": "رضایی‌نژاد",
    "sx": "f",
    "bd": "2025-05-25",
    "bc": "2301",
    "f": "علی رضایی",
    "fc": None,
    "m": "مریم احمدی",
    "mc": None,
    "r": 1,
}


def make_key(not_before=T0 - 86_400, not_after=None):
    private = Ed25519PrivateKey.generate()
    return private, PublicKey(key_id(private.public_key()), private.public_key(), not_before, not_after)


@pytest.fixture(scope="module")
def signer():
    return make_key()


def sign(private, public, facts=FACTS, issued_at=T0, issuer=ISSUER):
    return encode_code(facts, issuer=issuer, issued_at=issued_at, kid=public.kid, key=private)


def test_a_code_round_trips_and_fits_a_qr_a_phone_reads_from_paper(signer):
    private, public = signer
    text = sign(private, public)
    assert text.startswith(PREFIX) and len(text) < 700  # about a version-13 QR at level M
    code = decode_code(text)
    assert verify_code(code, KeySet(ISSUER, (public,)), now=T0) == public
    assert (code.certificate, code.issuer, code.issued_at, code.kid) == (FACTS, ISSUER, T0, public.kid)


def test_offline_verification_needs_only_the_published_key_set(signer):
    private, public = signer
    published = json.dumps(KeySet(ISSUER, (public,)).to_json())
    verified = verify_offline(sign(private, public), KeySet.from_json(published), now=dt.datetime.fromtimestamp(T0))
    assert verified.code.certificate["fn"] == "آوا"


@settings(max_examples=60)
@given(st.data())
def test_any_flipped_byte_of_the_signed_message_fails(signer, data):
    private, public = signer
    message = bytearray(zlib.decompress(base45.b45decode(sign(private, public)[len(PREFIX) :])))
    position = data.draw(st.integers(min_value=0, max_value=len(message) - 1))
    message[position] ^= data.draw(st.integers(min_value=1, max_value=255))
    tampered = PREFIX + base45.b45encode(zlib.compress(bytes(message))).decode()
    with pytest.raises(InvalidInput):  # NotGenuine, or a message that no longer parses
        verify_code(decode_code(tampered), KeySet(ISSUER, (public,)), now=T0)


@pytest.mark.parametrize("unprotected", [[], {4: b"kid"}, {1: -8}, None])
def test_anything_in_the_unsigned_header_is_refused(signer, unprotected):
    private, public = signer
    message = cbor2.loads(zlib.decompress(base45.b45decode(sign(private, public)[len(PREFIX) :])))
    protected, _, payload, signature = message.value
    # The one part of a COSE_Sign1 its signature does not cover.
    altered_message = cbor2.CBORTag(message.tag, [protected, unprotected, payload, signature])
    altered = PREFIX + base45.b45encode(zlib.compress(cbor2.dumps(altered_message))).decode()
    with pytest.raises(InvalidInput) as refused:
        decode_code(altered)
    assert refused.value.code == "qr.structure"


def test_another_writing_of_the_same_signed_code_is_refused(signer):
    private, public = signer
    compressed = base45.b45decode(sign(private, public)[len(PREFIX) :])
    message = zlib.decompress(compressed)
    tag, (protected, _, payload, signature) = message[0], cbor2.loads(message).value
    indefinite_map = bytes([tag, 0x84]) + cbor2.dumps(protected) + b"\xbf\xff" + cbor2.dumps(payload)
    rewritten = {
        "qr.compressed": compressed + b"extra",  # bytes after the compressed stream
        "qr.structure": zlib.compress(message + b"\x00"),  # bytes after the message
    }
    for code, data in rewritten.items():
        with pytest.raises(InvalidInput) as refused:
            decode_code(PREFIX + base45.b45encode(data).decode())
        assert refused.value.code == code
    with pytest.raises(InvalidInput) as refused:  # the empty header as an indefinite-length map
        decode_code(PREFIX + base45.b45encode(zlib.compress(indefinite_map + cbor2.dumps(signature))).decode())
    assert refused.value.code == "qr.structure"


def test_changed_facts_resigned_by_another_key_fail_even_with_the_real_key_id(signer):
    _private, public = signer
    forger, _ = make_key()
    forged = encode_code(FACTS | {"fn": "مینا"}, issuer=ISSUER, issued_at=T0, kid=public.kid, key=forger)
    with pytest.raises(NotGenuine) as refused:
        verify_code(decode_code(forged), KeySet(ISSUER, (public,)), now=T0)
    assert refused.value.code == "verify.bad_signature"


def test_a_key_not_in_the_set_fails(signer):
    private, public = make_key()
    with pytest.raises(NotGenuine) as refused:
        verify_code(decode_code(sign(private, public)), KeySet(ISSUER, (signer[1],)), now=T0)
    assert refused.value.code == "verify.unknown_key"


def test_an_expired_key_fails_for_new_certificates_but_its_old_ones_still_verify():
    private, public = make_key(not_before=T0 - 1000, not_after=T0 + 1000)
    keys = KeySet(ISSUER, (public,))
    later = T0 + 10 * 365 * 86_400
    assert verify_code(decode_code(sign(private, public, issued_at=T0)), keys, now=later) == public
    with pytest.raises(NotGenuine) as refused:
        verify_code(decode_code(sign(private, public, issued_at=T0 + 2000)), keys, now=later)
    assert refused.value.code == "verify.key_expired"


def test_a_code_issued_in_the_future_or_by_another_issuer_fails(signer):
    private, public = signer
    keys = KeySet(ISSUER, (public,))
    with pytest.raises(NotGenuine, match="future"):
        verify_code(decode_code(sign(private, public, issued_at=T0 + 3600)), keys, now=T0)
    with pytest.raises(NotGenuine) as refused:
        verify_code(decode_code(sign(private, public, issuer="elsewhere")), keys, now=T0)
    assert refused.value.code == "verify.issuer"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "qr.empty"),
        ("HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N", "qr.prefix"),
        ("https://example.org/not-a-certificate", "qr.prefix"),
        ("SB1:" + "A" * 5000, "qr.too_long"),
        ("SB1:%%%", "qr.base45"),
        ("SB1:" + base45.b45encode(b"not zlib at all").decode(), "qr.compressed"),
        ("SB1:" + base45.b45encode(zlib.compress(b"\x00" * 100_000)).decode(), "qr.compressed"),
        ("SB1:" + base45.b45encode(zlib.compress(cbor2.dumps([1, 2, 3]))).decode(), "qr.structure"),
        ("SB1:" + base45.b45encode(zlib.compress(b"\x9f" * 5000)).decode(), "qr.structure"),
    ],
)
def test_malformed_codes_are_refused_with_the_reason(text, code):
    with pytest.raises(InvalidInput) as refused:
        decode_code(text)
    assert refused.value.code == code and refused.value.field == "code"


def test_a_truncated_code_is_refused(signer):
    private, public = signer
    text = sign(private, public)
    for cut in (len(text) - 1, len(text) - 2, len(text) // 2):
        with pytest.raises(InvalidInput) as refused:
            decode_code(text[:cut])
        assert refused.value.code in {"qr.base45", "qr.compressed"}


@pytest.mark.parametrize(
    "text",
    [
        '{"issuer": "x"}',
        "not json",
        '{"issuer": "x", "keys": [{"kty": "RSA"}]}',
        '{"issuer": "x", "keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "kid": "AA", "nbf": 0}]}',
    ],
)
def test_a_malformed_key_set_is_refused_whole(text):
    with pytest.raises(InvalidInput) as refused:
        KeySet.from_json(text)
    assert refused.value.code == "keys.file"


def test_a_key_set_entry_whose_kid_does_not_match_its_key_is_refused(signer):
    _, public = signer
    jwk = public.to_jwk() | {"kid": base64.urlsafe_b64encode(b"12345678").decode().rstrip("=")}
    with pytest.raises(InvalidInput):
        KeySet.from_json(json.dumps({"issuer": ISSUER, "keys": [jwk]}))


def test_the_published_vector_verifies_and_its_tampered_twin_does_not():
    """tests/vectors/sabt_certificate_v1.json is what a third party's verifier is checked against: if this
    fails, the code format changed and docs/certificates.md must say how."""
    vector = json.loads((Path(__file__).parents[1] / "vectors" / "sabt_certificate_v1.json").read_text("utf-8"))
    keys = KeySet.from_json(json.dumps(vector["keys"]))
    code = decode_code(vector["code"])
    assert verify_code(code, keys, now=vector["now"]).kid.hex() == vector["kid"]
    assert (code.certificate, code.issuer, code.issued_at) == (vector["facts"], vector["issuer"], vector["issued_at"])
    with pytest.raises(NotGenuine) as refused:
        verify_code(decode_code(vector["tampered"]), keys, now=vector["now"])
    assert refused.value.code == "verify.bad_signature"
