"""The HTTP API over a real socket: the workflow end to end, and every kind of bad input.

Each bad-input test checks the status, the problem+json body (stable code, field, English and Persian
message) and that nothing was written.
"""

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from sabt.registry.events.models import Event, EventHistory, IdempotencyKey
from sabt.registry.persons.models import Marriage, Person

from ..registry.factories import adult, birth, death, marriage

PROBLEM = "application/problem+json"


def row_counts(ctx) -> tuple[int, ...]:
    with ctx.db.snapshot() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Person, Event, EventHistory, Marriage, IdempotencyKey)
        )


def assert_problem(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == code
    assert body["type"] == f"urn:sabt:problem:{code}"
    assert body["status"] == status
    assert body["field"] == field
    assert body["detail"] and body["message_fa"]
    return body


@pytest.fixture
def unchanged(ctx):
    """Asserts, after the test, that no row was added anywhere in the registry."""
    before = row_counts(ctx)
    yield
    assert row_counts(ctx) == before


def declare_birth(api, **changes):
    return api.post("/api/events/births", as_="clerk", json=birth(**changes))


def register_over_http(api, path: str, body: dict) -> dict:
    """Declare, validate and register as the registrar, over HTTP."""
    event = api.post(path, as_="registrar", json=body).json()
    api.post(f"/api/events/{event['id']}/validate", as_="registrar")
    return api.post(f"/api/events/{event['id']}/register", as_="registrar").json()


# --- the workflow over HTTP -------------------------------------------------------------------------------


def test_a_birth_declared_validated_and_registered_over_http(api):
    declared = declare_birth(api, first_name="آوا", birth_date="۱۴۰۴/۰۳/۰۴")
    assert declared.status_code == 201, declared.text
    event = declared.json()
    assert (event["status"], event["late"], event["event_date"]["gregorian"]) == ("declared", False, "2025-05-25")
    assert event["deadline"]["jalali"] == "1404/03/19"
    assert api.post(f"/api/events/{event['id']}/validate", as_="registrar").json()["status"] == "validated"
    registered = api.post(f"/api/events/{event['id']}/register", as_="registrar").json()
    code = registered["subject_national_code"]
    person = api.get(f"/api/persons/{code}", as_="auditor").json()
    assert person["first_name"] == "آوا" and person["birth_date"] == {"gregorian": "2025-05-25", "jalali": "1404/03/04"}
    check = api.get(f"/api/national-codes/{code}/check").json()
    assert check == {"national_code": code, "valid": True, "reason": None}


def test_a_person_can_be_looked_up_with_persian_digits(api, ctx, staff):
    code = adult(ctx, staff, "female")
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert api.get(f"/api/persons/{persian}", as_="clerk").json()["national_code"] == code


def test_search_over_http(api, ctx, staff):
    adult(ctx, staff, "male", first_name="علی", father={"first_name": "حسن", "last_name": "رضایی"})
    found = api.get("/api/persons", as_="clerk", params={"name": "علي", "father_name": "حسن"}).json()
    assert [person["first_name"] for person in found] == ["علی"]


def test_sign_in_sign_out(api):
    token = api.client.post("/api/auth/token", data={"username": "auditor", "password": "correct horse battery"})
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert api.get("/api/me", headers=headers).json()["role"] == "auditor"
    assert api.post("/api/auth/logout", headers=headers).status_code == 204
    assert_problem(api.get("/api/me", headers=headers), 401, "auth.token")


def test_an_admin_adds_a_user_who_can_then_sign_in(api):
    created = api.post(
        "/api/users",
        as_="admin",
        json={"username": "clerk2", "password": "another long one", "role": "clerk", "office": "THR"},
    )
    assert created.status_code == 201, created.text
    token = api.client.post("/api/auth/token", data={"username": "clerk2", "password": "another long one"})
    assert token.status_code == 200
    listed = api.get("/api/users", as_="admin").json()
    assert "clerk2" in [user["username"] for user in listed]
    assert all("password" not in json.dumps(user) for user in listed)


def test_reference_geography_is_served(api):
    provinces = api.get("/api/geo/provinces").json()
    assert len(provinces) == 31
    assert sum(province["population"] for province in provinces) == 79_926_270
    counties = api.get("/api/geo/counties", params={"province": "23"}).json()
    assert "تهران" in [county["name_fa"] for county in counties]


# --- bad input: each case its own test ---------------------------------------------------------------------


def test_malformed_national_code(api, ctx, unchanged):
    response = api.post("/api/events/deaths", as_="clerk", json=death("12345"))
    assert_problem(response, 422, "national_code.length", "national_code")


def test_national_code_with_a_wrong_check_digit(api, ctx, unchanged):
    response = api.post("/api/events/deaths", as_="clerk", json=death("0499370898"))
    body = assert_problem(response, 422, "national_code.check_digit", "national_code")
    assert body["message_fa"] == "رقم کنترل این کد ملی نادرست است."


def test_national_code_check_endpoint_names_the_reason(api):
    assert api.get("/api/national-codes/1111111111/check").json()["reason"] == "repeated_digit"


def test_unknown_county(api, ctx, unchanged):
    assert_problem(declare_birth(api, county="9999"), 404, "county.unknown", "county")


def test_unknown_office(api, ctx, unchanged):
    assert_problem(declare_birth(api, office="NOPE"), 404, "office.unknown", "office")


def test_birth_in_the_future(api, ctx, unchanged):
    assert_problem(declare_birth(api, birth_date="2025-06-02"), 422, "date.in_future", "birth_date")


def test_a_day_that_does_not_exist(api, ctx, unchanged):
    assert_problem(declare_birth(api, birth_date="1403/12/31"), 422, "date.no_such_day", "birth_date")


def test_a_date_in_no_format(api, ctx, unchanged):
    assert_problem(declare_birth(api, birth_date="last tuesday"), 422, "date.format", "birth_date")


def test_death_before_birth(api, ctx, staff):
    code = adult(ctx, staff, "male", year=1990)
    with_person = row_counts(ctx)
    response = api.post("/api/events/deaths", as_="clerk", json=death(code, death_date="1989-12-31"))
    assert_problem(response, 422, "date.before_birth", "death_date")
    assert row_counts(ctx) == with_person


def test_death_of_a_person_already_deceased(api, ctx, staff):
    code = adult(ctx, staff, "male")
    register_over_http(api, "/api/events/deaths", death(code))
    before = row_counts(ctx)
    response = api.post("/api/events/deaths", as_="clerk", json=death(code, death_date="2025-05-29"))
    assert_problem(response, 409, "person.deceased", "national_code")
    assert row_counts(ctx) == before


def test_a_second_death_declaration_while_the_first_is_pending(api, ctx, staff):
    code = adult(ctx, staff, "male")
    assert api.post("/api/events/deaths", as_="clerk", json=death(code)).status_code == 201
    before = row_counts(ctx)
    assert_problem(api.post("/api/events/deaths", as_="clerk", json=death(code)), 409, "event.pending")
    assert row_counts(ctx) == before


def test_marriage_of_a_woman_who_is_already_married(api, ctx, staff):
    husband, wife, other = adult(ctx, staff, "male"), adult(ctx, staff, "female"), adult(ctx, staff, "male")
    register_over_http(api, "/api/events/marriages", marriage(husband, wife))
    before = row_counts(ctx)
    response = api.post("/api/events/marriages", as_="registrar", json=marriage(other, wife))
    assert_problem(response, 409, "marriage.wife_married", "wife_national_code")
    assert row_counts(ctx) == before


def test_a_married_man_without_a_court_permission(api, ctx, staff):
    husband, wife, second = adult(ctx, staff, "male"), adult(ctx, staff, "female"), adult(ctx, staff, "female")
    register_over_http(api, "/api/events/marriages", marriage(husband, wife))
    before = row_counts(ctx)
    response = api.post("/api/events/marriages", as_="registrar", json=marriage(husband, second))
    assert_problem(response, 409, "marriage.needs_court_permission", "husband_national_code")
    assert row_counts(ctx) == before


def test_marriage_under_the_minimum_age(api, ctx, staff):
    husband = adult(ctx, staff, "male")
    girl = adult(ctx, staff, "female", year=2014)  # 11 on the marriage date
    before = row_counts(ctx)
    response = api.post("/api/events/marriages", as_="registrar", json=marriage(husband, girl))
    body = assert_problem(response, 422, "marriage.under_age", "wife_national_code")
    assert "13" in body["detail"] and "۱۳" in body["message_fa"]
    assert row_counts(ctx) == before


def test_a_parent_who_is_not_in_the_registry(api, ctx, unchanged):
    response = declare_birth(api, father={"national_code": "0499370899"})
    assert_problem(response, 404, "person.unknown", "father.national_code")


def test_a_father_named_as_mother(api, ctx, staff):
    father = adult(ctx, staff, "male")
    before = row_counts(ctx)
    assert_problem(declare_birth(api, mother={"national_code": father}), 422, "person.sex", "mother.national_code")
    assert row_counts(ctx) == before


def test_a_birth_without_valid_evidence(api, ctx, unchanged):
    response = declare_birth(
        api, evidence={"kind": "witnesses", "witnesses": [{"first_name": "رضا", "last_name": "نوری"}]}
    )
    assert_problem(response, 422, "evidence.witnesses", "evidence.witnesses")


def test_the_same_declaration_submitted_twice_with_an_idempotency_key(api, ctx):
    body = birth()
    headers = {"Idempotency-Key": "form-7f3a"}
    first = api.post("/api/events/births", as_="clerk", json=body, headers=headers)
    after_first = row_counts(ctx)
    second = api.post("/api/events/births", as_="clerk", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"] and second.json()["replayed"] is True
    assert row_counts(ctx) == after_first


def test_an_idempotency_key_reused_for_a_different_declaration(api, ctx):
    headers = {"Idempotency-Key": "form-7f3b"}
    api.post("/api/events/births", as_="clerk", json=birth(), headers=headers)
    before = row_counts(ctx)
    response = api.post("/api/events/births", as_="clerk", json=birth(first_name="نیلوفر"), headers=headers)
    assert_problem(response, 409, "idempotency_key.reused", "Idempotency-Key")
    assert row_counts(ctx) == before


def test_a_clerk_may_not_validate(api, ctx):
    event = declare_birth(api).json()
    before = row_counts(ctx)
    assert_problem(api.post(f"/api/events/{event['id']}/validate", as_="clerk"), 403, "role.forbidden")
    assert row_counts(ctx) == before


def test_an_auditor_may_not_declare(api, ctx, unchanged):
    response = api.post("/api/events/births", as_="auditor", json=birth(office="THR"))
    assert_problem(response, 403, "role.forbidden")


def test_a_registrar_may_not_approve_a_late_registration(api, ctx):
    event = declare_birth(api, birth_date="2025-03-01").json()
    assert event["late"] is True
    before = row_counts(ctx)
    assert_problem(api.post(f"/api/events/{event['id']}/approve-late", as_="registrar"), 403, "role.forbidden")
    assert row_counts(ctx) == before


def test_a_registrar_of_another_office(api, ctx):
    event = declare_birth(api).json()
    before = row_counts(ctx)
    assert_problem(api.post(f"/api/events/{event['id']}/validate", as_="isf_registrar"), 403, "office.forbidden")
    assert row_counts(ctx) == before


def test_registering_before_validating(api, ctx):
    event = declare_birth(api).json()
    before = row_counts(ctx)
    assert_problem(api.post(f"/api/events/{event['id']}/register", as_="registrar"), 409, "event.transition")
    assert row_counts(ctx) == before


def test_no_token(api, ctx, unchanged):
    assert_problem(api.post("/api/events/births", json=birth()), 401, "auth.required")


def test_a_wrong_password(api):
    response = api.client.post("/api/auth/token", data={"username": "clerk", "password": "not the password"})
    assert_problem(response, 401, "auth.invalid")


def test_an_oversized_body(api, ctx, unchanged):
    huge = birth(place="ا" * 100_000)
    assert_problem(api.post("/api/events/births", as_="clerk", json=huge), 413, "request.too_large")


def test_an_oversized_body_streamed_without_a_length(api, ctx, unchanged):
    def chunks():
        yield b'{"first_name": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'"}'

    response = api.post(
        "/api/events/births", as_="clerk", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "request.too_large")


def test_a_body_that_is_not_json(api, ctx, unchanged):
    response = api.post(
        "/api/events/births", as_="clerk", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "request.not_json")


def test_a_body_that_is_not_declared_as_json(api, ctx, unchanged):
    response = api.post(
        "/api/events/births", as_="clerk", content=b"first_name=x", headers={"content-type": "text/plain"}
    )
    assert_problem(response, 415, "request.media_type")


def test_a_missing_field_is_named(api, ctx, unchanged):
    body = birth()
    del body["sex"]
    problem = assert_problem(api.post("/api/events/births", as_="clerk", json=body), 422, "request.missing", "sex")
    assert problem["errors"][0]["message_fa"] == "این فیلد الزامی است."


def test_an_unexpected_field_is_named(api, ctx, unchanged):
    response = declare_birth(api, nickname="x")
    assert_problem(response, 422, "request.extra", "nickname")


def test_an_unknown_event(api):
    assert_problem(api.get("/api/events/999999", as_="clerk"), 404, "event.unknown", "event_id")


def test_an_unknown_person(api):
    assert_problem(api.get("/api/persons/0499370899", as_="clerk"), 404, "person.unknown", "national_code")


def test_an_unknown_address(api):
    assert_problem(api.get("/api/nothing-here"), 404, "not_found")


def test_resubmitting_with_a_bad_body_names_the_field(api, ctx):
    event = declare_birth(api).json()
    api.post(f"/api/events/{event['id']}/reject", as_="registrar", json={"reason": "wrong name"})
    body = birth()
    body["sex"] = "other"
    response = api.put(f"/api/events/{event['id']}/declaration", as_="clerk", json=body)
    assert_problem(response, 422, "request.not_a_choice", "sex")
    fixed = api.put(f"/api/events/{event['id']}/declaration", as_="clerk", json=birth(first_name="نیلوفر"))
    assert fixed.json()["status"] == "declared" and fixed.json()["revision"] == 2


def _integers(schema: dict, components: dict, where: str) -> Iterator[tuple[str, dict]]:
    """Every integer in a schema, with where it is, following references and unions."""
    if "$ref" in schema:
        yield from _integers(components[schema["$ref"].rsplit("/", 1)[-1]], components, where)
        return
    if schema.get("type") == "integer":
        yield where, schema
    for part in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
        yield from _integers(part, components, where)
    for name, inner in schema.get("properties", {}).items():
        yield from _integers(inner, components, f"{where}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from _integers(schema["items"], components, f"{where}[]")


def test_the_openapi_document_bounds_every_integer_a_caller_sends(api):
    """An id or a count without a bound reaches the database as a number it cannot hold (SQLite's 64 bits):
    every integer in an address, a query or a body has a maximum."""
    spec = api.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    unbounded = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            sent = [(f"{p['in']} {p['name']}", p["schema"]) for p in operation.get("parameters", [])]
            for media in operation.get("requestBody", {}).get("content", {}).values():
                sent.append(("body", media["schema"]))
            for where, schema in sent:
                unbounded += [
                    f"{method.upper()} {path} {place}"
                    for place, integer in _integers(schema, components, where)
                    if "maximum" not in integer
                ]
    assert not unbounded, unbounded


def test_the_openapi_document_lists_every_refusal_as_a_problem(api):
    spec = api.get("/openapi.json").json()
    problem = spec["components"]["schemas"]["Problem"]
    assert "national_code.check_digit" in problem["properties"]["code"]["enum"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            listed = operation["responses"]
            assert {"404", "409", "422", "503"} <= set(listed), (method, path)
            assert "application/problem+json" in listed["422"]["content"], (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= set(listed), (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= set(listed), (method, path)


def test_tokens_expire(api, backend):
    token = api.client.post("/api/auth/token", data={"username": "auditor", "password": "correct horse battery"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    backend.clock.current += dt.timedelta(hours=backend.settings.token_hours, seconds=1)
    assert_problem(api.get("/api/me", headers=headers), 401, "auth.token")


def test_a_queue_is_paged_counted_and_taken_up_over_http(api, ctx, staff):
    names = ("آوا", "سارا", "مینا")
    ids = [api.post("/api/events/births", as_="clerk", json=birth(first_name=name)).json()["id"] for name in names]
    page = api.get("/api/events", as_="registrar", params={"status": "declared", "limit": 2, "offset": 1}).json()
    assert [event["id"] for event in page] == ids[1:]
    assert api.post(f"/api/events/{ids[0]}/assign", as_="registrar").json()["assigned_to"] == "registrar"
    assert_problem(api.post(f"/api/events/{ids[0]}/assign", as_="clerk"), 409, "event.assigned")
    assert_problem(api.post(f"/api/events/{ids[0]}/release", as_="clerk"), 409, "event.assigned")
    assert_problem(api.post(f"/api/events/{ids[0]}/assign", as_="isf_clerk"), 403, "office.forbidden")
    assert_problem(api.post(f"/api/events/{ids[0]}/assign", as_="auditor"), 403, "role.forbidden")
    counts = api.get("/api/events/queues", as_="registrar").json()
    assert (counts["declared"], counts["validated"], counts["mine"]) == (3, 0, 1)
    mine = api.get("/api/events", as_="registrar", params={"mine": "true"}).json()
    assert [event["id"] for event in mine] == [ids[0]]
    assert api.post(f"/api/events/{ids[0]}/release", as_="registrar").json()["assigned_to"] is None
    assert api.get("/api/events/queues", as_="registrar").json()["mine"] == 0
