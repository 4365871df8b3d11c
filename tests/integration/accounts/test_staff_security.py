"""Staff accounts over real HTTP on both databases: every cell of the permission table tried by each role of
two offices on the other office's records; TOTP with real codes, recovery codes, step-up, lock-out and
throttling on a server that asks for a second factor; sessions listed and revoked; the access log."""

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pyotp
import pytest
from sqlalchemy import func, select

from sabt.accounts.models import AccountEvent
from sabt.cards import service as cards
from sabt.cards.schemas import ApplicationIn, EnrolmentIn, ProducedCard, ProductionIn
from sabt.certificates import service as certificates
from sabt.certificates.schemas import CertificateRequest
from sabt.core.cards import CardStatus
from sabt.core.permissions import OFFICE_ROLES, PERMISSIONS, Action, Scope
from sabt.core.sign_in import ACCOUNT_FAILURES, ADDRESS_FAILURES
from sabt.registry import service as registry
from sabt.registry import service as registry_persons
from sabt.registry.schemas import BirthDeclaration, DeathDeclaration
from sabt.web.session import csrf_token

from ..conftest import PASSWORD, TEST_NOW, sign_in
from ..registry.factories import birth, death

OFFICE_STAFF = {"THR": ("clerk", "registrar", "head"), "ISF": ("isf_clerk", "isf_registrar", "isf_head")}
NATIONAL_STAFF = ("admin", "auditor", "investigator")
OFFICE_COUNTY = {"THR": "2301", "ISF": "1002"}
_names = itertools.count(1)


# --- records of one office, made by that office's own staff --------------------------------------------


@dataclass
class Records:
    ctx: object
    staff: dict
    office: str

    def _actor(self, position: int):
        return self.staff[OFFICE_STAFF[self.office][position]]

    def declared(self, **changes):
        data = birth(office=self.office, county=OFFICE_COUNTY[self.office], **changes)
        return registry.declare(self.ctx, actor=self._actor(0), declaration=BirthDeclaration(**data))

    def validated(self):
        return registry.validate_event(self.ctx, actor=self._actor(1), event_id=self.declared().id)

    def rejected(self):
        return registry.reject_event(self.ctx, actor=self._actor(1), event_id=self.declared().id, reason="سند ناخوانا")

    def late(self):
        return self.declared(birth_date="2024-01-10")

    def person(self):
        born = birth(office=self.office, county=OFFICE_COUNTY[self.office], birth_date="2025-05-25")
        event = registry.declare(self.ctx, actor=self._actor(0), declaration=BirthDeclaration(**born))
        registry.validate_event(self.ctx, actor=self._actor(1), event_id=event.id)
        return registry.register_event(self.ctx, actor=self._actor(1), event_id=event.id).subject_national_code

    def adult(self):
        """A person old enough for a card (registered late, as an adult's birth is)."""
        event = self.declared(birth_date="1990-03-01")
        registry.validate_event(self.ctx, actor=self._actor(1), event_id=event.id)
        registry.approve_late(self.ctx, actor=self._actor(2), event_id=event.id)
        return registry.register_event(self.ctx, actor=self._actor(1), event_id=event.id).subject_national_code

    def certificate(self):
        request = CertificateRequest(kind="birth", national_code=self.person())
        return certificates.issue_certificate(self.ctx, actor=self._actor(1), request=request).serial

    def card(self, stage: str):
        card = cards.apply_for_card(
            self.ctx, actor=self._actor(0), application=ApplicationIn(national_code=self.adult())
        )
        if stage == "applied":
            return card.id
        enrolment = EnrolmentIn(photo_ref="cap-1", template_sha256="ab" * 32)
        cards.enrol(self.ctx, actor=self._actor(0), card_id=card.id, enrolment=enrolment)
        batch = cards.send_batch(self.ctx, actor=self._actor(1), card_ids=[card.id])
        if stage == "sent":
            return batch.id, card.id
        chip = f"{0x05000000000000 + next(_names):014X}"
        production = ProductionIn(cards=[ProducedCard(card_id=card.id, chip_id=chip)])
        cards.record_production(self.ctx, actor=self.staff["admin"], batch_id=batch.id, production=production)
        if stage == "produced":
            return card.id
        return cards.hand_over(self.ctx, actor=self._actor(1), card_id=card.id).id


# Each action of the table, tried through the API on a fresh record of the office `records` belong to.
Attempt = Callable[[object, str, Records], httpx.Response]


def produce(api, who: str, batch_id: int, card_id: int) -> httpx.Response:
    manifest = {"cards": [{"card_id": card_id, "chip_id": f"{0x06000000000000 + next(_names):014X}"}]}
    return api.post(f"/api/cards/batches/{batch_id}/production", as_=who, json=manifest)


def _new_username() -> str:
    return f"cell-user-{next(_names)}"


ATTEMPTS: dict[Action, Attempt] = {
    Action.READ: lambda api, who, r: api.get(f"/api/persons/{r.person()}", as_=who),
    Action.READ_OFFICE_WORK: lambda api, who, r: api.get(f"/api/events/{r.declared().id}", as_=who),
    Action.READ_CAUSE_OF_DEATH: lambda api, who, r: api.get(f"/api/events/{r.declared().id}/cause-of-death", as_=who),
    Action.READ_OFFICE_DASHBOARD: lambda api, who, r: api.get(f"/api/offices/{r.office}/dashboard", as_=who),
    Action.DECLARE: lambda api, who, r: api.post(
        "/api/events/births", as_=who, json=birth(office=r.office, county=OFFICE_COUNTY[r.office])
    ),
    Action.RESUBMIT: lambda api, who, r: api.put(
        f"/api/events/{r.rejected().id}/declaration",
        as_=who,
        json=birth(office=r.office, county=OFFICE_COUNTY[r.office]),
    ),
    Action.ASSIGN: lambda api, who, r: api.post(f"/api/events/{r.declared().id}/assign", as_=who),
    Action.VALIDATE: lambda api, who, r: api.post(f"/api/events/{r.declared().id}/validate", as_=who),
    Action.REGISTER: lambda api, who, r: api.post(f"/api/events/{r.validated().id}/register", as_=who),
    Action.REJECT: lambda api, who, r: api.post(
        f"/api/events/{r.declared().id}/reject", as_=who, json={"reason": "سند ناخوانا"}
    ),
    Action.APPROVE_LATE: lambda api, who, r: api.post(f"/api/events/{r.late().id}/approve-late", as_=who),
    Action.CORRECT: lambda api, who, r: api.post(
        f"/api/persons/{r.person()}/corrections", as_=who, json={"reason": "رأی هیئت حل اختلاف", "first_name": "سارینا"}
    ),
    Action.ISSUE_CERTIFICATE: lambda api, who, r: api.post(
        "/api/certificates", as_=who, json={"kind": "birth", "national_code": r.person()}
    ),
    Action.PRINT_CERTIFICATE: lambda api, who, r: api.post(f"/api/certificates/{r.certificate()}/print", as_=who),
    Action.REVOKE_CERTIFICATE: lambda api, who, r: api.post(
        f"/api/certificates/{r.certificate()}/revoke", as_=who, json={"reason": "مفقود شده"}
    ),
    Action.ENROL_CITIZEN: lambda api, who, r: api.post(
        "/api/citizens", as_=who, json={"national_code": r.person(), "username": _new_username(), "password": PASSWORD}
    ),
    Action.CARD_DESK: lambda api, who, r: api.post(
        "/api/cards/applications", as_=who, json={"national_code": r.adult()}
    ),
    Action.ENROL_CARD: lambda api, who, r: api.post(
        f"/api/cards/{r.card('applied')}/enrolment", as_=who, json={"photo_ref": "cap-2", "template_sha256": "cd" * 32}
    ),
    Action.ISSUE_CARD: lambda api, who, r: api.post(f"/api/cards/{r.card('produced')}/hand-over", as_=who),
    Action.REVOKE_CARD: lambda api, who, r: api.post(
        f"/api/cards/{r.card('active')}/revoke", as_=who, json={"reason": "fraud"}
    ),
    Action.PRODUCE_CARDS: lambda api, who, r: produce(api, who, *r.card("sent")),
    Action.READ_FORGERIES: lambda api, who, r: api.get("/api/certificates/forgeries", as_=who),
    Action.MANAGE_USERS: lambda api, who, r: api.post(
        "/api/users", as_=who, json={"username": _new_username(), "password": PASSWORD, "role": "auditor"}
    ),
    Action.READ_ACCOUNTS: lambda api, who, r: api.get("/api/users", as_=who),
    Action.MANAGE_OFFICES: lambda api, who, r: api.post(
        "/api/geo/offices", as_=who, json={"code": f"OFF-{next(_names)}", "name_fa": "اداره تازه", "county": "0101"}
    ),
    Action.MANAGE_PARTNERS: lambda api, who, r: api.post(
        "/api/partners",
        as_=who,
        json={
            "code": f"p-{next(_names)}",
            "name": "بانک",
            "kind": "bank",
            "contact": "ops@example.org",
            "policy": {"checks": ["verify"], "purpose": "kyc"},
        },
    ),
    Action.INVESTIGATE: lambda api, who, r: api.get("/api/linkage/cases", as_=who),
    Action.RUN_LINKAGE: lambda api, who, r: api.get("/api/linkage/runs", as_=who),
    Action.READ_ACCESS_LOG: lambda api, who, r: api.get("/api/access/unusual", as_=who),
    Action.OWN_RECORD: lambda api, who, r: api.get("/api/me/checks", as_=who),
}


def expected(staff, who: str, action: Action, record_office: str) -> str:
    """What the permission table says `who` gets for `action` on a record of `record_office`."""
    rule = PERMISSIONS[action]
    actor = staff[who]
    if actor.role not in rule.roles:
        return "role.forbidden"
    home = next((office for office, names in OFFICE_STAFF.items() if who in names), None)
    if rule.scope == Scope.HOLDING_OFFICE and actor.role in OFFICE_ROLES and home != record_office:
        return "office.forbidden"
    return "allowed"


def test_the_table_names_an_attempt_for_every_action():
    assert set(ATTEMPTS) == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_every_role_of_two_offices_gets_what_the_table_says_on_the_other_office_s_record(api, ctx, staff, action):
    """Each office's staff on the other office's records, and national roles on both: one cell each."""
    cells = [(who, "ISF") for who in OFFICE_STAFF["THR"]] + [(who, "THR") for who in OFFICE_STAFF["ISF"]]
    cells += [(who, office) for who in NATIONAL_STAFF for office in ("THR", "ISF")]
    outcomes = {}
    for who, office in cells:
        response = ATTEMPTS[action](api, who, Records(ctx, staff, office))
        code = response.json().get("code") if response.status_code >= 400 else None
        got = code if response.status_code == 403 else "allowed" if response.status_code < 400 else response.text
        outcomes[(who, office)] = got
    assert outcomes == {(who, office): expected(staff, who, action, office) for who, office in cells}


def test_an_office_acts_on_its_own_records(api, ctx, staff):
    """The same actions the other office was refused, by the office that holds the records."""
    records = Records(ctx, staff, "THR")
    for action in (Action.CORRECT, Action.REVOKE_CERTIFICATE, Action.REGISTER, Action.REVOKE_CARD):
        response = ATTEMPTS[action](api, "head", records)
        assert response.status_code < 300, (action, response.text)


def test_a_refusal_for_another_office_s_record_is_recorded_with_who_tried_it(api, ctx, staff):
    code = Records(ctx, staff, "THR").person()
    refused = ATTEMPTS[Action.CORRECT](api, "isf_head", Records(ctx, staff, "THR"))
    assert refused.status_code == 403
    events = api.get("/api/security/events", as_="auditor", params={"kind": "refused"}).json()
    assert [(event["username"], event["detail"]) for event in events] == [
        ("isf_head", "office.forbidden correct: POST /api/persons/*/corrections")
    ]
    assert code not in events[0]["detail"]


def test_a_person_is_kept_by_the_office_that_registered_their_birth(ctx, staff):
    code = Records(ctx, staff, "THR").person()
    with ctx.db.snapshot() as session:
        assert registry_persons.offices_holding(session, code) == {staff["clerk"].office_id}


# --- the access log ------------------------------------------------------------------------------------


def test_a_citizen_sees_the_clerk_s_read_of_their_record_by_role_and_office(api, ctx, staff):
    code = Records(ctx, staff, "THR").person()
    citizen = api.post(
        "/api/citizens", as_="registrar", json={"national_code": code, "username": "sara.citizen", "password": PASSWORD}
    )
    assert citizen.status_code == 201, citizen.text
    ctx.clock.current = TEST_NOW + dt.timedelta(minutes=1)  # type: ignore[attr-defined]
    assert api.get(f"/api/persons/{code}", as_="isf_clerk").status_code == 200
    token = httpx.post(f"{api.client.base_url}/api/auth/token", data={"username": "sara.citizen", "password": PASSWORD})
    reads = api.get("/api/me/reads", headers={"Authorization": f"Bearer {token.json()['access_token']}"}).json()
    clerk_reads = [read for read in reads if read["role"] == "clerk"]
    assert clerk_reads[0] | {"at": None} == {
        "national_code": code,
        "what": "record",
        "role": "clerk",
        "office": "ISF",
        "office_name": "اداره اصفهان",
        "username": None,
        "purpose": "",
        "at": None,
    }
    other = api.get(f"/api/access/persons/{code}", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert other.status_code == 403 and other.json()["code"] == "role.forbidden"


def test_an_auditor_asks_who_read_a_person_and_what_a_clerk_read(api, ctx, staff):
    records = Records(ctx, staff, "THR")
    first, second = records.person(), records.person()
    api.get(f"/api/persons/{first}", as_="isf_clerk")
    api.get("/api/persons", as_="isf_clerk", params={"last_name": "رضایی"})
    api.post("/api/certificates", as_="isf_registrar", json={"kind": "birth", "national_code": second})
    by_person = api.get(f"/api/access/persons/{first}", as_="auditor").json()
    assert {(read["username"], read["what"]) for read in by_person} >= {
        ("isf_clerk", "record"),
        ("isf_clerk", "search"),
    }
    assert ("isf_registrar", "certificate") in {
        (read["username"], read["what"]) for read in api.get(f"/api/access/persons/{second}", as_="auditor").json()
    }
    listed = api.get("/api/events", as_="registrar", params={"status": "registered"})
    assert listed.status_code == 200
    by_registrar = api.get("/api/access/users/registrar", as_="auditor").json()
    assert {first, second} <= {read["national_code"] for read in by_registrar if read["what"] == "event"}
    by_user = api.get("/api/access/users/isf_clerk", as_="auditor").json()
    assert {read["national_code"] for read in by_user if read["what"] == "search"} >= {first, second}
    assert api.get("/api/access/users/isf_clerk", as_="clerk").json()["code"] == "role.forbidden"


def test_the_report_of_unusual_access_names_readers_outside_their_office_and_at_night(api, ctx, staff):
    records = Records(ctx, staff, "THR")
    codes = [records.person() for _ in range(3)]
    ctx.clock.current = dt.datetime(2025, 6, 1, 0, 0, tzinfo=dt.UTC)  # type: ignore[attr-defined]  # 03:30 in Tehran
    for code in codes:
        for reader in ("isf_clerk", "isf_registrar", "isf_head", "auditor", "admin"):
            assert api.get(f"/api/persons/{code}", as_=reader).status_code == 200
    report = api.get("/api/access/unusual", as_="auditor").json()
    kinds = {(item["kind"], item["username"] or item["national_code"]) for item in report}
    assert ("at_night", "isf_clerk") in kinds
    assert {("much_read_person", code) for code in codes} <= kinds
    assert (
        api.get("/api/access/unusual", as_="auditor", params={"since": "2025-01-01"}).json()["code"]
        == "access.too_long"
    )


# --- a server that asks for a second factor ---------------------------------------------------------------


@pytest.fixture
def strict(strict_server, ctx):
    client = httpx.Client(base_url=strict_server, timeout=30)
    yield client
    client.close()


@pytest.fixture(autouse=True)
def _shared_sign_ins_stay_valid(backend, server, tokens):
    """Some tests here end every session a staff user has (resetting a lost factor does, as it must), the
    run's shared sign-ins among them; those are renewed afterwards, for the tests of other features."""
    yield
    backend.clock.current = TEST_NOW  # as the next test sees it
    for username, token in list(tokens.items()):
        if httpx.get(f"{server}/api/me", headers=bearer(token)).status_code == 401:
            tokens.update(sign_in(server, [username]))


def password_sign_in(client: httpx.Client, username: str, password: str = PASSWORD, **extra) -> httpx.Response:
    return client.post("/api/auth/token", data={"username": username, "password": password, **extra})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def enrolled(client: httpx.Client, ctx, username: str) -> tuple[str, dict, pyotp.TOTP]:
    """Sign in for the first time and enrol an authenticator app: the token, its answer and the app."""
    first = password_sign_in(client, username).json()
    assert first["second_factor"] == "enrol", first
    token = first["access_token"]
    secret = client.post("/api/auth/totp", headers=bearer(token)).json()["secret"]
    app = pyotp.TOTP(secret)
    confirmed = client.post("/api/auth/totp/confirm", headers=bearer(token), json={"code": app.at(ctx.now())})
    assert confirmed.status_code == 200, confirmed.text
    return token, confirmed.json(), app


def later(ctx, seconds: int) -> None:
    ctx.clock.current = ctx.now() + dt.timedelta(seconds=seconds)  # type: ignore[attr-defined]


def account_events(ctx, kind: str) -> int:
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.count()).where(AccountEvent.kind == kind)) or 0


def test_a_password_alone_opens_nothing_but_the_second_factor_step(strict, server, ctx):
    assert 'id="demo-notice"' not in strict.get("/login").text  # only the demo says a password will do
    assert 'id="demo-notice"' in httpx.get(f"{server}/login").text
    answer = password_sign_in(strict, "admin").json()
    assert (answer["second_factor"], answer["factors"]) == ("enrol", [])
    refused = strict.get("/api/users", headers=bearer(answer["access_token"]))
    assert refused.status_code == 401 and refused.json()["code"] == "auth.second_factor"


def test_totp_is_enrolled_with_a_qr_code_and_recovery_codes_and_then_asked_at_every_sign_in(strict, ctx):
    token, answer, app = enrolled(strict, ctx, "admin")
    assert len(answer["recovery_codes"]) == 10 and answer["token"]["second_factor"] == "done"
    assert strict.get("/api/users", headers=bearer(token)).status_code == 200
    later(ctx, 60)
    second = password_sign_in(strict, "admin").json()
    assert (second["second_factor"], set(second["factors"])) == ("required", {"recovery", "totp"})
    assert strict.get("/api/users", headers=bearer(second["access_token"])).status_code == 401
    given = strict.post("/api/auth/factor", headers=bearer(second["access_token"]), json={"code": app.at(ctx.now())})
    assert given.status_code == 200 and given.json()["second_factor"] == "done"
    assert strict.get("/api/users", headers=bearer(second["access_token"])).status_code == 200
    later(ctx, 60)
    persian_digits = app.at(ctx.now()).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    at_once = password_sign_in(strict, "admin", code=persian_digits).json()
    assert at_once["second_factor"] == "done"
    me = strict.get("/api/me", headers=bearer(at_once["access_token"])).json()
    assert (me["factor"], me["stepped_up"]) == ("totp", True)


def test_a_wrong_reused_or_expired_code_is_refused_recorded_and_changes_nothing(strict, ctx):
    _, _, app = enrolled(strict, ctx, "head")
    used = app.at(ctx.now())
    pending = password_sign_in(strict, "head").json()["access_token"]
    failures = account_events(ctx, "failed_factor")
    for code, why in (
        (used, "reused"),
        (app.at(ctx.now() - dt.timedelta(minutes=5)), "expired"),
        ("000000", "wrong"),
        ("12345", "short"),
        ("۰۰۰۰۰۰", "wrong, in Persian digits"),
    ):
        refused = strict.post("/api/auth/factor", headers=bearer(pending), json={"code": code})
        assert refused.status_code == 401 and refused.json()["code"] == "factor.invalid", why
    assert account_events(ctx, "failed_factor") == failures + 5
    assert password_sign_in(strict, "head").json()["code"] == "auth.locked"  # the fifth locked the name
    page = strict.post(
        "/login/factor",
        headers={"Cookie": f"sabt_session={pending}"},  # this request's only: the client keeps no cookie
        data={"code": "000000", "csrf": csrf_token(pending)},
    )
    assert page.status_code == 429 and 1 <= int(page.headers["Retry-After"]) <= 900  # the page says when, too
    assert strict.get("/api/users", headers=bearer(pending)).status_code == 401


def test_a_recovery_code_works_once(strict, ctx):
    _, answer, _ = enrolled(strict, ctx, "auditor")
    code = answer["recovery_codes"][0]
    pending = password_sign_in(strict, "auditor").json()["access_token"]
    given = strict.post("/api/auth/factor", headers=bearer(pending), json={"code": code.upper()})
    assert given.status_code == 200 and given.json()["second_factor"] == "done"
    again = password_sign_in(strict, "auditor").json()["access_token"]
    refused = strict.post("/api/auth/factor", headers=bearer(again), json={"code": code})
    assert refused.status_code == 401 and refused.json()["code"] == "factor.recovery"
    assert account_events(ctx, "recovery_used") == 1


def test_a_correction_asks_for_the_factor_again_when_the_last_is_old_even_called_directly(strict, ctx, staff):
    code = Records(ctx, staff, "THR").person()
    token, _, app = enrolled(strict, ctx, "head")
    later(ctx, 6 * 60)
    body = {"reason": "رأی هیئت حل اختلاف", "first_name": "سارینا"}
    refused = strict.post(f"/api/persons/{code}/corrections", headers=bearer(token), json=body)
    assert refused.status_code == 401 and refused.json()["code"] == "auth.step_up"
    assert "insufficient_user_authentication" in refused.headers["WWW-Authenticate"]
    assert strict.get(f"/api/persons/{code}", headers=bearer(token)).json()["first_name"] == "سارا"
    stepped = strict.post("/api/auth/factor", headers=bearer(token), json={"code": app.at(ctx.now())})
    assert stepped.status_code == 200
    corrected = strict.post(f"/api/persons/{code}/corrections", headers=bearer(token), json=body)
    assert corrected.status_code == 200 and corrected.json()["first_name"] == "سارینا"
    assert account_events(ctx, "stepped_up") == 1


def test_a_stolen_password_cannot_add_a_second_authenticator(strict, ctx):
    enrolled(strict, ctx, "registrar")
    pending = password_sign_in(strict, "registrar").json()["access_token"]
    refused = strict.post("/api/auth/totp", headers=bearer(pending))
    assert refused.status_code == 401 and refused.json()["code"] == "auth.step_up"
    assert strict.post("/api/auth/passkeys/options", headers=bearer(pending)).status_code == 401


def test_repeated_failures_lock_a_name_whether_or_not_it_exists_and_the_unlock_is_recorded(strict, ctx):
    token, _, _ = enrolled(strict, ctx, "admin")
    for username in ("clerk", "nobody-at-all"):
        for _ in range(ACCOUNT_FAILURES):
            assert password_sign_in(strict, username, "wrong password!").status_code == 401
        locked = password_sign_in(strict, username)
        assert locked.status_code == 429 and locked.json()["code"] == "auth.locked"
        assert 1 <= int(locked.headers["Retry-After"]) <= 900
    listed = strict.get("/api/security/locked", headers=bearer(token)).json()
    assert {item["username"] for item in listed} == {"clerk", "nobody-at-all"}
    for username in ("clerk", "nobody-at-all"):
        assert strict.post(f"/api/users/{username}/unlock", headers=bearer(token)).status_code == 204
    assert password_sign_in(strict, "clerk").status_code == 200
    assert password_sign_in(strict, "nobody-at-all").status_code == 401
    events = strict.get("/api/security/events", headers=bearer(token), params={"kind": "unlocked"}).json()
    assert {(event["username"], event["by"]) for event in events} == {("clerk", "admin"), ("nobody-at-all", "admin")}
    assert strict.post("/api/users/clerk/unlock", headers=bearer(token)).json()["code"] == "auth.not_locked"


def test_an_address_that_fails_too_often_is_throttled(strict, ctx):
    for index in range(ADDRESS_FAILURES):
        assert password_sign_in(strict, f"guess-{index}", "wrong password!").status_code == 401
    throttled = password_sign_in(strict, "clerk")
    assert throttled.status_code == 429 and throttled.json()["code"] == "auth.throttled"


def test_sessions_are_listed_and_an_administrator_ends_one(strict, ctx):
    admin, _, _ = enrolled(strict, ctx, "admin")
    clerk, _, _ = enrolled(strict, ctx, "clerk")
    mine = strict.get("/api/me/sessions", headers=bearer(clerk)).json()
    assert mine[0]["current"] and mine[0]["factor"] == "totp"
    ended = strict.post(f"/api/users/clerk/sessions/{mine[0]['id']}/revoke", headers=bearer(admin))
    assert ended.status_code == 200 and ended.json()["revoked_at"]
    assert strict.get("/api/me", headers=bearer(clerk)).status_code == 401
    assert strict.post("/api/users/clerk/sessions/999999/revoke", headers=bearer(admin)).status_code == 404
    assert account_events(ctx, "session_revoked") == 1


def test_an_administrator_resets_a_lost_factor_and_the_user_enrols_again(strict, ctx):
    admin, _, _ = enrolled(strict, ctx, "admin")
    clerk, answer, app = enrolled(strict, ctx, "clerk")
    reset = strict.post("/api/users/clerk/factors/reset", headers=bearer(admin))
    assert reset.status_code == 204
    assert strict.get("/api/me", headers=bearer(clerk)).status_code == 401  # the old session ended
    again = password_sign_in(strict, "clerk").json()
    assert again["second_factor"] == "enrol"
    later(ctx, 60)
    for code in (app.at(ctx.now()), answer["recovery_codes"][1]):
        refused = strict.post("/api/auth/factor", headers=bearer(again["access_token"]), json={"code": code})
        assert refused.status_code == 401
    events = strict.get("/api/security/events", headers=bearer(admin), params={"kind": "factors_reset"}).json()
    assert [(event["username"], event["by"]) for event in events] == [("clerk", "admin")]
    assert strict.post("/api/users/clerk/factors/reset", headers=bearer(clerk)).status_code == 401


@pytest.mark.committed  # guesses from threads at once
def test_guesses_sent_together_are_counted_one_by_one_and_no_more_than_the_limit_get_through(strict, ctx, monkeypatch):
    """Forty wrong passwords, and then forty wrong codes, at once: five are looked at and the rest wait for
    the lock they caused; the right password after them gets no token. The clock moves on at every reading,
    as a real one does, so an attempt that waited for another must still see its failure."""
    _, _, app = enrolled(strict, ctx, "clerk")
    pending = password_sign_in(strict, "clerk").json()["access_token"]
    moments = itertools.count()
    monkeypatch.setattr(ctx.clock, "now", lambda: TEST_NOW + dt.timedelta(milliseconds=next(moments)))

    def at_once(attempt: Callable[[int], httpx.Response]) -> Counter[int]:
        with ThreadPoolExecutor(max_workers=20) as pool:
            return Counter(answer.status_code for answer in pool.map(attempt, range(40)))

    assert at_once(lambda _: password_sign_in(strict, "investigator", "wrong password!")) == {401: 5, 429: 35}
    assert password_sign_in(strict, "investigator").status_code == 429
    codes = at_once(lambda _: strict.post("/api/auth/factor", headers=bearer(pending), json={"code": "000000"}))
    assert codes == {401: 5, 429: 35}
    assert account_events(ctx, "locked") == 2
    assert strict.post("/api/auth/factor", headers=bearer(pending), json={"code": app.at(TEST_NOW)}).status_code == 429


def test_a_step_on_an_event_a_revocation_and_the_desk_s_cards_are_reads_of_whom_they_show(api, ctx, staff):
    records = Records(ctx, staff, "THR")
    dying = records.person()
    declared = registry.declare(ctx, actor=staff["clerk"], declaration=DeathDeclaration(**death(dying)))
    assert api.post(f"/api/events/{declared.id}/validate", as_="registrar").status_code == 200
    serial = records.certificate()
    holder = api.get(f"/api/certificates/{serial}", as_="auditor").json()["subject_national_code"]
    assert api.post(f"/api/certificates/{serial}/revoke", as_="head", json={"reason": "مفقود شده"}).status_code == 200
    card_holder = cards.get_card(ctx, actor=staff["auditor"], card_id=records.card("produced")).national_code
    assert cards.cards_at_office(ctx, actor=staff["clerk"], status=CardStatus.READY)  # the desk's pickup list

    def read_by(username: str) -> set[tuple[str, str]]:
        return {
            (read["national_code"], read["what"])
            for read in api.get(f"/api/access/users/{username}", as_="auditor").json()
        }

    assert (dying, "event") in read_by("registrar")
    assert (holder, "certificate") in read_by("head")
    assert (card_holder, "cards") in read_by("clerk")
