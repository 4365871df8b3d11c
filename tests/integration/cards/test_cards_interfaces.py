"""Cards over real HTTP and at the command line, on both databases: the whole lifecycle, and each bad
input as a clear 4xx (or exit code) that names the field, with nothing written."""

import csv
import json
import re
import threading

import pytest
from sqlalchemy import func, select

from sabt.cards import service as cards
from sabt.cards.models import Card
from sabt.cards.schemas import ApplicationIn, ReportIn
from sabt.core.errors import SabtError
from sabt.ledger.models import LedgerLeaf

from ..conftest import TEST_NOW
from ..platform.test_api import assert_problem
from ..registry.factories import adult
from ..verification.test_identity_checks import BANK_POLICY, ask, partner
from .test_cards import TEMPLATE, applied, chip, produced


@pytest.fixture
def person(ctx, staff):
    return adult(ctx, staff, "female", year=1990)


@pytest.fixture
def unchanged(ctx):
    """Asserts, after the test, that no card and no ledger leaf was written (but the refusal's own record, an
    account event)."""

    def counts():
        with ctx.db.snapshot() as session:
            cards = session.scalar(select(func.count()).select_from(Card))
            leaves = select(func.count()).where(LedgerLeaf.record_type != "account_events")
            return [cards, session.scalar(leaves)]

    before = counts()
    yield
    assert counts() == before


def test_a_card_from_application_to_hand_over_over_http(api, person):
    card = api.post("/api/cards/applications", as_="clerk", json={"national_code": person})
    assert card.status_code == 201, card.text
    card_id = card.json()["id"]
    enrolled = api.post(
        f"/api/cards/{card_id}/enrolment", as_="clerk", json={"photo_ref": "capture-77", "template_sha256": TEMPLATE}
    )
    assert enrolled.json()["status"] == "enrolled"
    batch = api.post("/api/cards/batches", as_="registrar", json={})
    assert batch.status_code == 201 and batch.json()["card_ids"] == [card_id]
    made = api.post(
        f"/api/cards/batches/{batch.json()['id']}/production",
        as_="admin",
        json={"cards": [{"card_id": card_id, "chip_id": chip().lower()}]},
    )
    assert made.status_code == 200, made.text
    handed = api.post(f"/api/cards/{card_id}/hand-over", as_="registrar").json()
    assert (handed["status"], handed["public_status"]) == ("active", "active")
    assert handed["chip_id"] == handed["chip_id"].upper()
    assert api.get(f"/api/cards/status/{handed['serial']}").json()["status"] == "active"  # no sign-in
    listed = api.get(f"/api/persons/{person}/cards", as_="auditor").json()
    assert [c["serial"] for c in listed] == [handed["serial"]]
    reported = api.post(f"/api/cards/{card_id}/report", as_="clerk", json={"what": "lost"}).json()
    assert reported["public_status"] == "revoked"
    coverage = api.get("/api/cards/coverage", as_="admin", params={"province": "23"}).json()
    assert coverage[0]["eligible"] == 1 and coverage[0]["active_cards"] == 0
    queue = api.get("/api/cards/queue", as_="clerk").json()
    assert queue["office"] == "THR" and len(queue["stages"]) == 4


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"national_code": "0499370890"}, 422, "national_code.check_digit", "national_code"),
        ({"national_code": "0499370899"}, 404, "person.unknown", "national_code"),
        ({}, 422, "request.missing", "national_code"),
        ({"national_code": "0499370899", "photo": "x"}, 422, "request.extra", "photo"),
    ],
)
def test_a_bad_application_is_refused(api, unchanged, body, status, code, field):
    assert_problem(api.post("/api/cards/applications", as_="clerk", json=body), status, code, field)


def test_an_application_without_a_token_or_by_an_auditor_is_refused(api, person, unchanged):
    assert_problem(api.post("/api/cards/applications", json={"national_code": person}), 401, "auth.required")
    assert_problem(
        api.post("/api/cards/applications", as_="auditor", json={"national_code": person}), 403, "role.forbidden"
    )


def test_bad_enrolments_change_nothing(api, ctx, staff, person):
    card = applied(ctx, staff, person)
    path = f"/api/cards/{card.id}/enrolment"
    assert_problem(
        api.post(path, as_="clerk", json={"photo_ref": "c", "template_sha256": "raw-fingerprint"}),
        422,
        "card.template",
        "template_sha256",
    )
    assert_problem(
        api.post("/api/cards/999999/enrolment", as_="clerk", json={"photo_ref": "c", "template_sha256": TEMPLATE}),
        404,
        "card.unknown",
        "card",
    )
    assert_problem(api.post("/api/cards/x/enrolment", as_="clerk", json={}), 422, "request.not_a_number", "card_id")
    assert cards.get_card(ctx, actor=staff["clerk"], card_id=card.id).status == "applied"


def test_bad_production_and_hand_over_change_nothing(api, ctx, staff, person):
    card = applied(ctx, staff, person)
    assert_problem(api.post(f"/api/cards/{card.id}/hand-over", as_="registrar"), 409, "card.transition", "card")
    assert_problem(api.post("/api/cards/batches", as_="registrar", json={}), 409, "card.batch_empty", "card_ids")
    body = {"cards": [{"card_id": card.id, "chip_id": chip()}]}
    assert_problem(
        api.post("/api/cards/batches/77/production", as_="admin", json=body), 404, "card.batch_unknown", "batch"
    )
    assert_problem(api.post("/api/cards/batches/77/production", as_="registrar", json=body), 403, "role.forbidden")
    revoked = api.post(f"/api/cards/{card.id}/revoke", as_="head", json={"reason": "whim"})
    assert_problem(revoked, 422, "request.not_a_choice", "reason")
    assert cards.get_card(ctx, actor=staff["clerk"], card_id=card.id).status == "applied"


def test_a_chip_already_on_a_card_is_refused(api, ctx, staff, person):
    first = produced(ctx, staff, person)
    other = applied(ctx, staff, adult(ctx, staff, "male", year=1980))
    api.post(f"/api/cards/{other.id}/enrolment", as_="clerk", json={"photo_ref": "c", "template_sha256": TEMPLATE})
    batch = api.post("/api/cards/batches", as_="registrar", json={"card_ids": [other.id]}).json()
    body = {"cards": [{"card_id": other.id, "chip_id": first.chip_id}]}
    answer = api.post(f"/api/cards/batches/{batch['id']}/production", as_="admin", json=body)
    assert_problem(answer, 409, "card.chip_taken", "cards.chip_id")
    assert cards.get_card(ctx, actor=staff["clerk"], card_id=other.id).serial is None


def test_reports_refuse_a_future_day_and_an_unknown_province(api):
    assert_problem(
        api.get("/api/cards/coverage", as_="admin", params={"as_of": "2030-01-01"}), 422, "date.in_future", "as_of"
    )
    assert_problem(
        api.get("/api/cards/coverage", as_="admin", params={"province": "99"}), 404, "province.unknown", "province"
    )
    assert_problem(api.get("/api/cards/queue", as_="clerk", params={"office": "ISF"}), 403, "office.forbidden")


@pytest.mark.committed  # another connection writes
def test_two_offices_taking_one_persons_application_at_once_take_it_once(ctx, staff, person):
    outcomes: list[object] = []
    barrier = threading.Barrier(4)

    def take(actor):
        barrier.wait()
        try:
            outcomes.append(cards.apply_for_card(ctx, actor=actor, application=ApplicationIn(national_code=person)))
        except SabtError as error:
            outcomes.append(error.code)

    threads = [
        threading.Thread(target=take, args=(staff[name],)) for name in ("clerk", "registrar", "head", "isf_registrar")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o if isinstance(o, str) else "taken" for o in outcomes) == ["card.pending"] * 3 + ["taken"]
    assert len(cards.cards_of(ctx, actor=staff["auditor"], national_code=person)) == 1


def test_the_card_commands_run_the_lifecycle(sabt, ctx, staff, person, tmp_path):
    applied_out = sabt("cards", "apply", person, "--as", "clerk")
    assert applied_out.exit_code == 0, applied_out.output
    card_id = applied_out.output.split()[2]
    assert (
        sabt("cards", "enrol", card_id, "--as", "clerk", "--photo-ref", "c1", "--template-sha256", TEMPLATE).exit_code
        == 0
    )
    batch = sabt("cards", "batch", "--as", "registrar")
    assert batch.exit_code == 0 and "1 card sent" in batch.output
    manifest = tmp_path / "manifest.csv"
    with manifest.open("w", newline="") as file:
        csv.writer(file).writerows([["card_id", "chip_id"], [card_id, chip()]])
    made = sabt("cards", "produce", batch.output.split()[1].rstrip(":"), "--as", "admin", "--manifest", str(manifest))
    assert made.exit_code == 0, made.output
    serial = made.output.split()[-1]
    handed = sabt("cards", "hand-over", card_id, "--as", "registrar").output  # the command runs on today's clock
    assert re.fullmatch(rf"card {serial} is active until 14\d\d/\d\d/\d\d\n", handed)
    assert sabt("cards", "status", serial).output.strip() == f"{serial}: active"
    again = sabt("cards", "apply", person, "--as", "clerk")
    assert again.exit_code == 4 and "replaces" in again.output
    assert sabt("cards", "report", card_id, "stolen", "--as", "clerk").exit_code == 0
    crl = tmp_path / "crl.json"
    listed = sabt("cards", "revocations", "--out", str(crl))
    assert listed.exit_code == 0 and json.loads(crl.read_text())["statement"]["entries"][0]["serial"] == serial
    table = sabt("cards", "coverage", "--as", "auditor", "--format", "csv")
    rows = list(csv.DictReader(table.output.splitlines()))
    assert rows[0]["county"] == "2301" and rows[0]["eligible"] == "1" and rows[0]["active_cards"] == "0"
    assert sabt("cards", "status", "B0000000019").exit_code == 1
    assert sabt("cards", "coverage", "--as", "auditor", "--as-of", "1404/13/01").exit_code == 1
    assert json.loads(sabt("cards", "show", person, "--as", "clerk").output)[0]["status"] == "stolen"


def test_a_citizen_sees_their_cards_and_reports_the_active_one_stolen(api, ctx, staff, person, server):
    account = {"national_code": person, "username": "zahra.card", "password": "a long citizen passphrase"}
    assert api.post("/api/citizens", as_="registrar", json=account).status_code == 201
    token = api.client.post("/api/auth/token", data={"username": "zahra.card", "password": account["password"]})
    citizen = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert_problem(
        api.post("/api/me/card/report", headers=citizen, json={"what": "lost"}), 404, "card.none_active", "card"
    )
    card = produced(ctx, staff, person)
    card = cards.hand_over(ctx, actor=staff["registrar"], card_id=card.id)
    assert [c["serial"] for c in api.get("/api/me/cards", headers=citizen).json()] == [card.serial]
    reported = api.post("/api/me/card/report", headers=citizen, json={"what": "stolen", "note": "at night"})
    assert reported.status_code == 200 and reported.json()["status"] == "stolen"
    assert api.get(f"/api/cards/status/{card.serial}").json() == {
        "serial": card.serial,
        "status": "revoked",
        "reason": "stolen",
    }
    assert_problem(api.get(f"/api/persons/{person}/cards", headers=citizen), 403, "role.forbidden")
    assert_problem(api.get("/api/me/cards", as_="clerk"), 403, "role.forbidden")


def test_a_partner_whose_policy_allows_it_hears_the_holders_card_status_on_a_match(api, ctx, staff, person):
    key = partner(api, "pension-fund", {**BANK_POLICY, "card_status": True})
    bank = partner(api, "bank", BANK_POLICY)
    query = {"national_code": person, "first_name": "سارا", "purpose": "pension payment"}
    assert ask(api, key, query).json()["card_status"] == "none"
    card = cards.hand_over(ctx, actor=staff["registrar"], card_id=produced(ctx, staff, person).id)
    assert ask(api, key, query).json()["card_status"] == "active"
    assert ask(api, key, {**query, "first_name": "مریم"}).json()["card_status"] is None  # no match, nothing said
    cards.report_card(ctx, actor=staff["clerk"], card_id=card.id, report=ReportIn(what="lost"))
    assert ask(api, key, query).json()["card_status"] == "revoked"
    ctx.clock.current = TEST_NOW.replace(year=2033)  # past the printed expiry of a new card
    renewed = cards.hand_over(ctx, actor=staff["registrar"], card_id=produced(ctx, staff, person).id)
    assert renewed.expires_on.gregorian.year == 2040
    assert ask(api, key, query).json()["card_status"] == "active"
    ctx.clock.current = TEST_NOW.replace(year=2041)
    assert ask(api, key, query).json()["card_status"] == "expired"
    assert ask(api, bank, query).json()["card_status"] is None  # not in this bank's policy
