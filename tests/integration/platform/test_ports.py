"""The ports' conformance tests: each runs against the real implementation and its fake, so that a test
written against the fake holds for the real part. Then a registry built by the bootstrap from settings that
name every fake registers, signs, prints and notifies, and its ledger still audits clean."""

import base64
import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pydantic
import pypdfium2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sabt.bootstrap import build_context, settings_clock
from sabt.certificates import service as certificates
from sabt.certificates.reading import code_from_bytes
from sabt.certificates.schemas import CertificateRequest
from sabt.certificates.verification import verify_online
from sabt.clock import Clock, FixedClock, SystemClock
from sabt.config import Settings
from sabt.db import open_database
from sabt.keys import FileKeyStore, KeyStore, MemoryKeyStore, Pkcs11KeyStore, Signer
from sabt.ledger.audit import audit
from sabt.migrations import upgrade
from sabt.ports import CertificatePage, PdfRenderer, WebhookSender
from sabt.verification import service as verification
from sabt.verification import webhooks
from sabt.verification.schemas import PartnerIn, SubscriptionIn

from ..conftest import PIN, SOFTHSM_MODULE, TEST_NOW, _add_staff, new_database
from ..receiver import Receiver
from ..registry.factories import DeathDeclaration, adult, death, register

# Characters of the alphabet a certificate code is written in, and about its length.
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


@pytest.fixture(params=["system", "fixed"])
def clock(request: pytest.FixtureRequest) -> Clock:
    return SystemClock() if request.param == "system" else FixedClock(TEST_NOW)


def test_a_clock_tells_an_aware_utc_time_that_never_goes_back(clock: Clock):
    first, second = clock.now(), clock.now()
    assert first.utcoffset() == dt.timedelta(0) and first <= second


@pytest.fixture(params=["file", "pkcs11", "memory"])
def key_store(request: pytest.FixtureRequest, tmp_path) -> KeyStore:
    if request.param == "file":
        return FileKeyStore(lambda label: tmp_path / f"{label}.pem")
    if request.param == "pkcs11":
        return Pkcs11KeyStore(SOFTHSM_MODULE, request.getfixturevalue("softhsm_token"), PIN)
    return MemoryKeyStore()


def test_a_key_store_makes_each_key_once_and_signs_with_it(key_store: KeyStore):
    label, other = f"conformance-{uuid.uuid4().hex[:8]}", f"conformance-{uuid.uuid4().hex[:8]}"
    assert key_store.public_key(label) is None
    public = key_store.create(label)
    assert len(public) == 32 and key_store.public_key(label) == public
    Ed25519PublicKey.from_public_bytes(public).verify(key_store.sign(label, b"head"), b"head")
    with pytest.raises(FileExistsError):
        key_store.create(label)  # a key is never replaced
    # A key signed with before anyone made it is made on that first use, and is another key.
    signature = key_store.sign(other, b"checkpoint")
    made = key_store.public_key(other)
    assert made is not None and made != public
    Ed25519PublicKey.from_public_bytes(made).verify(signature, b"checkpoint")


def test_keys_made_by_one_thread_after_another_are_each_made_once(key_store: KeyStore):
    label = f"conformance-{uuid.uuid4().hex[:8]}"
    signatures: list[bytes] = []
    publics: list[bytes] = []
    signing = [threading.Thread(target=lambda: signatures.append(key_store.sign(label, b"x"))) for _ in range(3)]
    asking = [threading.Thread(target=lambda: publics.append(Signer(key_store, label).public_key())) for _ in range(3)]
    threads = [thread for pair in zip(signing, asking, strict=True) for thread in pair]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    public = key_store.public_key(label)
    assert public is not None and len(signatures) == 3 and publics == [public] * 3
    for signature in signatures:  # every signature is by the one key the store kept
        Ed25519PublicKey.from_public_bytes(public).verify(signature, b"x")


@pytest.fixture(params=["typst", "plain"])
def renderer(request: pytest.FixtureRequest) -> PdfRenderer:
    return certificates.TypstRenderer() if request.param == "typst" else certificates.PlainPdfRenderer()


def a_page(code: str) -> CertificatePage:
    return CertificatePage(
        title="شناسنامه",
        issuer="سازمان ثبت احوال کشور",
        serial="B1404-000123",
        rows=[("کد ملی", "۰۰۱۰۰۰۰۵۱۹"), ("نام", "آوا"), ("نام خانوادگی", "رضایی")],
        sections=[{"title": "فرزندان", "columns": ["نام", "کد ملی", "تاریخ تولد"], "rows": []}],
        issued_on="۱۴۰۴/۰۳/۱۱",
        office="اداره تهران",
        verify_hint="اصالت این گواهی را بررسی کنید.",
        footer="B1404-000123 · http://127.0.0.1:8000/verify",
        code=code,
    )


def test_a_renderer_prints_one_page_with_the_serial_whose_qr_reads_back(renderer: PdfRenderer):
    code = "HC1:" + "".join(BASE45[(index * 7) % len(BASE45)] for index in range(420))
    pdf = renderer.render(a_page(code))
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages, text = len(document), document[0].get_textpage().get_text_range()
    finally:
        document.close()
    # The serial's number as text (a right-to-left page's text comes out in visual order, so the letter
    # before it may be read after it).
    assert pages == 1 and "1404-000123" in text
    assert code_from_bytes(pdf) == code  # what a verifier who uploads the PDF is shown


@dataclass
class Receivers:
    """A webhook sender, an address that takes what it is sent, one that refuses it, and what arrived."""

    sender: WebhookSender
    accepting: str
    refusing: str
    received: Callable[[], list[tuple[bytes, str]]]


@pytest.fixture(params=["http", "recording"])
def receivers(request: pytest.FixtureRequest) -> Iterator[Receivers]:
    if request.param == "recording":
        fake = verification.RecordingSender(statuses={"http://partner.example/down": 503})
        yield Receivers(
            fake,
            "http://partner.example/notices",
            "http://partner.example/down",
            lambda: [(sent.body, sent.headers["Sabt-Message-Id"]) for sent in fake.sent if "notices" in sent.url],
        )
        return
    accepting, refusing = Receiver(), Receiver()
    refusing.status = 503
    yield Receivers(
        verification.HttpSender(timeout=5),
        accepting.url,
        refusing.url,
        lambda: [(body, headers["Sabt-Message-Id"]) for headers, body in accepting.received],
    )
    accepting.close()
    refusing.close()


def test_a_webhook_sender_says_what_the_receiver_answered(receivers: Receivers):
    headers = {"Content-Type": "application/json", "Sabt-Message-Id": "7"}
    assert receivers.sender.send(receivers.accepting, b'{"id":7}', headers) is None
    assert receivers.received() == [(b'{"id":7}', "7")]
    assert receivers.sender.send(receivers.refusing, b'{"id":8}', headers) == "HTTP 503"
    for unusable in ["ftp://partner.example/notices", "http:///notices", "http://[::1/notices"]:
        assert receivers.sender.send(unusable, b"{}", headers) is not None
    assert receivers.received() == [(b'{"id":7}', "7")]  # nothing else reached the accepting receiver


def test_settings_choose_each_fake_and_refuse_what_names_none():
    settings = Settings(
        key_store="memory", pdf_renderer="plain", webhook_sender="recording", clock="2026-03-21T08:00:00+03:30"
    )
    clock = settings_clock(settings).now()
    assert (clock, clock.utcoffset()) == (dt.datetime(2026, 3, 21, 4, 30, tzinfo=dt.UTC), dt.timedelta(0))
    wrong_settings = [
        ("clock", "yesterday"),
        ("clock", "2026-03-21T08:00:00"),  # no zone
        ("clock", "0"),  # not seconds since 1970
        ("clock", 1742531400),
        ("pdf_renderer", "word"),
    ]
    for field, wrong in wrong_settings:
        with pytest.raises(pydantic.ValidationError) as refused:
            Settings(**{field: wrong})
        assert refused.value.errors()[0]["loc"][0] == field


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_of_fakes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A registry of its own, built from settings alone, that runs on every fake."""
    for url in new_database(request.param, tmp_path_factory):
        settings = Settings(
            database_url=url,
            data_dir=tmp_path_factory.mktemp("fakes"),
            key_store="memory",
            pdf_renderer="plain",
            webhook_sender="recording",
            clock=TEST_NOW,
            second_factor=False,
            checkpoint_seconds=0,
            webhook_seconds=0,
        )
        ctx = build_context(open_database(url), settings)
        upgrade(ctx)
        yield ctx
        ctx.db.dispose()


def test_a_registry_built_on_the_fakes_says_so_and_signs_prints_notifies_and_audits_clean(
    registry_of_fakes, caplog: pytest.LogCaptureFixture
):
    ctx = registry_of_fakes
    built = caplog.get_records("setup")  # what the bootstrap logged as the fixture built the registry
    warned = [record.getMessage().split(" ")[0] for record in built if record.name == "sabt.bootstrap"]
    assert warned == ["SABT_KEY_STORE=memory", "SABT_PDF_RENDERER=plain", "SABT_WEBHOOK_SENDER=recording", "SABT_CLOCK"]
    staff = _add_staff(ctx)
    assert ctx.now() == TEST_NOW
    partner = {"code": "pension", "name": "صندوق", "kind": "pension", "contact": "ops@example.org"}
    policy = {"checks": ["verify"], "purpose": "pension stops at death", "notices": ["death.registered"]}
    verification.create_partner(ctx, actor=None, partner=PartnerIn.model_validate({**partner, "policy": policy}))
    notices = SubscriptionIn(url="http://pension.example/notices", kinds=["death.registered"])
    webhooks.subscribe(ctx, actor=None, partner_code="pension", subscription=notices)

    code = adult(ctx, staff, "female", first_name="آوا")
    request = CertificateRequest(kind="birth", national_code=code)
    issued = certificates.issue_certificate(ctx, actor=staff["registrar"], request=request)
    _, pdf = certificates.print_certificate(ctx, actor=staff["clerk"], serial=issued.serial)
    verdict = verify_online(ctx, text=code_from_bytes(pdf), channel="api")
    assert (verdict.verdict, verdict.serial) == ("genuine", issued.serial)

    register(ctx, staff, DeathDeclaration(**death(adult(ctx, staff, "male"))))
    assert webhooks.relay(ctx).delivered == 1
    [sent] = ctx.webhooks.sent  # type: ignore[attr-defined]  # the recording sender keeps what it sent
    kid, signature = (part.split("=", 1)[1] for part in sent.headers["Sabt-Signature"].split(","))
    key = next(key for key in certificates.public_keys(ctx).keys if key.kid.hex() == kid)
    key.public.verify(base64.urlsafe_b64decode(signature + "=="), sent.body)

    report = audit(ctx)
    assert report.findings == [] and report.tree_size > 0
