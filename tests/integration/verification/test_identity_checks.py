"""Partner agencies over real HTTP on both databases: keys, yes/no checks, eKYC with a signed statement,
citizens' lock and access log, rate limits, and every kind of bad input as a clear 4xx."""

import base64
import datetime as dt
import json
import threading
import uuid

import httpx
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from sabt.verification.models import IdentityCheck

from ..conftest import TEST_NOW
from ..platform.test_api import assert_problem
from ..registry.factories import DeathDeclaration, adult, death, register

BANK_POLICY = {"checks": ["verify"], "alive_status": True, "purpose": "Central Bank KYC rules, art. 4"}
ELECTION_POLICY = {"checks": ["verify"], "alive_status": False, "purpose": "Elections Law, art. 9"}
PENSION_POLICY = {
    "checks": ["verify", "ekyc"],
    "attributes": ["first_name", "last_name", "birth_date", "alive"],
    "alive_status": True,
    "purpose": "pension entitlement",
}


def partner(api, code, policy, rate=600):
    body = {
        "code": code,
        "name": f"Partner {code}",
        "kind": "bank",
        "contact": "ops@example.org",
        "policy": policy,
        "rate_per_minute": rate,
    }
    created = api.post("/api/partners", as_="admin", json=body)
    assert created.status_code == 201, created.text
    key = api.post(f"/api/partners/{code}/keys", as_="admin")
    assert key.status_code == 201
    return key.json()["api_key"]


def ask(api, key, body, path="/api/identity/verify"):
    return api.post(path, json=body, headers={"X-API-Key": key})


def checks_logged(ctx):
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.count()).select_from(IdentityCheck))


@pytest.fixture
def person(ctx, staff):
    return adult(ctx, staff, "female", first_name="زهرا", year=1990)


def test_a_bank_gets_yes_or_no_per_field_and_nothing_else(api, ctx, staff, person):
    key = partner(api, "bank-melli", BANK_POLICY)
    query = {
        "national_code": person,
        "first_name": "زهرا",
        "last_name": "رضايي",
        "birth_date": "1368/12/10",
        "father_name": "علي",
        "purpose": "account opening",
    }
    answer = ask(api, key, query)
    body = answer.json()
    assert answer.status_code == 200, answer.text
    assert body["status"] == "match" and body["fields"] == {
        "first_name": True,
        "last_name": True,
        "birth_date": True,
        "father_name": True,
    }
    assert body["alive"] is True and body["partner_token"]
    assert set(body) == {"status", "fields", "alive", "card_status", "partner_token", "checked_at"}
    assert body["card_status"] is None  # not in this bank's policy; and no other personal data
    wrong = ask(api, key, {"national_code": person, "first_name": "مریم", "purpose": "account opening"}).json()
    assert (wrong["status"], wrong["fields"], wrong["alive"], wrong["partner_token"]) == ("no_match", {}, None, None)
    unknown = ask(api, key, {"national_code": "0499370899", "first_name": "زهرا", "purpose": "x"}).json()
    assert unknown["status"] == "no_match" and unknown["alive"] is None
    assert checks_logged(ctx) == 3


NAMES = st.sampled_from(["زهرا", "مریم", "علی", "رضایی", "رضايي", "محمدی", "x"])
CLAIMS = st.fixed_dictionaries(
    {},
    optional={
        "first_name": NAMES,
        "last_name": NAMES,
        "father_name": NAMES,
        "birth_date": st.sampled_from(["1368/12/10", "1990-03-01", "1369/01/01"]),
    },
).filter(bool)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims=CLAIMS)
def test_a_no_match_is_the_same_whether_or_not_the_code_is_held_and_whoever_holds_it(api, ctx, staff, claims):
    """No existence oracle: a partner allowed to see alive or deceased learns nothing from a no_match, for a
    living holder, a deceased one, or a code nobody holds."""
    key = bank_key(api)
    living = adult(ctx, staff, "female", first_name="زهرا", year=1990)
    deceased = adult(ctx, staff, "male", first_name="علی", year=1960)
    register(ctx, staff, DeathDeclaration(**death(deceased)))
    answers = []
    for code in (living, deceased, "0499370899"):
        body = ask(api, key, {"national_code": code, "purpose": "account opening", **claims}).json()
        if body["status"] == "no_match":
            answers.append({name: value for name, value in body.items() if name != "checked_at"})
    assert all(answer == answers[0] for answer in answers)
    assert {"status": "no_match", "fields": {}, "alive": None, "card_status": None, "partner_token": None} in answers


def bank_key(api):
    """One bank for all of a property test's examples (each example shares the test's registry)."""
    listed = api.get("/api/partners", as_="admin").json()
    if not any(item["code"] == "bank-oracle" for item in listed):
        return partner(api, "bank-oracle", BANK_POLICY)
    key = api.post("/api/partners/bank-oracle/keys", as_="admin")
    assert key.status_code == 201
    return key.json()["api_key"]


def test_alive_status_follows_the_policy_and_death_is_reported_where_allowed(api, ctx, staff, person):
    register(ctx, staff, DeathDeclaration(**death(person)))
    bank, election = partner(api, "bank", BANK_POLICY), partner(api, "election", ELECTION_POLICY)
    query = {"national_code": person, "first_name": "زهرا", "purpose": "pension"}
    assert ask(api, bank, query).json()["alive"] is False
    assert ask(api, election, query).json()["alive"] is None


def test_partner_tokens_are_stable_per_partner_and_unlinkable_across_partners(api, ctx, person):
    first, second = partner(api, "bank-a", BANK_POLICY), partner(api, "bank-b", BANK_POLICY)
    query = {"national_code": person, "first_name": "زهرا", "purpose": "kyc"}
    tokens_a = {ask(api, first, query).json()["partner_token"] for _ in range(2)}
    token_b = ask(api, second, query).json()["partner_token"]
    assert len(tokens_a) == 1 and token_b not in tokens_a


def test_ekyc_releases_the_policy_attributes_in_a_statement_signed_with_the_published_key(api, ctx, person):
    key = partner(api, "pension", PENSION_POLICY)
    answer = ask(
        api,
        key,
        {"national_code": person, "consent_reference": "CONSENT-2025-0001", "purpose": "pension"},
        path="/api/identity/ekyc",
    ).json()
    statement = answer["statement"]
    assert answer["status"] == "released" and statement["consent_reference"] == "CONSENT-2025-0001"
    assert set(statement["attributes"]) == {"first_name", "last_name", "birth_date", "alive"}
    keys = api.get("/.well-known/sabt-certificate-keys.json").json()["keys"]
    jwk = next(k for k in keys if base64.urlsafe_b64decode(k["kid"] + "==").hex() == answer["kid"])
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
    signed = json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    public.verify(base64.urlsafe_b64decode(answer["signature"] + "=="), signed)  # raises if not the registry's
    bank = partner(api, "bank", BANK_POLICY)
    refused = ask(
        api, bank, {"national_code": person, "consent_reference": "C-1234", "purpose": "x"}, path="/api/identity/ekyc"
    )
    assert_problem(refused, 403, "partner.policy")


def test_revoked_unknown_and_missing_keys_are_refused(api, ctx, person):
    key = partner(api, "bank", BANK_POLICY)
    query = {"national_code": person, "first_name": "زهرا", "purpose": "kyc"}
    assert_problem(ask(api, "sabt_nothing_here", query), 401, "partner.key")
    assert_problem(ask(api, key[:-2] + "xx", query), 401, "partner.key")
    assert_problem(api.post("/api/identity/verify", json=query), 401, "partner.key")
    prefix = key.split("_")[1]
    assert api.post(f"/api/partner-keys/{prefix}/revoke", as_="admin").json()["revoked_at"]
    assert_problem(ask(api, key, query), 401, "partner.key")
    assert checks_logged(ctx) == 0


def test_a_key_revoked_after_use_is_refused_at_once(api, ctx, person):
    key = partner(api, "bank", BANK_POLICY)
    query = {"national_code": person, "first_name": "زهرا", "purpose": "kyc"}
    assert [ask(api, key, query).status_code for _ in range(3)] == [200, 200, 200]
    assert api.post(f"/api/partner-keys/{key.split('_')[1]}/revoke", as_="admin").status_code == 200
    assert_problem(ask(api, key, query), 401, "partner.key")
    assert_problem(
        ask(api, key, {"national_code": person, "consent_reference": "c-123", "purpose": "kyc"}, "/api/identity/ekyc"),
        401,
        "partner.key",
    )
    assert checks_logged(ctx) == 3


def test_the_key_is_checked_before_the_question(api, ctx):
    key = partner(api, "bank", BANK_POLICY)
    bad_code = {"national_code": "12", "first_name": "زهرا", "purpose": "x"}
    assert_problem(ask(api, "sabt_nothing_here", bad_code), 401, "partner.key")
    assert_problem(ask(api, key[:-2] + "xx", bad_code), 401, "partner.key")
    assert_problem(ask(api, key, bad_code), 422, "national_code.length", "national_code")


def test_over_the_rate_limit_a_partner_gets_429_with_retry_after(api, ctx, person):
    key = partner(api, f"small-bank-{uuid.uuid4().hex[:8]}", BANK_POLICY, rate=3)  # a window of its own
    query = {"national_code": person, "first_name": "زهرا", "purpose": "kyc"}
    assert [ask(api, key, query).status_code for _ in range(3)] == [200, 200, 200]
    limited = ask(api, key, query)
    assert_problem(limited, 429, "rate.limited")
    assert 1 <= int(limited.headers["retry-after"]) <= 60


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {"national_code": "0010000000", "first_name": "زهرا", "purpose": "x"},
            422,
            "national_code.check_digit",
            "national_code",
        ),
        ({"national_code": "12", "first_name": "زهرا", "purpose": "x"}, 422, "national_code.length", "national_code"),
        ({"national_code": "0499370899", "purpose": "x"}, 422, "identity.nothing", "first_name"),
        (
            {"national_code": "0499370899", "birth_date": "1368/13/40", "purpose": "x"},
            422,
            "date.no_such_day",
            "birth_date",
        ),
        ({"national_code": "0499370899", "first_name": "زهرا"}, 422, "request.missing", "purpose"),
        (
            {"national_code": "0499370899", "first_name": "زهرا", "purpose": "x", "salary": 1},
            422,
            "request.extra",
            "salary",
        ),
    ],
)
def test_bad_questions_get_a_problem_naming_the_field_and_are_not_logged(api, ctx, body, status, code, field):
    key = partner(api, "bank", BANK_POLICY)
    assert_problem(ask(api, key, body), status, code, field)
    assert checks_logged(ctx) == 0


def test_partners_are_managed_only_by_national_admins_and_codes_are_unique(api, ctx):
    body = {"code": "bank", "name": "Bank", "kind": "bank", "contact": "c", "policy": BANK_POLICY}
    assert_problem(api.post("/api/partners", as_="head", json=body), 403, "role.forbidden")
    assert api.post("/api/partners", as_="admin", json=body).status_code == 201
    assert_problem(api.post("/api/partners", as_="admin", json=body), 409, "partner.exists", "code")
    bad_policy = body | {"code": "other", "policy": {"checks": ["everything"], "purpose": "x"}}
    assert_problem(
        api.post("/api/partners", as_="admin", json=bad_policy), 422, "request.not_a_choice", "policy.checks.0"
    )
    assert_problem(api.post("/api/partners/nobody/keys", as_="admin"), 404, "partner.unknown", "partner")
    listed = api.get("/api/partners", as_="admin").json()
    assert [p["code"] for p in listed] == ["bank"] and listed[0]["keys"] == []


def test_a_citizen_sees_who_checked_them_and_locks_their_code(api, ctx, staff, person, server):
    key = partner(api, "bank", BANK_POLICY)
    query = {"national_code": person, "first_name": "زهرا", "purpose": "loan application"}
    ask(api, key, query)
    account = {"national_code": person, "username": "zahra", "password": "a long passphrase"}
    enrolled = api.post("/api/citizens", as_="registrar", json=account)
    assert enrolled.status_code == 201, enrolled.text
    token = httpx.post(f"{server}/api/auth/token", data={"username": "zahra", "password": "a long passphrase"})
    citizen = {"Authorization": f"Bearer {token.json()['access_token']}"}
    checks = api.get("/api/me/checks", headers=citizen).json()
    assert [(c["partner"], c["purpose"], c["result"]) for c in checks] == [
        ("Partner bank", "loan application", "match")
    ]
    assert api.post("/api/me/lock", headers=citizen).json() == {"national_code": person, "locked": True}
    locked = ask(api, key, query).json()
    assert (locked["status"], locked["fields"], locked["partner_token"]) == ("locked", {}, None)
    assert api.post("/api/me/unlock", headers=citizen).json()["locked"] is False
    assert ask(api, key, query).json()["status"] == "match"
    assert [c["result"] for c in api.get("/api/me/checks", headers=citizen).json()] == ["match", "locked", "match"]
    # A citizen reads nothing else, and staff have no "own record".
    assert_problem(api.get(f"/api/persons/{person}", headers=citizen), 403, "role.forbidden")
    assert_problem(api.get("/api/me/checks", as_="registrar"), 403, "role.forbidden")


def test_citizen_enrolment_needs_a_registered_person_once_and_a_registrar(api, ctx, person):
    body = {"national_code": person, "username": "zahra", "password": "a long passphrase"}
    assert_problem(api.post("/api/citizens", as_="clerk", json=body), 403, "role.forbidden")
    assert_problem(
        api.post("/api/citizens", as_="registrar", json=body | {"national_code": "0499370899"}),
        404,
        "person.unknown",
        "national_code",
    )
    assert api.post("/api/citizens", as_="registrar", json=body).status_code == 201
    again = body | {"username": "zahra2"}
    assert_problem(api.post("/api/citizens", as_="registrar", json=again), 409, "citizen.exists", "national_code")


def test_concurrent_checks_are_each_logged_before_they_are_answered(api, ctx, person, server):
    key = partner(api, f"busy-bank-{uuid.uuid4().hex[:8]}", BANK_POLICY)
    query = {"national_code": person, "first_name": "زهرا", "purpose": "batch kyc"}
    answered: list[int] = []

    def asker() -> None:
        with httpx.Client(base_url=server, timeout=30) as client:
            for _ in range(5):
                response = client.post("/api/identity/verify", json=query, headers={"X-API-Key": key})
                answered.append(response.status_code)
                at_least = len(answered)  # every answer so far, this one included, was logged before it left
                assert checks_logged(ctx) >= at_least

    threads = [threading.Thread(target=asker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answered == [200] * 40 and checks_logged(ctx) == 40


def test_a_citizen_sees_the_day_of_a_late_evening_check_as_it_was_in_tehran(api, ctx, staff, person, server):
    key = partner(api, "bank", BANK_POLICY)
    ctx.clock.current = dt.datetime(2025, 6, 1, 21, 0, tzinfo=dt.UTC)  # 00:30 on 2 June in Tehran
    ask(api, key, {"national_code": person, "first_name": "زهرا", "purpose": "late kyc"})
    ctx.clock.current = TEST_NOW  # back to when the staff's tokens are valid
    account = {"national_code": person, "username": "zahra", "password": "a long passphrase"}
    assert api.post("/api/citizens", as_="registrar", json=account).status_code == 201
    token = httpx.post(f"{server}/api/auth/token", data={"username": "zahra", "password": "a long passphrase"})
    [check] = api.get("/api/me/checks", headers={"Authorization": f"Bearer {token.json()['access_token']}"}).json()
    assert check["checked_on"] == {"gregorian": "2025-06-02", "jalali": "1404/03/12"}


def test_a_connection_the_database_dropped_fails_one_check_with_503_and_the_next_is_answered(api, ctx, person):
    """Pooled connections in use moments ago are not pinged before use: after the database drops them (a
    restart, a failover), the check that finds one is refused as unavailable, never as a server error."""
    if ctx.db.is_sqlite:
        pytest.skip("SQLite has no connections to drop")
    key = partner(api, "bank", BANK_POLICY)
    query = {"national_code": person, "first_name": "زهرا", "purpose": "account opening"}
    assert ask(api, key, query).status_code == 200  # the server's connections were just used
    url = make_url(ctx.settings.resolved_database_url()).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    ctx.db.dispose()  # this test's own pooled connections went too
    answers = [ask(api, key, query) for _ in range(4)]
    refused = [answer for answer in answers if answer.status_code != 200]
    for answer in refused:
        assert_problem(answer, 503, "server.database_unavailable", None)
        assert answer.headers["Retry-After"] == "1"
    assert answers[-1].status_code == 200 and answers[-1].json()["status"] == "match"
    assert checks_logged(ctx) == 1 + len(answers) - len(refused)  # a refused check is not logged
