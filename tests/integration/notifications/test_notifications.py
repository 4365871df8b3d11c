"""Health facilities notify births and deaths over HTTP, in the JSON form and as FHIR R4 Bundles: each
notification waits at the office of its county, is matched to the family's declaration of the same event
(before or after), is one notification however often it is sent, and bad input is refused by name with
nothing written."""

import copy
import datetime as dt
import json
import random
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select

from sabt.geo.service import reference_rows
from sabt.notifications import service as notifications_service
from sabt.notifications.models import Notification
from sabt.notifications.schemas import BirthNotificationIn, DeathNotificationIn
from sabt.registry import service as registry
from sabt.registry.schemas import BirthDeclaration
from sabt.stats import service as stats
from sabt.stats.office import office_dashboard
from sabt.verification import service as verification
from sabt.verification.schemas import PartnerIn

from ..platform.test_api import assert_problem, register_over_http
from ..registry.factories import adult, birth, death

EXAMPLES = Path(__file__).parents[2] / "data" / "fhir"
SAMPLE_MOTHER, SAMPLE_DECEASED = "0012345679", "0017654327"  # the codes the hand-written examples carry
FHIR = "application/fhir+json"


def facility(ctx, code: str, notifications: list[str]) -> dict[str, str]:
    partner = {
        "code": code,
        "name": "بیمارستان امام خمینی",
        "kind": "health",
        "contact": "it@hospital.example",
        "policy": {"checks": [], "notifications": notifications, "purpose": "notification of vital events"},
    }
    verification.create_partner(ctx, actor=None, partner=PartnerIn.model_validate(partner))
    issued = verification.create_key(ctx, actor=None, partner_code=code)
    return {"X-API-Key": issued.api_key}


@pytest.fixture
def hospital(ctx) -> dict[str, str]:
    return facility(ctx, "hospital-imam", ["birth", "death"])


def notifications(ctx) -> int:
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.count()).select_from(Notification))


def born(mother: str, **changes) -> dict:
    return {
        "reference": "BN-1",
        "sex": "female",
        "birth_date": "2025-05-30",
        "birth_time": "09:15",
        "county": "2301",
        "birth_order": 1,
        "weight_grams": 3250,
        "mother": {"national_code": mother},
    } | changes


def register_family_birth(ctx, staff, mother: str) -> None:
    """The family declares the birth of 30 May notified by `born`, and the registrar registers it."""
    family = registry.declare(
        ctx,
        actor=staff["registrar"],
        declaration=BirthDeclaration(**birth(birth_date="2025-05-30", mother={"national_code": mother})),
    )
    notifications_service.answer(ctx, event=family)
    registry.validate_event(ctx, actor=staff["registrar"], event_id=family.id)
    registry.register_event(ctx, actor=staff["registrar"], event_id=family.id)


def example(name: str, **codes: str) -> dict:
    text = (EXAMPLES / f"{name}.json").read_text(encoding="utf-8")
    for sample, code in codes.items():
        text = text.replace(sample, code)
    return json.loads(text)


def test_a_birth_notified_waits_at_the_county_s_office_and_is_one_however_often_sent(server, api, ctx, staff, hospital):
    mother = adult(ctx, staff, "female", year=1995)
    sent = httpx.post(f"{server}/api/notifications/births", json=born(mother), headers=hospital)
    assert sent.status_code == 201, sent.text
    # The facility learns it was received, not where it waits nor whether a family has declared it.
    assert set(sent.json()) == {"id", "kind", "reference", "received_at", "replayed"}
    notified = api.get(f"/api/notifications/{sent.json()['id']}", as_="clerk").json()
    assert (notified["office_code"], notified["status"], notified["facility"]) == ("THR", "waiting", "hospital-imam")
    assert notified["event_date"]["jalali"] == "1404/03/09"
    again = httpx.post(f"{server}/api/notifications/births", json=born(mother), headers=hospital)
    assert (again.status_code, again.json()["id"], again.json()["replayed"]) == (200, notified["id"], True)
    assert notifications(ctx) == 1
    changed = httpx.post(f"{server}/api/notifications/births", json=born(mother, sex="male"), headers=hospital)
    assert (changed.status_code, changed.json()["code"], changed.json()["field"]) == (
        409,
        "notification.reference_reused",
        "reference",
    )
    waiting = api.get("/api/notifications", as_="clerk").json()
    assert [item["id"] for item in waiting["notifications"]] == [notified["id"]] and waiting["total"] == 1
    assert api.get("/api/notifications", as_="isf_clerk").json()["notifications"] == []
    assert api.get(f"/api/notifications/{notified['id']}", as_="isf_clerk").status_code == 403


def test_the_family_s_declaration_answers_the_notification_before_or_after_it(server, api, ctx, staff, hospital):
    mother = adult(ctx, staff, "female", year=1995)
    first = httpx.post(f"{server}/api/notifications/births", json=born(mother), headers=hospital).json()
    family = birth(birth_date="2025-05-30", mother={"national_code": mother})
    declared = api.post("/api/events/births", as_="clerk", json=family).json()
    assert api.get("/api/notifications", as_="clerk").json()["total"] == 0  # answered: it leaves the list
    matched = api.get(f"/api/notifications/{first['id']}", as_="clerk").json()
    assert (matched["status"], matched["event_id"]) == ("declared", declared["id"])
    # Twins: the second child's notification is another event until its own declaration.
    twin = httpx.post(
        f"{server}/api/notifications/births", json=born(mother, reference="BN-2", birth_order=2), headers=hospital
    )
    assert api.get(f"/api/notifications/{twin.json()['id']}", as_="clerk").json()["status"] == "waiting"
    # A death the family declared first is matched the moment the facility notifies it.
    deceased = adult(ctx, staff, "male", year=1950)
    declared_death = api.post("/api/events/deaths", as_="clerk", json=death(deceased, death_date="2025-05-30")).json()
    notified = httpx.post(
        f"{server}/api/notifications/deaths",
        json={"reference": "DN-1", "national_code": deceased, "death_date": "2025-05-30", "county": "2301"},
        headers=hospital,
    ).json()
    matched = api.get(f"/api/notifications/{notified['id']}", as_="clerk").json()
    assert (matched["status"], matched["event_id"]) == ("declared", declared_death["id"])


def test_a_fhir_bundle_built_with_the_library_and_the_hand_written_examples_are_accepted(
    server, api, ctx, staff, hospital
):
    mother, deceased = adult(ctx, staff, "female", year=1990), adult(ctx, staff, "male", year=1950)
    bundle = Bundle.model_validate(example("birth-notification", **{SAMPLE_MOTHER: mother}))
    bundle.identifier.value = "BN-built"
    bundle.entry[0].resource.gender = "male"
    built = httpx.post(
        f"{server}/api/fhir/Bundle", content=bundle.model_dump_json(), headers=hospital | {"Content-Type": FHIR}
    )
    assert built.status_code == 201, built.text
    assert built.headers["content-type"].startswith(FHIR)
    assert built.json()["resourceType"] == "OperationOutcome"
    address = built.headers["Location"]
    assert api.get(address, as_="clerk").json()["data"]["sex"] == "male"
    written = example("birth-notification", **{SAMPLE_MOTHER: mother})
    answered = httpx.post(f"{server}/api/fhir/Bundle", json=written, headers=hospital)
    assert answered.status_code == 201, answered.text
    notified = api.get(answered.headers["Location"], as_="clerk").json()
    assert notified["data"]["weight_grams"] == 3250 and notified["event_time"] == "09:15"
    assert httpx.post(f"{server}/api/fhir/Bundle", json=written, headers=hospital).status_code == 200
    dead = httpx.post(
        f"{server}/api/fhir/Bundle", json=example("death-notification", **{SAMPLE_DECEASED: deceased}), headers=hospital
    )
    assert dead.status_code == 201, dead.text
    certificate = api.get(dead.headers["Location"], as_="registrar").json()["data"]["cause_of_death"]
    assert [line["icd10"] for line in certificate["part1"]] == ["I21.9", "I25.1"]
    assert certificate["part1"][1]["interval"] == {"amount": 8, "unit": "years"}
    assert (certificate["underlying"], certificate["manner"]) == ("I25.1", "disease")
    assert "cause_of_death" not in api.get(dead.headers["Location"], as_="auditor").json()["data"]


def _without_mother(bundle: dict) -> dict:
    bundle["entry"] = [entry for entry in bundle["entry"] if entry["resource"]["resourceType"] != "RelatedPerson"]
    return bundle


def _set(path: tuple, value):
    def change(bundle: dict) -> dict:
        node = bundle
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
        return bundle

    return change


BAD_BUNDLES = [
    # (a change to the hand-written birth example, the status, the refusal, the element named)
    (_set(("resourceType",), "Patient"), 422, "fhir.not_a_notification", "Bundle"),
    (_set(("meta", "tag"), []), 422, "fhir.not_a_notification", "Bundle.meta.tag"),
    (
        _set(("entry", 0, "resource", "birthDate"), "yesterday"),
        422,
        "fhir.invalid",
        "Bundle.entry[0].resource.birthDate",
    ),
    (_set(("entry", 0, "resource", "resourceType"), "Nonsense"), 422, "fhir.invalid", "Bundle"),
    (
        _set(("entry", 4, "resource", "identifier", 0, "value"), "another-hospital"),
        422,
        "notification.facility",
        "Bundle.entry[4].resource.identifier[0].value",
    ),
    (_without_mother, 422, "request.missing", "Bundle"),
    (
        _set(("entry", 1, "resource", "identifier", 0, "value"), "0017654327"),
        404,
        "person.unknown",
        "Bundle.entry[1].resource.identifier[0].value",
    ),
    (
        _set(("entry", 0, "resource", "birthDate"), "2031-01-01"),
        422,
        "date.in_future",
        "Bundle.entry[0].resource.birthDate",
    ),
    (
        _set(("entry", 3, "resource", "address", "district"), "9999"),
        404,
        "county.unknown",
        "Bundle.entry[3].resource.address.district",
    ),
    (
        _set(("entry", 2, "resource", "valueQuantity", "value"), "1e400"),
        422,
        "fhir.invalid",
        "Bundle.entry[2].resource.valueQuantity.value",
    ),
    (
        _set(("entry", 0, "resource", "_birthDate", "extension", 0, "valueDateTime"), "2025"),
        422,
        "fhir.invalid",
        "Bundle.entry[0].resource._birthDate.extension",
    ),
]


@pytest.mark.parametrize(("change", "status", "code", "expression"), BAD_BUNDLES)
def test_a_bundle_that_is_not_a_notification_or_breaks_a_rule_gets_an_operation_outcome(
    server, ctx, staff, hospital, change, status, code, expression
):
    mother = adult(ctx, staff, "female", year=1995)
    bundle = change(copy.deepcopy(example("birth-notification", **{SAMPLE_MOTHER: mother})))
    answer = httpx.post(f"{server}/api/fhir/Bundle", json=bundle, headers=hospital)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(FHIR)
    (issue,) = answer.json()["issue"]
    assert issue["details"]["coding"][0]["code"] == code
    assert issue["expression"] == [expression]
    assert issue["diagnostics"]  # the Persian message
    assert notifications(ctx) == 0


def test_a_death_that_cannot_be_is_refused_at_its_element(server, api, ctx, staff, hospital):
    deceased = adult(ctx, staff, "male", year=1950)
    bundle = example("death-notification", **{SAMPLE_DECEASED: deceased})
    unknown = json.loads(json.dumps(bundle).replace('"I21.9"', '"I99.9"'))
    answer = httpx.post(f"{server}/api/fhir/Bundle", json=unknown, headers=hospital)
    (issue,) = answer.json()["issue"]
    assert (answer.status_code, issue["details"]["coding"][0]["code"]) == (422, "cause.code_unknown")
    assert issue["expression"] == ["Bundle.entry[1].resource.valueCodeableConcept.coding"]
    assert notifications(ctx) == 0
    buried = adult(ctx, staff, "female", year=1940)
    assert register_over_http(api, "/api/events/deaths", death(buried))["status"] == "registered"
    again = httpx.post(
        f"{server}/api/fhir/Bundle", json=example("death-notification", **{SAMPLE_DECEASED: buried}), headers=hospital
    )
    (issue,) = again.json()["issue"]
    assert (again.status_code, issue["details"]["coding"][0]["code"]) == (409, "person.deceased")
    assert issue["expression"] == ["Bundle.entry[0].resource.identifier[0].value"]
    assert notifications(ctx) == 0


def test_only_a_facility_allowed_to_notify_may_and_a_bad_key_is_refused(server, ctx, staff):
    bank = facility(ctx, "bank-melli", [])
    mother = adult(ctx, staff, "female", year=1995)
    refused = httpx.post(f"{server}/api/notifications/births", json=born(mother), headers=bank)
    assert (refused.status_code, refused.json()["code"]) == (403, "notification.not_allowed")
    anonymous = httpx.post(f"{server}/api/fhir/Bundle", json=example("birth-notification"))
    assert anonymous.status_code == 401
    assert anonymous.json()["issue"][0]["details"]["coding"][0]["code"] == "partner.key"
    garbled = httpx.post(f"{server}/api/fhir/Bundle", content=b"{not json", headers=bank | {"Content-Type": FHIR})
    assert (garbled.status_code, garbled.json()["issue"][0]["expression"]) == (422, ["Bundle"])
    assert notifications(ctx) == 0


def test_the_facility_guide_shows_the_birth_example_the_tests_send():
    guide = (Path(__file__).parents[3] / "docs" / "integration.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```json\n(.*?)^```", guide, flags=re.MULTILINE | re.DOTALL)
    (shown,) = [json.loads(block) for block in blocks if '"resourceType": "Bundle"' in block]
    assert shown == example("birth-notification")


def test_a_facility_is_added_at_the_command_line_with_what_it_may_notify(sabt, ctx, staff):
    added = sabt(
        "partner",
        "add",
        "hospital-razi",
        "--name",
        "بیمارستان رازی",
        "--kind",
        "health",
        "--contact",
        "it",
        "--purpose",
        "notification",
        "--checks",
        "",
        "--notifications",
        "birth,death",
    )
    assert added.exit_code == 0, added.output
    (razi,) = [p for p in verification.list_partners(ctx, actor=staff["admin"]) if p.code == "hospital-razi"]
    assert (razi.policy.checks, razi.policy.notifications) == ([], ["birth", "death"])


def test_timeliness_from_the_event_and_completeness_are_counted_by_hand(ctx, staff):
    """At the tests' today (1 June 2025, 09:00 in Tehran) a hospital notifies a birth of 30 May at 09:15
    (47 whole hours before), which the family then declares and the registrar registers (0 days after), a
    birth of 31 May without a time (taken at noon: 21 hours), and a death of 30 May at 04:20 (52 hours)."""
    key = facility(ctx, "hospital-imam", ["birth", "death"])["X-API-Key"]
    caller = verification.partner_for_key(ctx, key, limiter=verification.RateLimiter())
    mother, deceased = adult(ctx, staff, "female", year=1995), adult(ctx, staff, "male", year=1950)
    first = BirthNotificationIn.model_validate(born(mother))
    second = BirthNotificationIn.model_validate(
        born(mother, reference="BN-2", birth_date="2025-05-31", birth_time=None)
    )
    died = {"reference": "DN-1", "national_code": deceased, "death_date": "2025-05-30", "death_time": "04:20"}
    for notification in (first, second, DeathNotificationIn.model_validate(died | {"county": "2301"})):
        notifications_service.notify(ctx, caller=caller, notification=notification)
    register_family_birth(ctx, staff, mother)
    whole = {"place": "country", "grain": "range", "start": dt.date(2025, 5, 22), "end": dt.date(2025, 6, 1)}
    timely = stats.compute(ctx, actor=staff["auditor"], indicator="notification_timeliness", **whole).rows[0]
    assert timely.values == {
        "births_notified": 2,
        "births_notified_registered": 1,
        "deaths_notified": 1,
        "deaths_notified_registered": 0,
        "births_notify_median_hours": 34.0,
        "births_register_median_days": 0.0,
        "deaths_notify_median_hours": 52.0,
        "deaths_register_median_days": None,
    }
    complete = stats.compute(ctx, actor=staff["auditor"], indicator="completeness", **whole).rows[0].values
    population = sum(int(row["population"]) for row in reference_rows("counties.csv"))
    expected = population * 12.2 / 1000 * 11 / 365.2425
    assert (complete["births"], complete["expected_births"]) == (1, round(expected, 1))
    assert complete["births_completeness_percent"] == round(100 / expected, 1)
    assert (complete["births_notified_registered_percent"], complete["deaths_notified_registered_percent"]) == (
        50.0,
        0.0,
    )
    public = stats.compute(ctx, actor=None, indicator="completeness", **whole).rows[0].values
    assert public["births_notified"] is None and public["births_notified_registered_percent"] is None


ODD_VALUES = [None, "", 0, -1, 10**12, 3.5, True, "x" * 300, [], {}, "٠١٢٣", "2025-13-45", {"value": None}]


def _mutated(bundle: dict, rng: random.Random) -> dict:
    """The bundle with one value somewhere replaced by an odd one, or one key dropped."""
    mutated = copy.deepcopy(bundle)
    places: list[tuple[Any, Any]] = []
    waiting: list[Any] = [mutated]
    while waiting:
        node = waiting.pop()
        keys = node.keys() if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else []
        for key in keys:
            places.append((node, key))
            waiting.append(node[key])
    node, key = rng.choice(places)
    if isinstance(node, dict) and rng.random() < 0.3:
        del node[key]
    else:
        node[key] = rng.choice(ODD_VALUES)
    return mutated


def test_no_mutation_of_a_bundle_is_answered_with_a_server_error(server, ctx, staff, hospital):
    mother, deceased = adult(ctx, staff, "female", year=1995), adult(ctx, staff, "male", year=1950)
    bundles = [
        example("birth-notification", **{SAMPLE_MOTHER: mother}),
        example("death-notification", **{SAMPLE_DECEASED: deceased}),
    ]
    rng = random.Random(24)
    accepted = 0
    with httpx.Client(base_url=server, headers=hospital) as client:
        for case in range(300):
            body = _mutated(bundles[case % 2], rng)
            body.setdefault("identifier", {})
            if isinstance(body["identifier"], dict):
                body["identifier"]["value"] = f"fuzz-{case}"  # each case a notification of its own
            answer = client.post("/api/fhir/Bundle", json=body)
            assert answer.status_code < 500, (body, answer.text)
            assert answer.headers["content-type"].startswith((FHIR, "application/problem+json")), answer.text
            accepted += answer.status_code == 201
    assert notifications(ctx) == accepted


def test_a_death_is_read_on_the_registry_s_clock_and_a_resend_is_the_same_answer(server, api, ctx, staff, hospital):
    deceased = adult(ctx, staff, "male", year=1950)
    bundle = example("death-notification", **{SAMPLE_DECEASED: deceased})
    bundle["entry"][0]["resource"]["deceasedDateTime"] = "2025-05-29T21:00:00Z"  # 00:30 on 30 May in Tehran
    sent = httpx.post(f"{server}/api/fhir/Bundle", json=bundle, headers=hospital)
    assert sent.status_code == 201, sent.text
    read = api.get(sent.headers["Location"], as_="clerk").json()
    assert (read["data"]["death_date"], read["event_time"]) == ("2025-05-30", "00:30")
    # The family registers the death; the hospital's resend is the same notification, not a refusal.
    assert (
        register_over_http(api, "/api/events/deaths", death(deceased, death_date="2025-05-30"))["status"]
        == "registered"
    )
    again = httpx.post(f"{server}/api/fhir/Bundle", json=bundle, headers=hospital)
    assert again.status_code == 200, again.text
    assert notifications(ctx) == 1


def test_a_facility_is_told_no_more_of_a_person_than_it_sent(server, ctx, staff, hospital):
    deceased = adult(ctx, staff, "male", year=1950)
    before_birth = {"reference": "DN-9", "national_code": deceased, "death_date": "1949-01-01", "county": "2301"}
    refused = httpx.post(f"{server}/api/notifications/deaths", json=before_birth, headers=hospital).json()
    assert (refused["code"], refused["field"]) == ("notification.before_birth", "death_date")
    assert "1950" not in refused["detail"] and "۱۳۲۸" not in refused["message_fa"]
    bundle = example("death-notification", **{SAMPLE_DECEASED: deceased})
    huge = json.loads(json.dumps(bundle).replace('"value": 2,', '"value": "1e1000000",'))
    answer = httpx.post(f"{server}/api/fhir/Bundle", json=huge, headers=hospital, timeout=10)
    (issue,) = answer.json()["issue"]
    assert (answer.status_code, issue["details"]["coding"][0]["code"]) == (422, "fhir.invalid")
    assert notifications(ctx) == 0


def test_a_stillbirth_is_counted_never_declared_and_the_mother_sees_who_notified(server, api, ctx, staff, hospital):
    mother = adult(ctx, staff, "female", year=1995)
    sent = httpx.post(f"{server}/api/notifications/births", json=born(mother, stillborn=True), headers=hospital)
    assert sent.status_code == 201, sent.text
    bundle = example("birth-notification", **{SAMPLE_MOTHER: mother})
    bundle["entry"][0]["resource"]["deceasedBoolean"] = True
    bundle["identifier"]["value"] = "BN-2"
    fhir_sent = httpx.post(f"{server}/api/fhir/Bundle", json=bundle, headers=hospital | {"Content-Type": FHIR})
    assert fhir_sent.status_code == 201, fhir_sent.text
    strict = httpx.post(f"{server}/api/notifications/births", json=born(mother, stillborn="yes"), headers=hospital)
    assert (strict.status_code, strict.json()["field"]) == (422, "stillborn")
    for notified in (sent.json(), {"id": int(fhir_sent.headers["location"].rsplit("/", 1)[1])}):
        shown = api.get(f"/api/notifications/{notified['id']}", as_="clerk").json()
        assert (shown["status"], shown["closed_reason"], shown["event_id"]) == ("stillbirth", "stillbirth", None)
    assert api.get("/api/notifications", as_="clerk").json()["total"] == 0  # nothing for a family to declare
    # A live birth the family declares on the same day is another event: the stillbirth stays one.
    api.post("/api/events/births", as_="clerk", json=birth(birth_date="2025-05-30", mother={"national_code": mother}))
    assert api.get(f"/api/notifications/{sent.json()['id']}", as_="clerk").json()["status"] == "stillbirth"
    whole = {"place": "country", "grain": "range", "start": dt.date(2025, 5, 22), "end": dt.date(2025, 6, 1)}
    counted = stats.compute(ctx, actor=staff["auditor"], indicator="stillbirths", **whole).rows[0].values
    assert counted == {"stillbirths": 2, "births": 0, "stillbirth_rate": 1000.0}
    timely = stats.compute(ctx, actor=staff["auditor"], indicator="notification_timeliness", **whole).rows[0]
    assert timely.values["births_notified"] == 0  # a stillbirth is not a live birth waiting to be registered
    account = {"national_code": mother, "username": "maryam", "password": "a long passphrase"}
    assert api.post("/api/citizens", as_="registrar", json=account).status_code == 201
    token = httpx.post(f"{server}/api/auth/token", data={"username": "maryam", "password": "a long passphrase"})
    checks = api.get("/api/me/checks", headers={"Authorization": f"Bearer {token.json()['access_token']}"}).json()
    assert [(c["partner"], c["check"], c["purpose"], c["result"]) for c in checks] == [
        ("بیمارستان امام خمینی", "notify", "اعلام ولادت فرزند مرده شما", "received")
    ] * 2


def test_a_registrar_dismisses_a_notification_with_its_reason_and_the_list_comes_a_page_at_a_time(
    server, api, ctx, staff, hospital
):
    mother = adult(ctx, staff, "female", year=1995)
    sent = [
        httpx.post(
            f"{server}/api/notifications/births",
            json=born(mother, reference=f"BN-{order}", birth_order=order),
            headers=hospital,
        ).json()["id"]
        for order in (1, 2, 3)
    ]
    first = api.get("/api/notifications?limit=2", as_="clerk").json()
    assert ([n["id"] for n in first["notifications"]], first["total"], first["offset"]) == (sent[:2], 3, 0)
    rest = api.get("/api/notifications?limit=2&offset=2", as_="clerk").json()
    assert [n["id"] for n in rest["notifications"]] == sent[2:]
    assert_problem(api.get("/api/notifications?limit=101", as_="clerk"), 422, "request.above_maximum", "limit")
    dismissal = {"reason": "duplicate", "note": "همان ولادت BN-1"}
    path = f"/api/notifications/{sent[2]}/dismiss"
    assert_problem(api.post(path, as_="clerk", json=dismissal), 403, "role.forbidden")
    assert_problem(api.post(path, as_="isf_registrar", json=dismissal), 403, "office.forbidden")
    assert_problem(api.post(path, as_="registrar", json={"reason": "bored"}), 422, "request.not_a_choice", "reason")
    too_long = dismissal | {"note": "x" * 201}
    assert_problem(api.post(path, as_="registrar", json=too_long), 422, "request.too_long", "note")
    closed = api.post(path, as_="registrar", json=dismissal)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["closed_reason"], closed.json()["closed_note"]) == (
        "dismissed",
        "duplicate",
        "همان ولادت BN-1",
    )
    assert_problem(api.post(path, as_="registrar", json=dismissal), 409, "notification.closed")
    assert api.get("/api/notifications", as_="clerk").json()["total"] == 2
    # The family's declaration of the same child does not reopen it; the statistics leave it out.
    third = birth(birth_date="2025-05-30", birth_order=3, mother={"national_code": mother})
    assert api.post("/api/events/births", as_="clerk", json=third).status_code == 201
    assert api.get(f"/api/notifications/{sent[2]}", as_="clerk").json()["status"] == "dismissed"
    whole = {"place": "country", "grain": "range", "start": dt.date(2025, 5, 22), "end": dt.date(2025, 6, 1)}
    timely = stats.compute(ctx, actor=staff["auditor"], indicator="notification_timeliness", **whole).rows[0]
    assert timely.values["births_notified"] == 2


def test_an_office_sees_how_soon_each_facility_notifies_and_how_soon_it_registers(ctx, staff):
    """Two hospitals notify the Tehran office: Imam a birth 47 hours after it (registered the same day) and
    a death 52 hours after it; Razi a birth 21 hours after it (not yet declared)."""
    imam = facility(ctx, "hospital-imam", ["birth", "death"])["X-API-Key"]
    razi = facility(ctx, "hospital-razi", ["birth"])["X-API-Key"]
    callers = {key: verification.partner_for_key(ctx, key, limiter=verification.RateLimiter()) for key in (imam, razi)}
    mother, deceased = adult(ctx, staff, "female", year=1995), adult(ctx, staff, "male", year=1950)
    died = {"reference": "DN-1", "national_code": deceased, "death_date": "2025-05-30", "death_time": "04:20"}
    for key, notification in (
        (imam, BirthNotificationIn.model_validate(born(mother))),
        (imam, DeathNotificationIn.model_validate(died | {"county": "2301"})),
        (razi, BirthNotificationIn.model_validate(born(mother, birth_date="2025-05-31", birth_time=None))),
    ):
        notifications_service.notify(ctx, caller=callers[key], notification=notification)
    register_family_birth(ctx, staff, mother)
    rows = office_dashboard(ctx, actor=staff["head"]).facilities
    found = [
        (r.facility, r.kind, r.notified, r.registered, r.notify_median_hours, r.register_median_days) for r in rows
    ]
    assert found == [
        ("hospital-imam", "birth", 1, 1, 47.0, 0.0),
        ("hospital-imam", "death", 1, 0, 52.0, None),
        ("hospital-razi", "birth", 1, 0, 21.0, None),
        (None, "birth", 2, 1, 34.0, 0.0),
        (None, "death", 1, 0, 52.0, None),
    ]
