"""A card holder's ID Claim 169 identity QR over HTTP on both databases: read by an implementation Sabt did
not write (the `claim169` package) from the QR's image, codes that package writes read here, and every
altered, foreign, expired or revoked code refused with its reason."""

import io
import time
import zlib

import base45
import cbor2
import claim169 as independent
import httpx
import pytest
import segno
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from PIL import Image

from sabt.cards import service as cards
from sabt.cards.schemas import ReportIn
from sabt.certificates.keys import from_b64url
from sabt.core.transliteration import from_latin
from sabt.credentials import claim169
from sabt.verification import service as verification
from sabt.verification.schemas import CitizenIn

from ..cards.test_cards import active
from ..platform.test_api import assert_problem
from ..registry.factories import adult

NOW = 1_748_768_400  # the tests' today, 1 June 2025 09:00 in Tehran


@pytest.fixture
def holder(ctx, staff):
    code = adult(ctx, staff, "female", year=1990, first_name="زهرا")
    return code, active(ctx, staff, code)


def registry_keys(server) -> dict[bytes, bytes]:
    jwks = httpx.get(f"{server}/.well-known/jwks.json").json()
    return {from_b64url(key["kid"]): from_b64url(key["x"]) for key in jwks["keys"]}


def test_the_printed_qr_is_read_from_its_image_by_an_independent_decoder(server, api, holder):
    code, card = holder
    issued = api.get(f"/api/persons/{code}/identity-code", as_="registrar")
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["serial"] == card.serial and body["issuer"].startswith("https://")
    assert body["qr_version"] <= 15
    image = io.BytesIO()
    segno.make(body["code"], error="q", micro=False).save(image, kind="png", scale=4)
    (read,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.getvalue())))
    assert read.text == body["code"]
    (kid, public), *_ = registry_keys(server).items()
    decoded = independent.decode_with_ed25519(read.text, public)
    identity = decoded.claim169
    assert (identity.id, identity.full_name, identity.gender, identity.nationality) == (
        code,
        "زهرا رضایی",
        2,
        "IRN",
    )
    assert identity.date_of_birth == "19900301" and identity.country_of_issuance == "IRN"
    assert from_latin(identity.secondary_full_name) == identity.full_name
    assert decoded.cwt_meta.issuer == body["issuer"] and decoded.is_verified
    assert kid == cbor2.loads(_sign1(body["code"])[0])[4]


def _sign1(code: str) -> list:
    message = cbor2.loads(zlib.decompress(base45.b45decode(code)))
    assert message.tag == 18  # a COSE_Sign1, as Claim 169's decoders read it
    return message.value


def test_a_code_the_independent_encoder_writes_is_read_here_and_each_fault_is_named():
    key = Ed25519PrivateKey.generate()
    keys = {b"k1": key.public_key()}
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    def written(issuer: str = "https://id.example", expires: int = NOW + 3600, **claims) -> str:
        meta = independent.CwtMetaInput(issuer=issuer, expires_at=expires)
        meta.issued_at = NOW - 60
        identity = independent.Claim169Input(id="0012345679", full_name="زهرا رضایی", gender=2, **claims)
        return independent.encode_with_ed25519(identity, meta, raw)

    with pytest.raises(claim169.Claim169Refused) as refused:
        claim169.verify(written(), keys, now=NOW)
    assert refused.value.reason == "structure"  # no card serial: read, but not a card's code
    for text, reason in (
        ("not base45 ~", "base45"),
        (written(issuer="http://id.example"), "issuer"),
        (written(expires=NOW - 1), "expired"),
    ):
        with pytest.raises(claim169.Claim169Refused) as refused:
            claim169.verify(text, keys, now=NOW)
        assert refused.value.reason == reason, text
    stranger = {b"k2": Ed25519PrivateKey.generate().public_key()}
    with pytest.raises(claim169.Claim169Refused) as refused:
        claim169.verify(written(), stranger, now=NOW)
    assert refused.value.reason == "signature"


def test_codes_written_here_are_refused_when_altered_foreign_or_wrongly_tagged():
    key, now = Ed25519PrivateKey.generate(), int(time.time())  # the independent decoder reads the clock
    attributes = {"id": "0012345679", "full_name": "زهرا رضایی", "gender": 2}
    text = claim169.encode(
        attributes,
        serial="IR01-0000001",
        issuer="https://id.example",
        issued_at=now,
        expires_at=now + 600,
        kid=b"k1",
        sign=key.sign,
    )
    verified = claim169.verify(text, {b"k1": key.public_key()}, now=now)
    assert (verified.attributes, verified.serial) == (attributes, "IR01-0000001")
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert independent.decode_with_ed25519(text, public).claim169.full_name == "زهرا رضایی"
    faults = {
        "unknown_key": ({b"k9": key.public_key()}, text),
        "tag": ({b"k1": key.public_key()}, _retagged(text, 98)),
        "signature": ({b"k1": key.public_key()}, _altered(text)),
        "issuer": ({b"k1": key.public_key()}, text),
    }
    for reason, (keys, code) in faults.items():
        issuers = frozenset({"https://other.example"}) if reason == "issuer" else None
        with pytest.raises(claim169.Claim169Refused) as refused:
            claim169.verify(code, keys, now=now, issuers=issuers)
        assert refused.value.reason == reason


def _retagged(text: str, tag: int) -> str:
    message = cbor2.loads(zlib.decompress(base45.b45decode(text)))
    return base45.b45encode(zlib.compress(cbor2.dumps(cbor2.CBORTag(tag, message.value)))).decode()


def _altered(text: str) -> str:
    """The same code with the identity's name changed and the signature kept."""
    protected, unprotected, payload, signature = cbor2.loads(zlib.decompress(base45.b45decode(text))).value
    claims = cbor2.loads(payload)
    claims[169][4] = "مریم رضایی"
    sign1 = cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature])
    return base45.b45encode(zlib.compress(cbor2.dumps(cbor2.CBORTag(61, sign1)))).decode()


def test_the_online_check_refuses_a_card_reported_stolen_and_only_a_holder_gets_a_code(server, api, ctx, staff, holder):
    code, card = holder
    issued = api.get(f"/api/persons/{code}/identity-code", as_="registrar").json()["code"]
    checked = httpx.post(f"{server}/api/credentials/identity/verify", json={"code": issued})
    assert checked.status_code == 200, checked.text
    assert checked.json()["attributes"]["id"] == code and checked.json()["serial"] == card.serial
    cards.report_card(ctx, actor=staff["registrar"], card_id=card.id, report=ReportIn(what="stolen"))
    assert_problem(
        httpx.post(f"{server}/api/credentials/identity/verify", json={"code": issued}),
        409,
        "credential.not_current",
        "code",
    )
    assert_problem(api.get(f"/api/persons/{code}/identity-code", as_="registrar"), 409, "credential.no_active_card")
    without = adult(ctx, staff, "male", year=1980)
    assert_problem(api.get(f"/api/persons/{without}/identity-code", as_="registrar"), 409, "credential.no_active_card")
    assert httpx.get(f"{server}/api/persons/{code}/identity-code").status_code == 401
    assert_problem(
        httpx.post(f"{server}/api/credentials/identity/verify", json={"code": "٠"}),
        422,
        "credential.unreadable",
        "code",
    )


def test_a_citizen_gets_their_own_code(server, api, ctx, staff, holder):
    code, _ = holder
    account = CitizenIn(national_code=code, username="zahra", password="a long passphrase")
    verification.enrol_citizen(ctx, actor=staff["registrar"], citizen=account)
    token = httpx.post(f"{server}/api/auth/token", data={"username": "zahra", "password": "a long passphrase"})
    mine = httpx.get(
        f"{server}/api/me/identity-code", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert mine.status_code == 200, mine.text
    public = next(iter(registry_keys(server).values()))
    assert independent.decode_with_ed25519(mine.json()["code"], public).claim169.id == code
