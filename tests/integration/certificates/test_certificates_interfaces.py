"""Certificates over real HTTP (API and the public verification page) and from the command line, on both
databases: the round trip paper → photo → verdict, and every kind of bad input as a clear 4xx."""

import io
import json

import pypdfium2
import pytest
from PIL import Image
from sqlalchemy import func, select

from sabt.certificates.models import Certificate, SuspectedForgery

from ..platform.test_api import assert_problem
from ..registry.factories import adult


def forgery_count(ctx):
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.count()).select_from(SuspectedForgery))


def certificate_count(ctx):
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.count()).select_from(Certificate))


def issued(api, code, kind="birth"):
    response = api.post("/api/certificates", as_="registrar", json={"kind": kind, "national_code": code})
    assert response.status_code == 201, response.text
    return response.json()


def photo_of(pdf: bytes, kind="JPEG") -> bytes:
    """The printed page as a phone would send it: a JPEG of the rendered page."""
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=150 / 72).to_pil().convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, kind, quality=80)
    return buffer.getvalue()


def test_issue_print_photograph_and_verify_over_http(api, ctx, staff):
    certificate = issued(api, adult(ctx, staff, "female", first_name="آوا"))
    printed = api.post(f"/api/certificates/{certificate['serial']}/print", as_="clerk")
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    assert printed.headers["x-copy-number"] == "1"
    for upload in (
        ("page.jpg", photo_of(printed.content), "image/jpeg"),
        ("page.png", photo_of(printed.content, "PNG"), "image/png"),
        ("page.pdf", printed.content, "application/pdf"),
    ):
        result = api.post("/api/certificates/verify/file", files={"file": upload})
        assert result.status_code == 200, result.text
        assert (result.json()["verdict"], result.json()["serial"]) == ("genuine", certificate["serial"])
    pasted = api.post("/api/certificates/verify", json={"code": certificate["code"]}).json()
    assert pasted["verdict"] == "genuine" and pasted["message_fa"]
    shown = api.get(f"/api/certificates/{certificate['serial']}", as_="auditor").json()
    assert shown["prints"] == 1 and shown["status"] == "current"
    assert forgery_count(ctx) == 0


def test_the_key_set_is_published_for_offline_verifiers(api, ctx, staff):
    certificate = issued(api, adult(ctx, staff, "female"))
    keys = api.get("/.well-known/sabt-certificate-keys.json").json()
    assert keys == api.get("/api/certificates/keys").json()
    assert [key["kid"] for key in keys["keys"]] and keys["keys"][0]["crv"] == "Ed25519"
    assert "d" not in keys["keys"][0]  # never the private half
    assert bytes.fromhex(certificate["kid"]) and keys["issuer"] == ctx.settings.certificate_issuer


def test_a_flipped_character_is_reported_and_counted(api, ctx, staff):
    code = issued(api, adult(ctx, staff, "female"))["code"]
    middle = len(code) // 2
    forged = code[:middle] + ("X" if code[middle] != "X" else "Y") + code[middle + 1 :]
    response = api.post("/api/certificates/verify", json={"code": forged})
    if response.status_code == 200:
        assert response.json()["verdict"] in {"bad_signature", "unknown_key"}
        assert response.json()["facts"] is None
    else:
        assert_problem(response, 422, response.json()["code"], "code")
    assert forgery_count(ctx) == 1


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"code": "HC1:NCFOXN%TS3DH"}, "qr.prefix", "code"),
        ({"code": "SB1:A"}, "qr.base45", "code"),
        ({"code": "SB1:ABC"}, "qr.compressed", "code"),
        ({"code": ""}, "qr.empty", "code"),
        ({"code": "SB1:" + "0" * 6000}, "request.too_long", "code"),
        ({}, "request.missing", "code"),
        ({"code": "SB1:X", "extra": 1}, "request.extra", "extra"),
    ],
)
def test_malformed_codes_get_a_problem_naming_the_field(api, ctx, body, code, field):
    assert_problem(api.post("/api/certificates/verify", json=body), 422, code, field)


def test_uploads_that_hold_no_certificate_are_refused_clearly(api, ctx):
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, "PNG")
    cases = [
        (("blank.png", blank.getvalue(), "image/png"), "upload.no_qr"),
        (("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png"), "upload.unreadable"),
        (("broken.pdf", b"%PDF-1.7 nothing else", "application/pdf"), "upload.unreadable"),
        (("binary.bin", bytes(range(256)), "application/octet-stream"), "upload.format"),
    ]
    for upload, code in cases:
        assert_problem(api.post("/api/certificates/verify/file", files={"file": upload}), 422, code, "file")


def test_a_huge_upload_gets_413_before_it_is_read(api, ctx):
    huge = b"\xff\xd8\xff" + b"\x00" * (ctx.settings.max_upload_bytes + 1)
    response = api.post("/api/certificates/verify/file", files={"file": ("huge.jpg", huge, "image/jpeg")})
    assert_problem(response, 413, "request.too_large")


def test_staff_routes_check_roles_and_bad_requests_write_nothing(api, ctx, staff):
    code = adult(ctx, staff, "female")
    assert_problem(
        api.post("/api/certificates", as_="clerk", json={"kind": "birth", "national_code": code}), 403, "role.forbidden"
    )
    assert_problem(api.post("/api/certificates", json={"kind": "birth", "national_code": code}), 401, "auth.required")
    assert_problem(
        api.post("/api/certificates", as_="registrar", json={"kind": "passport", "national_code": code}),
        422,
        "request.not_a_choice",
        "kind",
    )
    assert_problem(
        api.post("/api/certificates", as_="registrar", json={"kind": "death", "national_code": code}),
        422,
        "certificate.alive",
        "national_code",
    )
    assert certificate_count(ctx) == 0
    serial = issued(api, code)["serial"]
    assert_problem(
        api.post(f"/api/certificates/{serial}/revoke", as_="registrar", json={"reason": "lost"}), 403, "role.forbidden"
    )
    assert_problem(api.get(f"/api/certificates/{serial[:-1]}0", as_="auditor"), 422, "serial.check", "serial")
    assert_problem(api.get("/api/certificates/B999999999", as_="auditor"), 422, "serial.format", "serial")
    assert_problem(
        api.post("/api/certificates", as_="registrar", json={"kind": "birth", "national_code": code}),
        409,
        "certificate.exists",
        "kind",
    )
    revoked = api.post(f"/api/certificates/{serial}/revoke", as_="head", json={"reason": "reported lost"})
    assert revoked.json()["status"] == "revoked"
    assert_problem(api.post(f"/api/certificates/{serial}/print", as_="clerk"), 409, "certificate.not_current", "serial")
    assert_problem(api.get("/api/certificates/forgeries", as_="clerk"), 403, "role.forbidden")
    assert api.get("/api/certificates/forgeries", as_="auditor").status_code == 200


def test_an_office_accounts_for_the_copies_it_printed(api, ctx, staff):
    code = adult(ctx, staff, "female", first_name="زهره")
    serial = issued(api, code)["serial"]
    for _ in range(2):
        assert api.post(f"/api/certificates/{serial}/print", as_="clerk").status_code == 200
    copies = api.get("/api/certificates/printed", as_="registrar").json()
    assert [(c["serial"], c["copy_number"], c["printed_by"]) for c in copies] == [
        (serial, 2, "clerk"),
        (serial, 1, "clerk"),
    ]
    assert copies[0]["name"] == "زهره رضایی" and copies[0]["subject_national_code"] == code
    assert api.get("/api/certificates/printed", as_="registrar", params={"offset": 1}).json() == copies[1:]
    assert api.get("/api/certificates/printed", as_="isf_clerk").json() == []  # another office printed none
    assert_problem(api.get("/api/certificates/printed", as_="auditor"), 403, "role.forbidden")


def test_a_correction_over_http_lists_the_reissued_certificates(api, ctx, staff):
    code = adult(ctx, staff, "female", first_name="زهره")
    old = issued(api, code)
    corrected = api.post(
        f"/api/persons/{code}/corrections", as_="head", json={"reason": "commission decision", "first_name": "زهرا"}
    ).json()
    [reissued] = corrected["reissued_certificates"]
    assert reissued["superseded"] == old["serial"]
    verdict = api.post("/api/certificates/verify", json={"code": old["code"]}).json()
    assert (verdict["verdict"], verdict["superseded_by"]) == ("superseded", reissued["serial"])
    listed = api.get("/api/certificates", params={"national_code": code}, as_="auditor").json()
    assert [(c["serial"], c["status"]) for c in listed] == [
        (reissued["serial"], "current"),
        (old["serial"], "superseded"),
    ]


def test_the_public_page_verifies_a_pasted_code_and_an_uploaded_photo(api, ctx, staff):
    certificate = issued(api, adult(ctx, staff, "female", first_name="آوا"))
    form = api.get("/verify")
    assert form.status_code == 200 and 'dir="rtl"' in form.text and 'for="code"' in form.text
    pasted = api.post("/verify", data={"code": certificate["code"]})
    assert pasted.status_code == 200 and "اصیل و معتبر" in pasted.text and "آوا" in pasted.text
    pdf = api.post(f"/api/certificates/{certificate['serial']}/print", as_="clerk").content
    uploaded = api.post("/verify", files={"file": ("page.jpg", photo_of(pdf), "image/jpeg")}, data={"code": ""})
    assert "اصیل و معتبر" in uploaded.text
    forged = api.post("/verify", data={"code": "SB1:" + certificate["code"][4:-6]})
    assert forged.status_code == 422 and "کد قابل خواندن نیست" in forged.text
    assert certificate["code"][4:-6] in forged.text  # what the user typed is kept
    assert forgery_count(ctx) == 1
    assert api.get("/static/fonts/noto-sans-arabic.ttf").headers["content-type"] == "font/ttf"


def test_the_command_line_issues_prints_and_verifies_offline_with_only_the_key_set(sabt, ctx, staff, tmp_path):
    code = adult(ctx, staff, "female", first_name="آوا")
    result = sabt("certificates", "issue", "birth", "--national-code", code, "--as", "registrar")
    assert result.exit_code == 0, result.output
    serial = result.output.split()[1]
    pdf_path, keys_path = tmp_path / "c.pdf", tmp_path / "keys.json"
    assert sabt("certificates", "print", serial, "--as", "clerk", "--out", str(pdf_path)).exit_code == 0
    assert sabt("certificates", "keys", "export", "--out", str(keys_path)).exit_code == 0
    assert "private" not in keys_path.read_text() and json.loads(keys_path.read_text())["keys"]
    shown = json.loads(sabt("certificates", "show", serial, "--as", "auditor").output)
    for source in (str(pdf_path), shown["code"]):
        verified = sabt("verify", source, "--keys", str(keys_path))
        assert verified.exit_code == 0, verified.output
        assert "GENUINE SIGNATURE" in verified.output and "آوا" in verified.output
    forged = sabt("verify", shown["code"][:-8] + "ABCDEFGH", "--keys", str(keys_path))
    assert forged.exit_code == 1 and "NOT VERIFIED" in forged.output
    other_keys = tmp_path / "other.json"
    other_keys.write_text(json.dumps({"issuer": ctx.settings.certificate_issuer, "keys": []}))
    unknown = sabt("verify", str(pdf_path), "--keys", str(other_keys))
    assert unknown.exit_code == 1 and "not in the key set" in unknown.output
    bad_keys = sabt("verify", str(pdf_path), "--keys", str(pdf_path))
    assert bad_keys.exit_code == 1 and "key set cannot be read" in bad_keys.output


def test_the_command_line_revokes_rotates_and_reports_forgeries(sabt, ctx, staff):
    code = adult(ctx, staff, "female")
    serial = sabt("certificates", "issue", "birth", "--national-code", code, "--as", "registrar").output.split()[1]
    assert sabt("certificates", "revoke", serial, "--as", "registrar", "--reason", "lost").exit_code == 5
    assert sabt("certificates", "revoke", serial, "--as", "head", "--reason", "lost").exit_code == 0
    assert sabt("certificates", "print", serial, "--as", "clerk").exit_code == 4
    rotated = sabt("certificates", "keys", "rotate")
    assert rotated.exit_code == 0 and "new signing key" in rotated.output
    assert sabt("certificates", "forgeries", "--as", "auditor").output.strip() == "[]"
