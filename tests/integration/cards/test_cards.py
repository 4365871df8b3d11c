"""Smart national cards on both databases: the lifecycle, one active card per person, revocation at death,
the signed revocation list, coverage and the office queue; every refusal leaves nothing changed."""

import base64
import datetime as dt
import itertools
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select, update

from sabt.cards import reports, revocations
from sabt.cards import service as cards
from sabt.cards.models import Card
from sabt.cards.schemas import ApplicationIn, EnrolmentIn, ProducedCard, ProductionIn, ReportIn, RevocationIn
from sabt.core.cards import compose_card_serial
from sabt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sabt.ledger.audit import audit
from sabt.ledger.models import LedgerLeaf

from ..conftest import TEST_NOW, behind_the_back
from ..platform.test_api import assert_problem
from ..registry.factories import DeathDeclaration, adult, death, register, registered_person

TEMPLATE = "ab" * 32
_chips = itertools.count(0x04000000000001)


def chip() -> str:
    return f"{next(_chips):014X}"


def applied(ctx, staff, code, replaces=None):
    return cards.apply_for_card(
        ctx, actor=staff["clerk"], application=ApplicationIn(national_code=code, replaces=replaces)
    )


def produced(ctx, staff, code, replaces=None):
    card = applied(ctx, staff, code, replaces)
    enrolment = EnrolmentIn(photo_ref="cap-1", template_sha256=TEMPLATE)
    cards.enrol(ctx, actor=staff["clerk"], card_id=card.id, enrolment=enrolment)
    batch = cards.send_batch(ctx, actor=staff["registrar"], card_ids=[card.id])
    manifest = ProductionIn(cards=[ProducedCard(card_id=card.id, chip_id=chip())])
    cards.record_production(ctx, actor=staff["admin"], batch_id=batch.id, production=manifest)
    return cards.get_card(ctx, actor=staff["clerk"], card_id=card.id)


def active(ctx, staff, code, replaces=None):
    return cards.hand_over(ctx, actor=staff["registrar"], card_id=produced(ctx, staff, code, replaces).id)


def card_leaves(ctx, card_id):
    with ctx.db.snapshot() as session:
        query = select(func.count()).where(LedgerLeaf.record_type == "cards", LedgerLeaf.record_id == str(card_id))
        return session.scalar(query)


@pytest.fixture
def person(ctx, staff):
    return adult(ctx, staff, "female", year=1990)


def test_a_card_runs_from_application_to_active_and_every_step_is_in_the_ledger(ctx, staff, person):
    card = active(ctx, staff, person)
    assert (card.status, card.public_status, card.office) == ("active", "active", "THR")
    assert card.serial.startswith("N") and len(card.serial) == 11 and card.chip_id
    assert card.expires_on.gregorian == dt.date(2032, 6, 1)  # seven years from production
    assert cards.status_of_serial(ctx, serial=card.serial).status == "active"
    assert card_leaves(ctx, card.id) == 5  # apply, enrol, batch, produce, hand over


def test_a_second_card_needs_to_name_the_active_one_and_replaces_it_when_handed_over(ctx, staff, person):
    first = active(ctx, staff, person)
    with pytest.raises(Conflict) as refused:
        applied(ctx, staff, person)
    assert (refused.value.code, refused.value.field) == ("card.active_exists", "replaces")
    with pytest.raises(Conflict, match=r"card\.replaces"):
        applied(ctx, staff, person, replaces="N0000000990")
    second = produced(ctx, staff, person, replaces=first.serial)
    assert cards.status_of_serial(ctx, serial=first.serial).status == "active"  # until the new one is collected
    second = cards.hand_over(ctx, actor=staff["registrar"], card_id=second.id)
    history = cards.cards_of(ctx, actor=staff["auditor"], national_code=person)
    assert [(c.serial, c.status) for c in history] == [(first.serial, "replaced"), (second.serial, "active")]
    old = cards.status_of_serial(ctx, serial=first.serial)
    assert (old.status, old.reason) == ("revoked", "replaced")


def test_one_application_at_a_time(ctx, staff, person):
    card = applied(ctx, staff, person)
    with pytest.raises(Conflict, match=r"card\.pending"):
        applied(ctx, staff, person)
    assert card_leaves(ctx, card.id) == 1


def test_a_child_under_15_and_a_deceased_person_cannot_apply(ctx, staff):
    child = registered_person(ctx, staff, born=dt.date(2010, 6, 2))  # 15 the day after TEST_NOW
    with pytest.raises(InvalidInput) as young:
        applied(ctx, staff, child)
    assert young.value.code == "card.too_young" and "1404/03/12" in young.value.message_en
    deceased = adult(ctx, staff, "male", year=1950)
    register(ctx, staff, DeathDeclaration(**death(deceased)))
    with pytest.raises(Conflict, match=r"person\.deceased"):
        applied(ctx, staff, deceased)
    assert cards.cards_of(ctx, actor=staff["clerk"], national_code=child) == []


def test_registering_a_death_revokes_the_active_card_and_the_one_on_its_way(ctx, staff, person):
    card = active(ctx, staff, person)
    on_its_way = produced(ctx, staff, person, replaces=card.serial)
    register(ctx, staff, DeathDeclaration(**death(person)))
    history = cards.cards_of(ctx, actor=staff["auditor"], national_code=person)
    assert [(c.status, c.end_reason) for c in history] == [("revoked", "deceased"), ("revoked", "deceased")]
    public = cards.status_of_serial(ctx, serial=card.serial)
    assert (public.status, public.reason) == ("revoked", "revoked")  # a death is not the public's business
    with pytest.raises(Conflict, match=r"card\.transition"):
        cards.hand_over(ctx, actor=staff["registrar"], card_id=on_its_way.id)
    assert card_leaves(ctx, card.id) == 6


def test_a_card_that_was_never_produced_cannot_be_handed_over(ctx, staff, person):
    card = applied(ctx, staff, person)
    with pytest.raises(Conflict) as refused:
        cards.hand_over(ctx, actor=staff["registrar"], card_id=card.id)
    assert refused.value.params == {"status": "applied", "step": "issue"}
    assert cards.get_card(ctx, actor=staff["clerk"], card_id=card.id).status == "applied"
    assert card_leaves(ctx, card.id) == 1


def test_another_office_cannot_work_on_a_card_but_a_loss_is_reported_anywhere(ctx, staff, person):
    card = produced(ctx, staff, person)
    with pytest.raises(Forbidden):
        cards.hand_over(ctx, actor=staff["isf_registrar"], card_id=card.id)
    card = cards.hand_over(ctx, actor=staff["registrar"], card_id=card.id)
    reported = cards.report_card(
        ctx, actor=staff["isf_registrar"], card_id=card.id, report=ReportIn(what="stolen", note="bag stolen in Isfahan")
    )
    assert (reported.status, reported.public_status) == ("stolen", "revoked")
    assert cards.status_of_serial(ctx, serial=card.serial).reason == "stolen"


def test_revoking_is_for_the_office_head(ctx, staff, person):
    card = active(ctx, staff, person)
    with pytest.raises(Forbidden):
        cards.revoke_card(ctx, actor=staff["registrar"], card_id=card.id, revocation=RevocationIn(reason="fraud"))
    revoked = cards.revoke_card(
        ctx, actor=staff["head"], card_id=card.id, revocation=RevocationIn(reason="fraud", note="case 1404-17")
    )
    assert (revoked.status, revoked.end_reason) == ("revoked", "fraud: case 1404-17")


def test_a_bad_manifest_changes_nothing(ctx, staff, person):
    other = adult(ctx, staff, "male", year=1985)
    ids = [applied(ctx, staff, code).id for code in (person, other)]
    for card_id in ids:
        cards.enrol(
            ctx, actor=staff["clerk"], card_id=card_id, enrolment=EnrolmentIn(photo_ref="cap", template_sha256=TEMPLATE)
        )
    batch = cards.send_batch(ctx, actor=staff["registrar"], card_ids=None)
    assert sorted(batch.card_ids) == ids
    same = chip()
    cases = {
        "card.manifest": [ProducedCard(card_id=ids[0], chip_id=chip())],  # one card missing
        "card.chip_format": [ProducedCard(card_id=ids[0], chip_id="XYZ"), ProducedCard(card_id=ids[1], chip_id=chip())],
    }
    cases_twice = [ProducedCard(card_id=ids[0], chip_id=same), ProducedCard(card_id=ids[1], chip_id=same)]
    for code, listed in [*cases.items(), ("card.manifest", cases_twice)]:
        with pytest.raises(InvalidInput, match=code):
            cards.record_production(ctx, actor=staff["admin"], batch_id=batch.id, production=ProductionIn(cards=listed))
    assert {cards.get_card(ctx, actor=staff["clerk"], card_id=i).status for i in ids} == {"in_production"}
    with pytest.raises(Forbidden):
        cards.record_production(ctx, actor=staff["registrar"], batch_id=batch.id, production=ProductionIn(cards=[]))


def test_the_revocation_list_is_signed_numbered_in_order_and_read_incrementally(api, ctx, staff, person):
    other = adult(ctx, staff, "male", year=1985)
    first = active(ctx, staff, person)
    cards.report_card(ctx, actor=staff["clerk"], card_id=first.id, report=ReportIn(what="lost"))
    second = active(ctx, staff, other)
    register(ctx, staff, DeathDeclaration(**death(other)))
    answer = api.get("/api/cards/revocations")  # public: no sign-in
    assert answer.status_code == 200, answer.text
    body = answer.json()
    statement = body["statement"]
    assert [(e["number"], e["serial"], e["reason"]) for e in statement["entries"]] == [
        (1, first.serial, "lost"),
        (2, second.serial, "revoked"),
    ]
    assert (statement["after"], statement["through"], statement["complete"]) == (0, 2, True)
    keys = api.get("/.well-known/sabt-certificate-keys.json").json()["keys"]
    jwk = next(k for k in keys if base64.urlsafe_b64decode(k["kid"] + "==").hex() == body["kid"])
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
    signed = json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    public.verify(base64.urlsafe_b64decode(body["signature"] + "=="), signed)  # raises if not the registry's
    newer = api.get("/api/cards/revocations", params={"after": 1}).json()["statement"]
    assert [e["number"] for e in newer["entries"]] == [2]
    page = revocations.revocation_list(ctx, after=0, limit=1).statement
    assert (page["through"], page["complete"]) == (1, False)
    assert_problem(api.get("/api/cards/revocations", params={"after": -1}), 422, "request.below_minimum", "after")


def test_the_public_status_endpoint_says_only_the_status(api, ctx, staff, person):
    card = active(ctx, staff, person)
    answer = api.get(f"/api/cards/status/{card.serial}")
    assert answer.json() == {"serial": card.serial, "status": "active", "reason": None}
    never_made = compose_card_serial(999_999)
    assert api.get(f"/api/cards/status/{never_made}").json() == {
        "serial": never_made,
        "status": "unknown",
        "reason": None,
    }
    unknown = api.get(f"/api/cards/status/{card.serial[:-2]}{'8' if card.serial[-2] != '8' else '7'}{card.serial[-1]}")
    assert unknown.status_code == 422  # the check character catches a mistyped digit
    assert_problem(api.get("/api/cards/status/B0000000019"), 422, "card.serial_format", "serial")


def test_coverage_counts_the_eligible_the_holders_and_the_waiting_by_county(ctx, staff):
    holder = adult(ctx, staff, "female", year=1990)
    waiting = adult(ctx, staff, "male", year=1991)
    adult(ctx, staff, "female", year=1992)  # eligible, no card
    registered_person(ctx, staff, born=dt.date(2015, 1, 1))  # a child: not eligible
    dead = adult(ctx, staff, "male", year=1940)
    register(ctx, staff, DeathDeclaration(**death(dead)))
    issued = active(ctx, staff, holder)
    applied(ctx, staff, waiting)
    ctx.clock.current = TEST_NOW + dt.timedelta(days=10)
    rows = reports.coverage(ctx, actor=staff["auditor"])
    county, province, country = rows
    assert (county.province, county.county, province.county, country.province) == ("23", "2301", None, "")
    assert (county.eligible, county.active_cards, county.coverage_percent) == (3, 1, 33.3)
    assert (county.pending_applications, county.oldest_pending_days) == (1, 10)
    assert province.model_dump(exclude={"county"}) == county.model_dump(exclude={"county"})
    before = reports.coverage(ctx, actor=staff["auditor"], as_of=dt.date(2025, 5, 1), province="23")
    # On 1 May the man who died on 28 May was alive and eligible; nobody had applied yet.
    assert [(r.eligible, r.active_cards, r.pending_applications) for r in before] == [(4, 0, 0), (4, 0, 0)]
    assert issued.serial
    with pytest.raises(NotFound, match=r"province\.unknown"):
        reports.coverage(ctx, actor=staff["auditor"], province="99")
    with pytest.raises(Forbidden):
        reports.coverage(ctx, actor=staff["auditor"].__class__(99, "c", "citizen", None, "0012345679"))


def test_the_office_queue_shows_each_stage_with_its_age(ctx, staff, person):
    other = adult(ctx, staff, "male", year=1985)
    applied(ctx, staff, person)
    produced(ctx, staff, other)
    ctx.clock.current = TEST_NOW + dt.timedelta(days=3)
    queue = reports.office_queue(ctx, actor=staff["clerk"])
    stages = {item.stage: (item.count, item.oldest_days) for item in queue.stages}
    assert queue.office == "THR"
    assert stages == {
        "waiting_enrolment": (1, 3),
        "waiting_batch": (0, None),
        "in_production": (0, None),
        "waiting_pickup": (1, 3),
    }
    isfahan = reports.office_queue(ctx, actor=staff["isf_registrar"])
    assert {item.stage: item.count for item in isfahan.stages}["waiting_pickup"] == 0


def test_the_audit_finds_a_card_reactivated_or_moved_to_another_person_in_the_database(ctx, staff, person):
    card = active(ctx, staff, person)
    cards.report_card(ctx, actor=staff["clerk"], card_id=card.id, report=ReportIn(what="stolen"))
    assert audit(ctx).findings == []
    with behind_the_back(ctx) as connection:
        connection.execute(update(Card).where(Card.id == card.id).values(status="active", national_code="0499370899"))
    assert [(f.problem, f.record) for f in audit(ctx).findings] == [("changed", f"cards/{card.id}")]
