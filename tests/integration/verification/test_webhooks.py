"""Notices of registrations to partners' webhooks on both databases: written in the registration's own
transaction, delivered at least once to a real HTTP receiver on localhost, signed with the published key,
retried with backoff while the partner is down, and listed for administrators."""

import base64
import json
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError
from sqlalchemy import func, insert, select

from sabt.certificates import service as certificates
from sabt.core.errors import Conflict, Forbidden
from sabt.outbox.models import OutboxMessage
from sabt.verification import service, webhooks
from sabt.verification.models import Delivery, Subscription
from sabt.verification.schemas import PartnerIn, SubscriptionIn

from ..conftest import TEST_NOW, behind_the_back
from ..receiver import Receiver
from ..registry.factories import BirthDeclaration, DeathDeclaration, adult, birth, death, register

NOTICE_POLICY = {"checks": ["verify"], "purpose": "pension stops at death", "notices": ["death.registered"]}


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def pension_fund(ctx, url):
    partner = PartnerIn.model_validate(
        {
            "code": "pension",
            "name": "صندوق بازنشستگی",
            "kind": "pension",
            "contact": "ops@example.org",
            "policy": NOTICE_POLICY,
        }
    )
    service.create_partner(ctx, actor=None, partner=partner)
    webhooks.subscribe(
        ctx, actor=None, partner_code="pension", subscription=SubscriptionIn(url=url, kinds=["death.registered"])
    )


def messages(ctx):
    with ctx.db.snapshot() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage))


def test_a_registered_death_reaches_the_subscribed_partner_signed(ctx, staff, receiver):
    pension_fund(ctx, receiver.url)
    code = adult(ctx, staff, "male")
    register(ctx, staff, DeathDeclaration(**death(code, death_date="2025-05-28")))
    report = webhooks.relay(ctx)
    assert (report.delivered, report.failed) == (1, 0)
    [(headers, body)] = receiver.received
    envelope = json.loads(body)
    assert envelope["kind"] == "death.registered"
    assert envelope["payload"] == {
        "event_id": envelope["payload"]["event_id"],
        "date": "2025-05-28",
        "national_code": code,
    }  # no names, no places
    kid, signature = (part.split("=", 1)[1] for part in headers["Sabt-Signature"].split(","))
    jwk = next(k for k in certificates.public_keys(ctx).keys if k.kid.hex() == kid)
    jwk.public.verify(base64.urlsafe_b64decode(signature + "=="), body)  # raises unless the registry signed it
    assert isinstance(jwk.public, Ed25519PublicKey)
    assert webhooks.relay(ctx).delivered == 0  # sent once
    [delivery] = webhooks.list_deliveries(ctx, actor=staff["admin"])
    assert (delivery.status, delivery.attempts, delivery.partner) == ("delivered", 1, "pension")


def test_while_the_partner_is_down_notices_wait_and_are_retried_with_backoff(ctx, staff, receiver):
    pension_fund(ctx, receiver.url)
    receiver.status = 503
    register(ctx, staff, DeathDeclaration(**death(adult(ctx, staff, "male"))))
    assert webhooks.relay(ctx).retrying == 1
    [waiting] = webhooks.list_deliveries(ctx, actor=staff["admin"], status="pending")
    assert waiting.last_error == "HTTP 503" and (waiting.next_attempt_at - ctx.now()).total_seconds() == 30
    assert webhooks.relay(ctx).retrying == 0  # not due yet
    ctx.clock.advance(seconds=31)
    assert webhooks.relay(ctx).retrying == 1
    [waiting] = webhooks.list_deliveries(ctx, actor=staff["admin"], status="pending")
    assert (waiting.attempts, (waiting.next_attempt_at - ctx.now()).total_seconds()) == (2, 60)
    receiver.status = 204
    ctx.clock.advance(seconds=61)
    assert webhooks.relay(ctx).delivered == 1
    assert len(receiver.received) == 3


def test_a_partner_that_never_answers_ends_in_the_failed_list(ctx, staff):
    pension_fund(ctx, "http://127.0.0.1:9/nobody-listens")
    register(ctx, staff, DeathDeclaration(**death(adult(ctx, staff, "male"))))
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.relay(replace(ctx, webhooks=service.HttpSender(timeout=2)))
        ctx.clock.advance(hours=7)
    [failed] = webhooks.list_deliveries(ctx, actor=staff["admin"], status="failed")
    assert failed.attempts == webhooks.MAX_ATTEMPTS and failed.last_error


def test_a_registration_that_fails_leaves_no_notice(ctx, staff):
    code = adult(ctx, staff, "male")
    register(ctx, staff, DeathDeclaration(**death(code)))
    before = messages(ctx)
    with pytest.raises(Conflict):
        register(ctx, staff, DeathDeclaration(**death(code)))
    assert messages(ctx) == before


def test_a_partner_subscribes_only_to_what_its_policy_allows(ctx, staff, receiver):
    pension_fund(ctx, receiver.url)
    with pytest.raises(Forbidden) as refused:
        webhooks.subscribe(
            ctx,
            actor=None,
            partner_code="pension",
            subscription=SubscriptionIn(url=receiver.url, kinds=["birth.registered"]),
        )
    assert refused.value.field == "kinds"
    with pytest.raises(Forbidden):
        webhooks.list_deliveries(ctx, actor=staff["registrar"])


def test_a_delivery_planted_for_a_notice_not_subscribed_to_is_never_sent(ctx, staff, receiver):
    """Deliveries are operational rows; a database writer who adds one for a birth notice to a partner that
    subscribed to deaths only still sends it nowhere."""
    pension_fund(ctx, receiver.url)
    register(ctx, staff, BirthDeclaration(**birth()))
    with behind_the_back(ctx) as connection:
        subscription = connection.scalar(select(Subscription.id))
        for message in connection.scalars(select(OutboxMessage.id).where(OutboxMessage.kind == "birth.registered")):
            connection.execute(
                insert(Delivery).values(
                    message_id=message,
                    subscription_id=subscription,
                    status="pending",
                    attempts=0,
                    next_attempt_at=TEST_NOW,
                )
            )
    assert webhooks.relay(ctx).delivered == 0
    assert receiver.received == []
    assert {delivery.status for delivery in webhooks.list_deliveries(ctx, actor=staff["admin"])} == {"failed"}


@pytest.mark.parametrize(
    "url", ["https://…", "https://a..b/hook", "https://-bank.example/", "https://bank_x.example/", "https://./"]
)
def test_a_subscription_to_an_address_no_delivery_could_reach_is_refused(url):
    with pytest.raises(ValidationError) as refused:
        SubscriptionIn(url=url, kinds=["death.registered"])
    assert refused.value.errors()[0]["type"] == "webhook.url"


@pytest.mark.parametrize("url", ["https://hooks.bank.example/sabt", "https://ایران.example/h", "http://[::1]:8080/"])
def test_a_subscription_to_a_host_name_or_an_address_is_accepted(url):
    assert SubscriptionIn(url=url, kinds=["death.registered"]).url == url
