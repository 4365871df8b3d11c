"""Certificates through the service layer on both databases: issue every kind, print a real PDF and read
its QR back from the rendered page, verify online, supersede on correction, revoke, rotate keys, and count
every failed verification as a suspected forgery."""

import datetime as dt

import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import func, select, update

from sabt.access.models import StaffRead
from sabt.certificates import service as certificates
from sabt.certificates import verification
from sabt.certificates.keys import raw_public_bytes
from sabt.certificates.models import Certificate, CertificatePrint, SigningKey, SuspectedForgery
from sabt.certificates.reading import code_from_bytes
from sabt.certificates.schemas import CertificateRequest
from sabt.certificates.signed_code import encode_code
from sabt.certificates.signing import signing_key
from sabt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sabt.keys import load_key
from sabt.ledger.audit import audit
from sabt.ledger.service import head_size
from sabt.registry import service as registry
from sabt.registry.schemas import PersonCorrection

from ..conftest import behind_the_back
from ..registry.factories import (
    DeathDeclaration,
    DivorceDeclaration,
    MarriageDeclaration,
    adult,
    death,
    divorce,
    marriage,
    register,
    registered_person,
)


def issue(ctx, staff, kind="birth", as_="registrar", **subject):
    return certificates.issue_certificate(ctx, actor=staff[as_], request=CertificateRequest(kind=kind, **subject))


def verify(ctx, text, **kwargs):
    return verification.verify_online(ctx, text=text, channel="api", **kwargs)


def page_image(pdf: bytes):
    return pypdfium2.PdfDocument(pdf)[0].render(scale=150 / 72).to_pil()


def forgeries(ctx):
    with ctx.db.snapshot() as session:
        return [(row.reason, row.serial, row.province_code) for row in session.scalars(select(SuspectedForgery))]


def test_a_printed_birth_certificate_reads_back_from_its_pdf_and_verifies(ctx, staff):
    code = adult(ctx, staff, "female", first_name="آوا")
    certificate = issue(ctx, staff, national_code=code)
    assert certificate.serial.startswith("B") and certificate.status == "current"
    printed, pdf = certificates.print_certificate(ctx, actor=staff["clerk"], serial=certificate.serial)
    assert pdf.startswith(b"%PDF-") and printed.prints == 1
    # The page as a scanner sees it: the QR decodes to the very code the registry signed.
    found = zxingcpp.read_barcodes(page_image(pdf), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [item.text for item in found] == [certificate.code]
    assert code_from_bytes(pdf) == certificate.code
    result = verify(ctx, certificate.code)
    assert (result.verdict, result.genuine_signature, result.serial) == ("genuine", True, certificate.serial)
    assert ("نام", "آوا") in result.rows and result.facts["n"] == code
    assert forgeries(ctx) == []


def test_the_pdf_is_an_a5_page_in_the_shipped_persian_font_titled_in_persian(ctx, staff):
    code = adult(ctx, staff, "female", first_name="آوا")
    serial = issue(ctx, staff, national_code=code).serial
    _, pdf = certificates.print_certificate(ctx, actor=staff["clerk"], serial=serial)
    document = pypdfium2.PdfDocument(pdf)
    assert document.get_metadata_dict()["Title"] == "شناسنامه"
    width, height = document[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (148, 210)  # A5 in millimetres
    assert b"NotoSansArabic" in pdf  # the font is embedded: the page prints the same anywhere
    # (How the page looks, shaped right to left with Jalali dates in Persian digits: docs/certificates.md.)


def test_a_certificate_carries_names_as_typed_and_the_hour_of_birth(ctx, staff):
    code = adult(ctx, staff, "female", first_name="فاطمه\u200cزهرا", last_name="اصفهاني\u200cکيا", birth_time="04:15")
    certificate = issue(ctx, staff, national_code=code)
    assert (certificate.facts["fn"], certificate.facts["ln"]) == ("فاطمه\u200cزهرا", "اصفهانی\u200cکیا")
    assert certificate.facts["bt"] == "04:15"
    rows = dict(verify(ctx, certificate.code).rows)
    assert rows["نام خانوادگی"] == "اصفهانی\u200cکیا" and rows["ساعت تولد"] == "۰۴:۱۵"
    # The registry still compares the name normalized: the record is found by it.
    assert code in [p.national_code for p in registry.search_persons(ctx, actor=staff["registrar"], name="فاطمه زهرا")]


def test_every_kind_can_be_issued_and_a_second_current_one_is_refused(ctx, staff):
    husband, wife = adult(ctx, staff, "male"), adult(ctx, staff, "female")
    married = register(ctx, staff, MarriageDeclaration(**marriage(husband, wife)))
    divorced = register(ctx, staff, DivorceDeclaration(**divorce(husband, wife)))
    register(ctx, staff, DeathDeclaration(**death(husband, death_date="2025-05-31")))
    issued = [
        issue(ctx, staff, "birth", national_code=wife),
        issue(ctx, staff, "extract", national_code=wife),
        issue(ctx, staff, "death", national_code=husband),
        issue(ctx, staff, "marriage", event_id=married.id),
        issue(ctx, staff, "divorce", event_id=divorced.id),
    ]
    assert [c.serial[0] for c in issued] == ["B", "E", "D", "M", "T"]
    assert len({c.serial for c in issued}) == 5
    assert issued[2].facts["dd"] == "2025-05-31" and issued[3].facts["h"]["n"] == husband
    for certificate in issued:
        _, pdf = certificates.print_certificate(ctx, actor=staff["registrar"], serial=certificate.serial)
        assert code_from_bytes(pdf) == certificate.code
        assert verify(ctx, certificate.code).verdict == "genuine"
    with pytest.raises(Conflict) as refused:
        issue(ctx, staff, "birth", national_code=wife)
    assert refused.value.code == "certificate.exists" and issued[0].serial in refused.value.message_en


@pytest.mark.parametrize(
    ("kind", "subject", "code"),
    [
        ("birth", {}, "certificate.subject"),
        ("marriage", {}, "certificate.subject"),
        ("marriage", {"event_id": 999}, "certificate.event"),
        ("birth", {"national_code": "0010000000"}, "national_code.check_digit"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(ctx, staff, kind, subject, code):
    before = head_size_of(ctx)
    with pytest.raises(InvalidInput) as refused:
        issue(ctx, staff, kind, **subject)
    assert refused.value.code == code
    assert head_size_of(ctx) == before and certificate_count(ctx) == 0


def test_a_death_certificate_for_a_living_person_and_an_unknown_person_are_refused(ctx, staff):
    living = adult(ctx, staff, "female")
    with pytest.raises(InvalidInput, match="not recorded as deceased"):
        issue(ctx, staff, "death", national_code=living)
    with pytest.raises(NotFound):
        issue(ctx, staff, "birth", national_code="0499370899")
    assert certificate_count(ctx) == 0


def test_only_registrars_and_heads_issue_clerks_print_and_only_heads_revoke(ctx, staff):
    code = adult(ctx, staff, "female")
    with pytest.raises(Forbidden):
        issue(ctx, staff, national_code=code, as_="clerk")
    serial = issue(ctx, staff, national_code=code).serial
    with pytest.raises(Forbidden):
        certificates.print_certificate(ctx, actor=staff["auditor"], serial=serial)
    with pytest.raises(Forbidden):
        certificates.revoke_certificate(ctx, actor=staff["registrar"], serial=serial, reason="lost")


def test_a_correction_supersedes_the_certificate_and_names_the_new_serial(ctx, staff):
    code = adult(ctx, staff, "female", first_name="زهره")
    old = issue(ctx, staff, national_code=code)
    corrected = registry.correct_person(
        ctx,
        actor=staff["head"],
        national_code=code,
        correction=PersonCorrection(reason="commission decision 1404/112", first_name="زهرا"),
    )
    [reissue] = corrected.reissued_certificates
    assert reissue.superseded == old.serial and reissue.serial != old.serial
    new = certificates.get_certificate(ctx, actor=staff["auditor"], serial=reissue.serial)
    assert (new.status, new.facts["fn"], new.facts["r"]) == ("current", "زهرا", 2)
    result = verify(ctx, old.code)
    assert (result.verdict, result.superseded_by, result.genuine_signature) == ("superseded", new.serial, True)
    assert reissue.serial in result.message and verify(ctx, new.code).verdict == "genuine"
    with pytest.raises(Conflict):
        certificates.print_certificate(ctx, actor=staff["clerk"], serial=old.serial)


def test_a_correction_leaves_certificates_whose_facts_did_not_change(ctx, staff):
    husband, wife = adult(ctx, staff, "male"), adult(ctx, staff, "female")
    married = register(ctx, staff, MarriageDeclaration(**marriage(husband, wife)))
    marriage_certificate = issue(ctx, staff, "marriage", event_id=married.id)
    correction = PersonCorrection(reason="typo", mother_first_name="مهین")
    corrected = registry.correct_person(ctx, actor=staff["head"], national_code=wife, correction=correction)
    assert corrected.reissued_certificates == []
    assert verify(ctx, marriage_certificate.code).verdict == "genuine"


def test_a_revoked_certificate_verifies_as_revoked_and_a_new_one_may_be_issued(ctx, staff):
    code = adult(ctx, staff, "female")
    old = issue(ctx, staff, national_code=code)
    certificates.revoke_certificate(ctx, actor=staff["head"], serial=old.serial, reason="reported lost")
    result = verify(ctx, old.code)
    assert (result.verdict, result.revoked_reason) == ("revoked", "reported lost")
    assert issue(ctx, staff, national_code=code).serial != old.serial
    with pytest.raises(Conflict):
        certificates.revoke_certificate(ctx, actor=staff["head"], serial=old.serial, reason="again")


def test_genuine_signatures_over_data_the_registry_did_not_issue_are_caught(ctx, staff, backend):
    code = adult(ctx, staff, "female")
    real = issue(ctx, staff, national_code=code)
    with ctx.db.transaction() as session:  # an insider who can reach the signing key
        key = signing_key(session, ctx.keys, ctx.settings, ctx.now())
    issued_at = int(ctx.now().timestamp())
    altered = encode_code(
        real.facts | {"fn": "مینا"},
        issuer=ctx.settings.certificate_issuer,
        issued_at=issued_at,
        kid=key.kid,
        key=key.signer,
    )
    invented = encode_code(
        real.facts | {"s": "B999999999" + "0"},
        issuer=ctx.settings.certificate_issuer,
        issued_at=issued_at,
        kid=key.kid,
        key=key.signer,
    )
    odd = encode_code(
        {"s": real.serial, "k": "birth", "bd": "not a date"},
        issuer=ctx.settings.certificate_issuer,
        issued_at=issued_at,
        kid=key.kid,
        key=key.signer,
    )
    assert (verify(ctx, odd).verdict, verify(ctx, odd).rows) == ("data_mismatch", [])
    assert verify(ctx, altered).verdict == "data_mismatch"
    assert verify(ctx, invented).verdict == "unknown_serial"
    assert [reason for reason, _, _ in forgeries(ctx)] == ["verify.data_mismatch"] * 3 + ["verify.unknown_serial"]


def test_every_failed_verification_is_counted_per_province_and_month(ctx, staff):
    real = issue(ctx, staff, national_code=adult(ctx, staff, "female"))
    flipped = real.code[:-3] + ("A" if real.code[-3] != "A" else "B") + real.code[-2:]
    outcome = None
    try:
        outcome = verify(ctx, flipped, actor=staff["isf_registrar"]).verdict
    except InvalidInput as error:
        outcome = error.code
    assert outcome != "genuine"
    with pytest.raises(InvalidInput):
        verify(ctx, "SB1:%%%", actor=staff["isf_registrar"])
    with pytest.raises(InvalidInput):
        verify(ctx, "not a certificate")
    recorded = forgeries(ctx)
    assert len(recorded) == 3
    assert recorded[1] == ("qr.base45", None, "10")  # unreadable: the checking office's province (Isfahan)
    assert recorded[2] == ("qr.prefix", None, None)
    counts = verification.forgery_counts(ctx, actor=staff["auditor"])
    assert sum(row.count for row in counts) == 3
    assert {row.month for row in counts} == {"1404/03"}  # 1 June 2025
    isfahan = [row for row in counts if row.province_code == "10"]
    assert isfahan and isfahan[0].province_name_fa == "اصفهان"
    with pytest.raises(Forbidden):
        verification.forgery_counts(ctx, actor=staff["clerk"])


def test_after_a_key_rotation_old_certificates_verify_and_new_ones_use_the_new_key(ctx, staff):
    first = issue(ctx, staff, national_code=adult(ctx, staff, "female"))
    ctx.clock.advance(days=1)
    new_kid = certificates.rotate_signing_key(ctx)
    second = issue(ctx, staff, national_code=adult(ctx, staff, "male"))
    assert (first.kid, second.kid) != (new_kid, new_kid) and second.kid == new_kid
    keys = certificates.public_keys(ctx)
    old_key = next(key for key in keys.keys if key.kid.hex() == first.kid)
    assert old_key.not_after == int(ctx.now().timestamp())
    ctx.clock.advance(days=400)  # long after the old key stopped signing
    assert verify(ctx, first.code).verdict == "genuine" and verify(ctx, second.code).verdict == "genuine"


def test_issuing_and_printing_are_in_the_ledger_and_the_audit_catches_an_edited_certificate(ctx, staff):
    serial = issue(ctx, staff, national_code=adult(ctx, staff, "female")).serial
    certificates.print_certificate(ctx, actor=staff["clerk"], serial=serial)
    assert audit(ctx).findings == []
    with behind_the_back(ctx) as connection:
        certificate_id = connection.scalar(select(Certificate.id).where(Certificate.serial == serial))
        print_id = connection.scalar(select(CertificatePrint.id))
        connection.execute(update(Certificate).where(Certificate.serial == serial).values(status="revoked"))
        connection.execute(update(CertificatePrint).values(copy_number=7))
    found = sorted((f.problem, f.record) for f in audit(ctx).findings)
    assert found == [("changed", f"certificate_prints/{print_id}"), ("changed", f"certificates/{certificate_id}")]


def test_signing_keys_are_owner_only_files_and_only_public_halves_reach_the_database(ctx, staff):
    issue(ctx, staff, national_code=adult(ctx, staff, "female"))
    with ctx.db.snapshot() as session:
        [(public, label)] = session.execute(select(SigningKey.public_key, SigningKey.key_label)).all()
    path = ctx.settings.key_file(label)
    assert path.stat().st_mode & 0o777 == 0o600
    assert raw_public_bytes(load_key(path).public_key()) == bytes(public)  # the file holds its private half


def head_size_of(ctx):
    with ctx.db.snapshot() as session:
        return head_size(session)


def certificate_count(ctx):
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.count()).select_from(Certificate))


def test_printing_refuses_facts_changed_in_the_database_and_prints_nothing(ctx, staff):
    """An insider edits the stored facts: paper would say a name the QR does not carry."""
    real = issue(ctx, staff, national_code=adult(ctx, staff, "female"))
    with ctx.db.transaction() as session:
        session.execute(
            update(Certificate).where(Certificate.serial == real.serial).values(facts=real.facts | {"fn": "مینا"})
        )
    with pytest.raises(Conflict) as refused:
        certificates.print_certificate(ctx, actor=staff["clerk"], serial=real.serial)
    assert (refused.value.code, refused.value.field) == ("certificate.tampered", "serial")
    with ctx.db.snapshot() as session:
        assert session.scalar(select(func.count()).select_from(CertificatePrint)) == 0
    with ctx.db.transaction() as session:  # the facts and their digest changed together: the code still says no
        session.execute(
            update(Certificate)
            .where(Certificate.serial == real.serial)
            .values(digest=certificates.facts_digest(real.facts | {"fn": "مینا"}))
        )
    with pytest.raises(Conflict):
        certificates.print_certificate(ctx, actor=staff["clerk"], serial=real.serial)


def test_printing_refuses_a_stored_code_the_registry_did_not_sign(ctx, staff):
    real = issue(ctx, staff, national_code=adult(ctx, staff, "female"))
    forged = real.code[:-6] + ("AAAAAA" if not real.code.endswith("AAAAAA") else "BBBBBB")
    with ctx.db.transaction() as session:
        session.execute(update(Certificate).where(Certificate.serial == real.serial).values(code=forged))
    with pytest.raises(Conflict) as refused:
        certificates.print_certificate(ctx, actor=staff["clerk"], serial=real.serial)
    assert refused.value.code == "certificate.tampered"


def test_the_printing_queue_records_the_reading_of_the_births_it_shows_and_no_others(ctx, staff):
    born = dt.date(2025, 5, 28)  # declared two days later, within the queue's 30 days
    codes = [registered_person(ctx, staff, born=born, first_name=name) for name in ("آوا", "سارا", "مینا")]
    issue(ctx, staff, national_code=codes[1])  # printed already: out of the queue
    shown = certificates.births_without_certificate(ctx, actor=staff["clerk"], limit=1, offset=1)
    assert [event.subject_national_code for event in shown] == [codes[2]]  # the second of the two waiting
    with ctx.db.snapshot() as session:
        read = set(session.scalars(select(StaffRead.national_code).where(StaffRead.user_id == staff["clerk"].user_id)))
    assert read == {codes[2]}
