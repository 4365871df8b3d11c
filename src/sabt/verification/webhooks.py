"""Telling partners about registrations: the relay of the transactional outbox to their webhooks.

Delivery is at least once. The relay fans each new outbox message out to the subscriptions that want its
kind, then sends what is due: a delivery is claimed for a minute (so two relays do not send it at the same
time), POSTed, and marked delivered on a 2xx or rescheduled with exponential backoff; after the last try it
is failed and listed for the administrators. Bodies are canonical JSON signed with the registry's key
(`Sabt-Signature`), verifiable with the same published key set as certificates.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..certificates import service as certificates
from ..context import Context
from ..core.permissions import Action, Actor, authorize
from ..outbox import service as outbox
from .errors import PartnerPolicy
from .models import Delivery, Partner, Subscription
from .schemas import DeliveryOut, Policy, SubscriptionIn, SubscriptionOut
from .service import partner_by_code

MAX_ATTEMPTS = 12
FIRST_RETRY_SECONDS = 30
LONGEST_WAIT = dt.timedelta(hours=6)
CLAIM = dt.timedelta(minutes=1)
BATCH = 200


@dataclass
class RelayReport:
    fanned_out: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def subscribe(ctx: Context, *, actor: Actor | None, partner_code: str, subscription: SubscriptionIn) -> SubscriptionOut:
    if actor is not None:
        authorize(actor, Action.MANAGE_PARTNERS)
    with ctx.db.transaction() as session:
        partner = partner_by_code(session, partner_code)
        allowed = set(Policy.model_validate(partner.policy).notices)
        refused = sorted(set(subscription.kinds) - allowed)
        if refused:
            raise PartnerPolicy(field="kinds", check=f"notices of {', '.join(refused)}")
        row = Subscription(
            partner_id=partner.id,
            url=subscription.url,
            kinds=list(subscription.kinds),
            active=True,
            created_at=ctx.now(),
        )
        session.add(row)
        session.flush()
        return SubscriptionOut(id=row.id, partner=partner.code, url=row.url, kinds=row.kinds, active=True)


def relay(ctx: Context) -> RelayReport:
    report = RelayReport()
    with ctx.db.transaction() as session:
        report.fanned_out = _fan_out(session, ctx.now())
    for delivery_id, url, envelope in _claim_due(ctx):
        kid, signature = certificates.sign_statement(ctx, envelope)
        body = certificates.canonical_json(envelope)
        headers = {
            "Content-Type": "application/json",
            "Sabt-Signature": f"kid={kid},sig={signature}",
            "Sabt-Message-Id": str(envelope["id"]),
        }
        outcome = _record(ctx, delivery_id, ctx.webhooks.send(url, body, headers))
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _fan_out(session: Session, now: dt.datetime) -> int:
    messages = outbox.take_new(session, limit=BATCH * 5)
    if not messages:
        return 0
    subscriptions = session.scalars(select(Subscription).where(Subscription.active.is_(True))).all()
    for message in messages:
        for subscription in subscriptions:
            if message.kind in subscription.kinds:
                session.add(
                    Delivery(
                        message_id=message.id,
                        subscription_id=subscription.id,
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        last_error=None,
                        delivered_at=None,
                    )
                )
    return len(messages)


def _claim_due(ctx: Context) -> list[tuple[int, str, dict[str, object]]]:
    """Due deliveries, each claimed for a minute so that another relay leaves it alone meanwhile."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(Delivery, Subscription)
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
            .order_by(Delivery.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True, of=Delivery)
        ).all()
        messages = outbox.messages(session, (delivery.message_id for delivery, _ in rows))
        claimed = []
        for delivery, subscription in rows:
            message = messages[delivery.message_id]
            if not subscription.active or message.kind not in subscription.kinds:
                # Deliveries are operational rows: one the subscription (evidence) does not ask for is
                # never sent, whoever wrote it.
                delivery.status, delivery.last_error = "failed", f"not subscribed to {message.kind}"
                continue
            delivery.next_attempt_at = now + CLAIM
            envelope = {
                "id": message.id,
                "kind": message.kind,
                "payload": message.payload,
                "created_at": message.created_at.isoformat(),
            }
            claimed.append((delivery.id, subscription.url, envelope))
        return claimed


def _record(ctx: Context, delivery_id: int, error: str | None) -> str:
    now = ctx.now()
    with ctx.db.transaction() as session:
        delivery = session.get(Delivery, delivery_id, with_for_update=True)
        assert delivery is not None
        delivery.attempts += 1
        if error is None:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, None
            return "delivered"
        delivery.last_error = error
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
            return "failed"
        wait = dt.timedelta(seconds=FIRST_RETRY_SECONDS * 2 ** (delivery.attempts - 1))
        delivery.next_attempt_at = now + min(wait, LONGEST_WAIT)
        return "retrying"


def list_deliveries(ctx: Context, *, actor: Actor, status: str | None = None, limit: int = 200) -> list[DeliveryOut]:
    """Deliveries newest first, for administrators watching partners that are down."""
    authorize(actor, Action.MANAGE_PARTNERS)
    query = (
        select(Delivery, Subscription, Partner.code)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .join(Partner, Partner.id == Subscription.partner_id)
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(Delivery.status == status)
    with ctx.db.snapshot() as session:
        rows = session.execute(query).all()
        messages = outbox.messages(session, (delivery.message_id for delivery, _, _ in rows))
        return [
            DeliveryOut(
                id=d.id,
                partner=code,
                url=s.url,
                kind=messages[d.message_id].kind,
                status=d.status,
                attempts=d.attempts,
                next_attempt_at=d.next_attempt_at,
                last_error=d.last_error,
                delivered_at=d.delivered_at,
            )
            for d, s, code in rows
        ]
