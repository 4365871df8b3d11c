"""Input the registry must answer with a clear 4xx that names the field, writing nothing, on both databases:
ids too large for any row, text with control and direction-override characters (NUL breaks PostgreSQL),
names that are not Persian names, digits of other scripts, bodies that cannot be read, and certificate
codes of the wrong shape. One caller's bad input never fails another caller's request."""

import datetime as dt
import json
import stat
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor

import base45
import cbor2
import httpx
import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sabt.certificates import service as certificates
from sabt.certificates.plain_pdf import write_pdf
from sabt.certificates.signed_code import encode_code
from sabt.certificates.signing import signing_key
from sabt.cli import app, main
from sabt.db import LARGEST_ID

from ..certificates.test_certificates import issue
from ..registry.factories import adult, birth
from ..verification.test_identity_checks import BANK_POLICY, partner
from .test_api import assert_problem
from .test_pages_http import csrf_of, sign_in

TOO_LARGE = "9223372036854775808"  # 2**63: no row has it, and SQLite cannot even bind it
EVENT_ADDRESSES = [
    ("GET", "/api/events/{}"),
    ("GET", "/api/events/{}/history"),
    ("POST", "/api/events/{}/validate"),
    ("POST", "/api/events/{}/register"),
    ("POST", "/api/events/{}/approve-late"),
    ("POST", "/api/events/{}/reject"),
    ("PUT", "/api/events/{}/declaration"),
    ("GET", "/api/events/{}/duplicates"),
]
HIDDEN = {"NUL": "\x00", "BEL": "\x07", "ESC": "\x1b", "RLO": "\u202e", "LRI": "\u2066", "C1": "\x85"}


@pytest.mark.parametrize(("method", "address"), EVENT_ADDRESSES)
def test_an_id_too_large_for_any_row_is_refused_and_the_connection_goes_on(api, nothing_written, method, address):
    body = {"reason": "because"} if address.endswith("reject") else None
    response = api.request(method, address.format(TOO_LARGE), as_="head", json=body)
    assert_problem(response, 422, "request.above_maximum", "event_id")
    assert api.get("/api/events", as_="head").status_code == 200  # the same kept-alive connection


def test_ledger_indexes_and_sizes_are_bounded_too(api):
    assert_problem(api.get(f"/api/ledger/leaves/{TOO_LARGE}"), 422, "request.above_maximum", "index")
    assert_problem(api.get(f"/api/ledger/consistency?old_size={TOO_LARGE}"), 422, "request.above_maximum", "old_size")


@pytest.mark.parametrize("name", HIDDEN)
def test_hidden_characters_in_a_query_are_refused_by_name(api, ctx, nothing_written, name):
    character = HIDDEN[name]
    for address, field, value, caller in [
        ("/api/geo/counties", "province", "2", None),
        ("/api/persons", "name", "علی", "registrar"),
        ("/api/cards/queue", "office", "THR", "head"),
        ("/api/stats/births", "by", "country", "auditor"),
    ]:
        response = api.get(address, as_=caller, params={field: value + character})
        problem = assert_problem(response, 422, "text.bad_character", field)
        assert f"U+{ord(character):04X}" in problem["detail"]


@pytest.mark.parametrize("name", HIDDEN)
def test_hidden_characters_anywhere_in_a_declaration_are_refused_by_field(api, ctx, nothing_written, name):
    character = HIDDEN[name]
    for changes, field in [
        ({"place": f"تهران{character}"}, "place"),
        ({"first_name": f"آوا{character}"}, "first_name"),
        ({"mother": {"first_name": f"مریم{character}", "last_name": "احمدی"}}, "mother.first_name"),
        ({"evidence": birth()["evidence"] | {"document_number": f"BC{character}1"}}, "evidence.document_number"),
    ]:
        response = api.post("/api/events/births", as_="clerk", json=birth(**changes))
        assert_problem(response, 422, "text.bad_character", field)


def test_nul_at_sign_in_and_in_a_rejection_reason_is_refused(api, ctx, staff, nothing_written):
    signing_in = api.post("/api/auth/token", data={"username": "admin\x00", "password": "x"})
    assert_problem(signing_in, 422, "text.bad_character", "username")
    reason = api.post("/api/events/1/reject", as_="head", json={"reason": "no\x00 reason"})
    assert_problem(reason, 422, "text.bad_character", "reason")


def test_a_page_refuses_a_hidden_character_in_persian(server, api, ctx, nothing_written):
    response = httpx.post(f"{server}/verify", data={"code": "SB1:\x00"})
    assert response.status_code == 422
    assert "نویسه‌ای پنهان و غیرمجاز" in response.text and "Traceback" not in response.text


def test_one_partners_bad_purpose_fails_no_other_partners_check(api, ctx, staff):
    code = adult(ctx, staff, "female")
    good = partner(api, "good-bank", BANK_POLICY, rate=100_000)
    bad = partner(api, "bad-bank", BANK_POLICY, rate=100_000)
    query = {"national_code": code, "first_name": "سارا", "purpose": "loan"}

    def check(index: int) -> int:
        key, purpose = (bad, "p\x00") if index % 7 == 0 else (good, "loan")
        with httpx.Client(base_url=api.client.base_url, timeout=30) as client:
            return client.post(
                "/api/identity/verify", json=query | {"purpose": purpose}, headers={"X-API-Key": key}
            ).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(check, range(150)))
    assert {statuses[i] for i in range(150) if i % 7 == 0} == {422}
    assert {statuses[i] for i in range(150) if i % 7} == {200}


@pytest.mark.parametrize(
    "name",
    ["'", "-", "--", "Иван", "王芳", "علیJohn", "\ufdfa", "علی\ufdfa", "علی2", "علی۲", "ع@لی", "علی\tرضا", "علی\nرضا"],
)
def test_a_name_that_is_not_a_persian_name_is_refused(api, ctx, nothing_written, name):
    response = api.post("/api/events/births", as_="clerk", json=birth(first_name=name))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "first_name"
    assert response.json()["code"] in ("name.bad_characters", "name.empty", "text.line_break")


@pytest.mark.parametrize(
    "day", ["２０２５-０５-２５", "२०२५-०५-२५", "1404/03/04\u200f", "1404\u06d4 03 04", "١٤٠٤／٠٣／٠٤"]
)
def test_digits_of_other_scripts_in_a_date_are_refused(api, ctx, nothing_written, day):
    response = api.post("/api/events/births", as_="clerk", json=birth(birth_date=day))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "birth_date"


def test_persian_and_arabic_indic_digits_in_a_date_are_read(api, ctx):
    for day in ["۱۴۰۴/۰۳/۰۴", "١٤٠٤/٠٣/٠٤"]:
        declared = api.post("/api/events/births", as_="clerk", json=birth(birth_date=day))
        assert declared.status_code == 201, declared.text
        assert declared.json()["event_date"]["gregorian"] == "2025-05-25"


def test_invisible_characters_in_a_name_compare_as_nothing(api, ctx, staff):
    code = adult(ctx, staff, "female", first_name="ابراهیمی")
    for typed in ["إبراهیمی", "ابراه\u200dیمی", "ابراهیمی\u200f", "\ufeffابراهیمی", "ابرا\u00adهیمی", "ابراهی\u200bمی"]:
        found = api.get("/api/persons", as_="registrar", params={"name": typed})
        assert [person["national_code"] for person in found.json()] == [code], typed


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"[" * 5000 + b"]" * 5000, 400, "request.malformed"),
        (b'{"first_name": "\xff\xfe"}', 400, "request.malformed"),
        (b"{not json", 422, "request.not_json"),
    ],
    ids=["nested", "invalid-utf-8", "not-json"],
)
def test_a_body_that_cannot_be_read_is_refused_for_what_it_is(api, ctx, nothing_written, body, status, code):
    headers = {"content-type": "application/json"}
    response = api.post("/api/events/births", as_="clerk", content=body, headers=headers)
    assert_problem(response, status, code)


def test_a_wrong_method_is_405_and_an_unknown_address_404(api):
    assert_problem(api.request("DELETE", "/api/events", as_="head"), 405, "method")
    assert_problem(api.get("/api/nothing-here"), 404, "not_found")


def _code_of(protected: bytes, payload: bytes) -> str:
    message = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, b"\x00" * 64]))
    return "SB1:" + base45.b45encode(zlib.compress(message)).decode("ascii")


def _registry_signed(ctx, facts: dict) -> str:
    with ctx.db.transaction() as session:  # an insider who can reach the signing key
        key = signing_key(session, ctx.keys, ctx.settings, ctx.now())
    return encode_code(
        facts,
        issuer=ctx.settings.certificate_issuer,
        issued_at=int(ctx.now().timestamp()),
        kid=key.kid,
        key=key.signer,
    )


def _codes_of_the_wrong_shape(ctx, staff) -> list[str]:
    claims = cbor2.dumps({1: "sabt", 6: 1_750_000_000, -70001: {"s": "B000000001X"}})
    real = issue(ctx, staff, national_code=adult(ctx, staff, "female"))
    return [
        _code_of(cbor2.dumps([1, -8]), claims),  # the protected header is a list
        _code_of(cbor2.dumps({1: -8, 4: b"k"}), cbor2.dumps(["not", "a", "map"])),
        _code_of(cbor2.dumps({1: -8, 4: b"k"}), cbor2.dumps({1: "sabt", 6: "yesterday", -70001: {}})),
        _registry_signed(ctx, real.facts | {"fn": b"bytes"}),
        _registry_signed(ctx, real.facts | {"fn": "مینا\x00"}),
        _registry_signed(ctx, real.facts | {"fn": 1.5}),
    ]


def test_certificate_codes_of_the_wrong_shape_are_refused_everywhere(api, ctx, staff, server, sabt, tmp_path):
    for code in _codes_of_the_wrong_shape(ctx, staff):
        assert_problem(api.post("/api/certificates/verify", json={"code": code}), 422, "qr.structure", "code")
        photo = tmp_path / "code.png"
        segno.make(code, error="m").save(photo, scale=4)
        with photo.open("rb") as image:
            uploaded = api.post("/api/certificates/verify/file", files={"file": ("code.png", image, "image/png")})
        assert_problem(uploaded, 422, "qr.structure", "code")
        page = httpx.post(f"{server}/verify", data={"code": code})
        assert page.status_code == 422 and "Traceback" not in page.text
        offline = sabt("verify", code)
        assert offline.exit_code == 1 and "NOT VERIFIED" in offline.output
        assert offline.exception is None or isinstance(offline.exception, SystemExit)


def test_every_moment_in_an_answer_carries_its_offset(api, ctx, staff):
    code = adult(ctx, staff, "female")
    history = api.get(f"/api/persons/{code}/history", as_="registrar").json()
    event = api.post("/api/events/births", as_="clerk", json=birth()).json()
    steps = api.get(f"/api/events/{event['id']}/history", as_="clerk").json()
    card = api.post("/api/cards/applications", as_="clerk", json={"national_code": code}).json()
    moments = [revision["recorded_at"] for revision in history] + [step["recorded_at"] for step in steps]
    moments.append(card["applied_at"])
    assert moments and all(dt.datetime.fromisoformat(moment).utcoffset() is not None for moment in moments)


@given(number=st.integers(min_value=-(2**70), max_value=2**70))
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_integer_in_an_address_is_answered_never_a_server_error(api, number):
    response = api.get(f"/api/events/{number}", as_="head")
    assert response.status_code == (404 if 1 <= number <= LARGEST_ID else 422)
    assert response.headers["content-type"].startswith("application/problem+json")


def test_what_a_registry_creates_is_readable_by_its_user_only(tmp_path, monkeypatch):
    data = tmp_path / "registry"
    monkeypatch.setenv("SABT_DATA_DIR", str(data))
    monkeypatch.delenv("SABT_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["certificates", "keys", "rotate"]).exit_code == 0
    created = [data, *data.rglob("*")]
    assert {path.name for path in created} >= {"registry", "registry.db", "keys", "certificates"}
    for path in created:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


# --- found by trying to break it --------------------------------------------------------------------------


def test_a_key_holding_a_lone_surrogate_is_named_in_a_refusal_that_can_be_written(api, nothing_written):
    response = api.post(
        "/api/certificates/verify", content=b'{"\\udfff": 1}', headers={"content-type": "application/json"}
    )
    problem = assert_problem(response, 422, "text.bad_character", "U+DFFF")
    assert "U+DFFF" in problem["detail"]


def test_a_form_labelled_with_json_in_its_type_is_still_checked_as_a_form(server, nothing_written):
    form_type = {"content-type": "application/x-www-form-urlencoded; x=json"}
    page = httpx.post(f"{server}/verify", content="code=SB1:%00", headers=form_type)
    assert page.status_code == 422 and "نویسه‌ای پنهان و غیرمجاز" in page.text
    token = httpx.post(f"{server}/api/auth/token", content="username=a%00&password=b", headers=form_type)
    assert_problem(token, 422, "text.bad_character", "username")


def test_media_types_are_read_without_regard_to_case(api, ctx):
    response = api.post(
        "/api/events/births",
        as_="clerk",
        content=json.dumps(birth()).encode(),
        headers={"content-type": "Application/JSON; charset=UTF-8"},
    )
    assert response.status_code == 201, response.text


@pytest.fixture
def browser(server):
    with httpx.Client(base_url=server, follow_redirects=False) as client:
        yield client


def test_a_form_token_that_is_not_ascii_is_refused_not_a_crash(browser):
    answer = browser.post("/login", data={"username": "registrar", "password": "x", "csrf": "é"})
    assert answer.status_code == 403 and "Traceback" not in answer.text
    csrf = sign_in(browser)
    assert browser.post("/office/declare/birth", data={"csrf": csrf + "ی", "first_name": "آوا"}).status_code == 403


def test_a_form_field_sent_beside_its_own_parts_is_refused_by_name(browser, ctx, nothing_written):
    csrf = sign_in(browser, "clerk")
    fields = {"csrf": csrf, "father": "x", "father.first_name": "علی"}
    answer = browser.post("/office/declare/birth", data=fields)
    assert answer.status_code == 422 and "Traceback" not in answer.text


def _pdf_of_one_page(width: int, height: int) -> bytes:
    return write_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] >>".encode(),
        ]
    )


def test_a_tiny_pdf_declaring_a_huge_page_is_read_at_a_bounded_size(api):
    pdf = _pdf_of_one_page(14_400, 14_400)  # 200 inches square: gigabytes at full resolution
    uploaded = api.post("/api/certificates/verify/file", files={"file": ("huge.pdf", pdf, "application/pdf")})
    assert_problem(uploaded, 422, "upload.no_qr", "file")


def test_an_id_no_row_can_have_is_a_usage_error_at_the_command_line(sabt):
    for command in (["event", "validate", TOO_LARGE], ["cards", "enrol", "99999999999999999999"]):
        result = sabt(*command, "--as", "registrar")
        assert result.exit_code == 2 and "Invalid value" in result.output, command


def test_a_command_line_argument_holding_a_control_character_is_refused(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["sabt", "event", "reject", "1", "--reason", "\x07\x1b[2Jabc", "--as", "head"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    assert capsys.readouterr().err.startswith("error [argument 5]: The text holds a character no text may hold (U+0007")


def test_a_declaration_file_holding_hidden_characters_is_refused(sabt, tmp_path, nothing_written):
    declaration = tmp_path / "birth.json"
    declaration.write_text(json.dumps(birth(place="تهران\u202e")), encoding="utf-8")
    result = sabt("register", "birth", "--file", str(declaration), "--declare-only", "--as", "clerk")
    assert result.exit_code == 1 and "[place]" in result.output and "U+202E" in result.output


@pytest.mark.parametrize("key", ["", "a b", "a\x01b", "\xff\xfe\x85", "k" * 101])
def test_an_idempotency_key_of_no_visible_ascii_is_refused(api, ctx, nothing_written, key):
    response = api.post(
        "/api/events/births", as_="clerk", json=birth(), headers={"Idempotency-Key": key.encode("latin-1")}
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "Idempotency-Key"


def test_a_parent_declaring_is_held_to_the_name_rule_too(api, ctx, nothing_written):
    declarant = {"relation": "father", "first_name": "John", "last_name": "Иван"}
    response = api.post("/api/events/births", as_="clerk", json=birth(declarant=declarant))
    assert_problem(response, 422, "name.bad_characters", "declarant.first_name")


@pytest.mark.parametrize("blank", ["   ", "\t\t\t", " \n "])
def test_a_reason_of_nothing_but_spaces_is_as_empty_as_it_looks(api, ctx, staff, blank):
    event = api.post("/api/events/births", as_="clerk", json=birth()).json()
    refused = api.post(f"/api/events/{event['id']}/reject", as_="head", json={"reason": blank})
    assert refused.status_code == 422 and refused.json()["field"] == "reason"


def test_a_wrong_method_says_which_methods_the_address_takes(api):
    response = api.request("DELETE", "/api/events", as_="head")
    assert_problem(response, 405, "method")
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET"}


def test_head_is_answered_wherever_get_is(api):
    for address in ("/health", "/api/geo/provinces", "/verify"):
        head, get = api.request("HEAD", address), api.get(address)
        assert (head.status_code, head.content) == (get.status_code, b""), address
        assert head.headers["content-type"] == get.headers["content-type"]


def test_a_webhook_address_no_request_can_be_sent_to_is_refused(api, ctx):
    partner(api, "hook-bank", BANK_POLICY)
    for url in ("http://[::1", "http://a:99999/", "https://"):
        body = {"url": url, "kinds": ["birth.registered"]}
        response = api.post("/api/partners/hook-bank/subscriptions", as_="admin", json=body)
        assert response.status_code == 422 and response.json()["field"] == "url", url


def test_a_form_field_nested_deeper_than_any_form_is_refused(browser, ctx, nothing_written):
    csrf = sign_in(browser, "clerk")
    answer = browser.post("/office/declare/birth", data={"csrf": csrf, "a." * 1500 + "b": "x"})
    assert answer.status_code == 422 and "Traceback" not in answer.text


@pytest.mark.parametrize("year", ["0", "10000", "99999999", "۱۳۷۰۰۰۰۰"])
def test_a_search_year_outside_the_calendar_is_refused_on_the_page(browser, year):
    csrf = sign_in(browser)
    answer = browser.post("/office/search", data={"csrf": csrf, "first_name": "علی", "birth_year": year})
    assert answer.status_code == 422 and "سال تولد" in answer.text


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ("/api/cards/coverage?as_of=0001-01-01", "as_of"),
        ("/api/certificates/forgeries?since=0001-01-01", "since"),
        ("/api/certificates/forgeries?until=9999-12-31", "until"),
    ],
)
def test_a_day_outside_the_registrys_calendar_is_refused_by_name(api, address, field):
    assert_problem(api.get(address, as_="auditor"), 422, "date.out_of_range", field)


def test_dates_outside_the_registrys_calendar_are_refused_at_the_command_line(sabt):
    for since in ("0001-01-01", "9999-12-31", "x"):
        result = sabt("certificates", "forgeries", "--as", "auditor", "--since", since)
        assert result.exit_code == 1 and "[--since]" in result.output, since


@pytest.mark.parametrize(
    ("legacy", "truth", "code"),
    [
        (b"\xff\xfe\x00garbage", b"row,person\n", "import.unreadable"),  # not UTF-8
        (b"national_code,first_name\n1,2\n", b"row,person\n1,a\n", "import.columns"),  # another shape
    ],
    ids=["not-utf8", "without-the-columns"],
)
def test_an_evaluation_file_that_cannot_be_read_is_refused_by_name(api, ctx, legacy, truth, code):
    files = {"legacy": ("legacy.csv", legacy, "text/csv"), "truth": ("truth.csv", truth, "text/csv")}
    response = api.post("/api/linkage/evaluation", as_="investigator", files=files)
    assert response.status_code == 422 and response.json()["code"] == code


@pytest.mark.parametrize(
    ("name", "content"),
    [("garbage.csv", b"national_code,first_name\n\xff\xfe\x80\x81,\xc0\n"), ("bad.parquet", b"PAR1xxxxPAR1")],
)
def test_an_import_file_that_cannot_be_read_is_refused_in_one_line(sabt, tmp_path, name, content):
    broken = tmp_path / name
    broken.write_bytes(content)
    result = sabt("import", str(broken), "--as", "head")
    assert result.exit_code == 1 and "cannot be read from row" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_print_to_a_path_that_cannot_be_written_records_no_print(sabt, ctx, staff, tmp_path):
    real = issue(ctx, staff, national_code=adult(ctx, staff, "female"))
    for output in (tmp_path / "missing" / "x.pdf", tmp_path):
        result = sabt("certificates", "print", real.serial, "--as", "clerk", "--out", str(output))
        assert result.exit_code == 1 and "cannot write" in result.output
    assert certificates.get_certificate(ctx, actor=staff["clerk"], serial=real.serial).prints == 0


def test_a_body_on_a_method_that_takes_none_is_not_read(api):
    response = api.request(
        "GET", "/health", content=b'{"a": "\\u0000"}' * 10_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200


def test_persian_digits_in_a_numeric_form_field_are_read(browser, ctx):
    csrf = sign_in(browser, "clerk")
    fields = {
        "csrf": csrf,
        "_key": "form-digits",
        "first_name": "آوا",
        "last_name": "رضایی",
        "sex": "female",
        "birth_date": "1404/03/04",
        "county": "2301",
        "birth_order": "۲",
        "father.first_name": "علی",
        "father.last_name": "رضایی",
        "mother.first_name": "مریم",
        "mother.last_name": "احمدی",
        "declarant.relation": "father",
        "evidence.kind": "medical_certificate",
        "evidence.issuer": "facility",
        "evidence.document_number": "BC-77",
    }
    answer = browser.post("/office/declare/birth", data=fields)
    assert answer.status_code in (200, 303), answer.text
    assert "Input should be" not in answer.text


def test_the_citizens_page_shows_no_text_taken_from_its_address(browser, ctx, staff, api):
    code = adult(ctx, staff, "female")
    account = {"national_code": code, "username": "page-citizen", "password": "a long password!"}
    assert api.post("/api/citizens", as_="registrar", json=account).status_code == 201
    form = browser.get("/login")
    signed_in = browser.post(
        "/login", data={"username": "page-citizen", "password": "a long password!", "csrf": csrf_of(form.text)}
    )
    assert signed_in.status_code == 303
    crafted = browser.get("/me", params={"error": "حساب شما مسدود شد؛ با این شماره تماس بگیرید"})
    assert crafted.status_code == 200 and "با این شماره تماس بگیرید" not in crafted.text
