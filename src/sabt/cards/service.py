"""Use cases for smart national cards: apply, enrol, send for production, record production, hand over,
report lost/stolen/damaged, revoke; and the revocation that follows a registered death.

Each use case is one transaction that appends a ledger leaf for every card it changes. Two unique keys on
the card row keep a person to one card on its way and one active card, whatever offices do at once.
"""

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..access.service import record_reads
from ..accounts.errors import UserOffice
from ..context import Context
from ..core.cards import (
    PENDING,
    CardStatus,
    CardStep,
    chip_id_problem,
    compose_card_serial,
    eligible_from,
    expiry_date,
    is_revocation,
    next_card_status,
)
from ..core.jalali import to_jalali
from ..core.permissions import Action, Actor, authorize, own_national_code
from ..db import take_from_counter
from ..geo.service import office_by_id
from ..registry import service as registry
from ..registry.errors import PersonDeceased
from . import status
from .errors import (
    CardActiveExists,
    CardBatchEmpty,
    CardBatchState,
    CardBatchUnknown,
    CardChipFormat,
    CardChipTaken,
    CardManifest,
    CardNoneActive,
    CardPending,
    CardReplaces,
    CardTemplate,
    CardTooYoung,
    CardTransition,
    CardUnknown,
)
from .models import Card, CardBatch, CardCounter

# Also published for other features: the offices' queues and coverage.
from .reports import coverage_on_days as coverage_on_days
from .reports import office_queue as office_queue
from .schemas import (
    ApplicationIn,
    BatchOut,
    CardOut,
    CardStatusOut,
    EnrolmentIn,
    HolderStatus,
    ProductionIn,
    ReportIn,
    RevocationIn,
)
from .status import card_out

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
REPORTS = {"lost": CardStep.REPORT_LOST, "stolen": CardStep.REPORT_STOLEN, "damaged": CardStep.REPORT_DAMAGED}


def apply_for_card(ctx: Context, *, actor: Actor, application: ApplicationIn) -> CardOut:
    """Take a person's application at the actor's office. Someone who holds an active card applies for its
    replacement (naming it); the new card replaces it when handed over."""
    authorize(actor, Action.CARD_DESK)
    code = registry.Rules.code(application.national_code, field="national_code")
    try:
        with ctx.db.transaction() as session:
            card = _new_application(session, ctx, actor, code, application.replaces)
            shown = card_out(session, card, ctx.today())
    except IntegrityError:  # another office took an application for this person a moment before
        with ctx.db.snapshot(primary=True) as session:
            _refuse_if_pending(session, code)
        raise
    return _shown(ctx, actor, shown)


def _new_application(session: Session, ctx: Context, actor: Actor, code: str, replaces: str | None) -> Card:
    person = registry.person_basics(session, code, lock=True)
    if person.died_on is not None:
        raise PersonDeceased(field="national_code", code=code)
    first_day = eligible_from(person.birth_date)
    if first_day > ctx.today():
        raise CardTooYoung(field="national_code", from_date=to_jalali(first_day))
    _refuse_if_pending(session, code)
    active = session.scalar(select(Card).where(Card.active_key == code))
    if active is not None and replaces is None:
        raise CardActiveExists(field="replaces", serial=active.serial)
    if replaces is not None and (active is None or active.serial != replaces.strip().upper()):
        raise CardReplaces(field="replaces", serial=replaces)
    if actor.office_id is None:
        raise UserOffice(field="office", role=actor.role)
    now = ctx.now()
    card = Card(
        person_id=person.id,
        national_code=code,
        county_code=person.birth_county_code,
        office_id=actor.office_id,
        status=CardStatus.APPLIED,
        pending_key=code,
        replaces_id=active.id if active else None,
        applied_at=now,
        revision=1,
        updated_at=now,
    )
    session.add(card)
    session.flush()
    return card


def _refuse_if_pending(session: Session, code: str) -> None:
    pending = session.scalar(select(Card.id).where(Card.pending_key == code))
    if pending is not None:
        raise CardPending(field="national_code", card=pending)


def enrol(ctx: Context, *, actor: Actor, card_id: int, enrolment: EnrolmentIn) -> CardOut:
    """Photo and fingerprints were captured: keep the capture's reference and the template's hash only."""
    authorize(actor, Action.ENROL_CARD)
    template = enrolment.template_sha256.strip().lower()
    if not SHA256_HEX.match(template):
        raise CardTemplate(field="template_sha256")
    with ctx.db.transaction() as session:
        card = _own_card(session, actor, card_id, Action.ENROL_CARD)
        now = ctx.now()
        _step(card, CardStep.ENROL, now)
        card.photo_ref, card.template_sha256, card.enrolled_at = enrolment.photo_ref, template, now
        shown = card_out(session, card, ctx.today())
    return _shown(ctx, actor, shown)


def send_batch(ctx: Context, *, actor: Actor, card_ids: list[int] | None) -> BatchOut:
    """Send enrolled applications of the actor's office to the card factory as one batch."""
    authorize(actor, Action.ISSUE_CARD)
    if actor.office_id is None:
        raise UserOffice(field="office", role=actor.role)
    with ctx.db.transaction() as session:
        query = select(Card).where(Card.office_id == actor.office_id, Card.status == CardStatus.ENROLLED)
        if card_ids is not None:
            query = select(Card).where(Card.id.in_(card_ids))
        cards = list(session.scalars(query.order_by(Card.id).with_for_update()))
        if card_ids is not None and len(cards) != len(set(card_ids)):
            missing = sorted(set(card_ids) - {card.id for card in cards})
            raise CardUnknown(field="card_ids", card=missing[0])
        if not cards:
            raise CardBatchEmpty(field="card_ids")
        now = ctx.now()
        batch = CardBatch(office_id=actor.office_id, size=len(cards), sent_by=actor.user_id, sent_at=now)
        session.add(batch)
        session.flush()
        for card in cards:
            authorize(actor, Action.ISSUE_CARD, office_id=card.office_id)
            _step(card, CardStep.BATCH, now)
            card.batch_id, card.sent_at = batch.id, now
        return _batch_out(session, batch, cards)


def record_production(ctx: Context, *, actor: Actor, batch_id: int, production: ProductionIn) -> BatchOut:
    """The factory made a batch: each card gets its serial, its chip's UID and its expiry date."""
    authorize(actor, Action.PRODUCE_CARDS)
    chips = {item.card_id: item.chip_id.strip().upper() for item in production.cards}
    with ctx.db.transaction() as session:
        batch = session.get(CardBatch, batch_id, with_for_update=True)
        if batch is None:
            raise CardBatchUnknown(field="batch", batch=batch_id)
        if batch.produced_at is not None:
            raise CardBatchState(field="batch", batch=batch_id)
        cards = list(session.scalars(select(Card).where(Card.batch_id == batch_id).order_by(Card.id)))
        _check_manifest(session, batch_id, cards, chips, len(production.cards))
        now = ctx.now()
        expires_on = expiry_date(ctx.today(), ctx.settings.card_valid_years)
        for card in cards:
            _step(card, CardStep.PRODUCE, now)
            number = take_from_counter(session, CardCounter, key={"name": "serial"}, column="next_number", start=1)
            card.serial, card.chip_id = compose_card_serial(number), chips[card.id]
            card.produced_at, card.expires_on = now, expires_on
        batch.produced_at, batch.produced_by = now, actor.user_id
        return _batch_out(session, batch, cards)


def _check_manifest(session: Session, batch_id: int, cards: list[Card], chips: dict[int, str], listed: int) -> None:
    if listed != len(chips) or set(chips) != {card.id for card in cards}:
        detail = f"{len(cards)} cards in the batch, {listed} listed, {len(chips)} distinct"
        raise CardManifest(field="cards", batch=batch_id, detail=detail)
    for chip_id in chips.values():
        if chip_id_problem(chip_id):
            raise CardChipFormat(field="cards.chip_id")
    if len(set(chips.values())) != len(chips):
        raise CardManifest(field="cards.chip_id", batch=batch_id, detail="a chip is listed twice")
    taken = session.scalar(select(Card.chip_id).where(Card.chip_id.in_(chips.values())))
    if taken is not None:
        raise CardChipTaken(field="cards.chip_id", chip_id=taken)


def hand_over(ctx: Context, *, actor: Actor, card_id: int) -> CardOut:
    """The holder collected the card at the office: it becomes active and replaces any earlier card."""
    authorize(actor, Action.ISSUE_CARD)
    with ctx.db.transaction() as session:
        card = _own_card(session, actor, card_id, Action.ISSUE_CARD)
        registry.person_basics(session, card.national_code, lock=True)  # queue behind a death
        now = ctx.now()
        _step(card, CardStep.ISSUE, now)
        changed = [card]
        previous = session.scalar(select(Card).where(Card.active_key == card.national_code).with_for_update())
        if previous is not None:
            _end(session, previous, CardStep.REPLACE, now, reason="replaced")
            session.flush()  # free the active key before this card takes it
            changed.insert(0, previous)
        card.issued_at, card.pending_key, card.active_key = now, None, card.national_code
        shown = card_out(session, card, ctx.today())
    return _shown(ctx, actor, shown)


def report_card(ctx: Context, *, actor: Actor, card_id: int, report: ReportIn) -> CardOut:
    """A holder reports their card lost, stolen or damaged, at any office: it is revoked at once."""
    authorize(actor, Action.CARD_DESK)
    with ctx.db.transaction() as session:
        card = _card(session, card_id, lock=True)
        _end(session, card, REPORTS[report.what], ctx.now(), reason=_reason(report.what, report.note))
        shown = card_out(session, card, ctx.today())
    return _shown(ctx, actor, shown)


def my_cards(ctx: Context, *, actor: Actor) -> list[CardOut]:
    """A citizen's own cards, oldest first."""
    code = own_national_code(actor)
    with ctx.db.snapshot() as session:
        cards = session.scalars(select(Card).where(Card.national_code == code).order_by(Card.id))
        return [card_out(session, card, ctx.today()) for card in cards]


def report_my_card(ctx: Context, *, actor: Actor, report: ReportIn) -> CardOut:
    """A citizen reports their own active card lost or stolen from home, at any hour: revoked at once."""
    code = own_national_code(actor)
    with ctx.db.transaction() as session:
        card = session.scalar(select(Card).where(Card.active_key == code).with_for_update())
        if card is None:
            raise CardNoneActive(field="card")
        _end(session, card, REPORTS[report.what], ctx.now(), reason=_reason(report.what, report.note))
        return card_out(session, card, ctx.today())


def revoke_card(ctx: Context, *, actor: Actor, card_id: int, revocation: RevocationIn) -> CardOut:
    authorize(actor, Action.REVOKE_CARD)
    with ctx.db.transaction() as session:
        card = _own_card(session, actor, card_id, Action.REVOKE_CARD)
        _end(session, card, CardStep.REVOKE, ctx.now(), reason=_reason(revocation.reason, revocation.note))
        shown = card_out(session, card, ctx.today())
    return _shown(ctx, actor, shown)


def revoke_for_death(
    _ctx: Context, session: Session, payload: Mapping[str, Any], _actor: Actor, at: dt.datetime
) -> None:
    """A registered death revokes the person's active card and any card on its way, in the same transaction."""
    code = payload["national_code"]
    live = [*PENDING, CardStatus.ACTIVE]
    cards = list(session.scalars(select(Card).where(Card.national_code == code, Card.status.in_(live))))
    for card in cards:
        _end(session, card, CardStep.REVOKE, at, reason="deceased")


def get_card(ctx: Context, *, actor: Actor, card_id: int) -> CardOut:
    authorize(actor, Action.READ)
    with ctx.db.snapshot() as session:
        card = card_out(session, _card(session, card_id), ctx.today())
    record_reads(ctx, actor, [card.national_code], "cards")
    return card


def cards_of(ctx: Context, *, actor: Actor, national_code: str) -> list[CardOut]:
    """Every card a person ever applied for, oldest first."""
    authorize(actor, Action.READ)
    code = registry.Rules.code(national_code, field="national_code")
    with ctx.db.snapshot() as session:
        registry.person_basics(session, code)
        cards = session.scalars(select(Card).where(Card.national_code == code).order_by(Card.id))
        found = [card_out(session, card, ctx.today()) for card in cards]
    record_reads(ctx, actor, [code], "cards")
    return found


def cards_at_office(ctx: Context, *, actor: Actor, status: CardStatus, limit: int = 100) -> list[CardOut]:
    """The actor's office's cards in one status, oldest first: what its desk works through."""
    authorize(actor, Action.READ_OFFICE_WORK)
    with ctx.db.snapshot() as session:
        query = select(Card).where(Card.office_id == actor.office_id, Card.status == status)
        found = [card_out(session, card, ctx.today()) for card in session.scalars(query.order_by(Card.id).limit(limit))]
    record_reads(ctx, actor, [card.national_code for card in found], "cards")
    return found


def status_of_serial(ctx: Context, *, serial: str) -> CardStatusOut:
    """Anyone may ask; the answer is the status alone (a card never handed over reads "unknown")."""
    with ctx.db.snapshot(primary=True) as session:  # a revocation must count at once, not after a replica
        return status.status_of_serial(session, serial, ctx.today())


def holder_card_status(ctx: Context, connection: Connection, *, national_code: str) -> HolderStatus:
    """A person's card for a partner whose policy allows it: active, expired, revoked or none; read on the
    partner's check's connection to the primary."""
    return status.status_of_holder(connection, national_code, ctx.today())


# --- steps ------------------------------------------------------------------------------------------------


def _step(card: Card, step: CardStep, now: dt.datetime) -> None:
    after = next_card_status(CardStatus(card.status), step)
    if after is None:
        raise CardTransition(field="card", status=card.status, step=step)
    card.status, card.revision, card.updated_at = after, card.revision + 1, now


def _end(session: Session, card: Card, step: CardStep, now: dt.datetime, *, reason: str) -> None:
    """Take a card out of use; one that exists physically goes on the revocation list."""
    before = CardStatus(card.status)
    _step(card, step, now)
    card.ended_at, card.end_reason, card.pending_key, card.active_key = now, reason, None, None
    if is_revocation(before, CardStatus(card.status)):
        card.revocation_number = take_from_counter(
            session, CardCounter, key={"name": "revocation"}, column="next_number", start=1
        )


def _reason(what: str, note: str) -> str:
    return f"{what}: {note.strip()}"[:200] if note.strip() else what


def _shown(ctx: Context, actor: Actor, card: CardOut) -> CardOut:
    """A card shown to the staff user who acted on it: a read of its holder's data."""
    record_reads(ctx, actor, [card.national_code], "cards")
    return card


def _card(session: Session, card_id: int, *, lock: bool = False) -> Card:
    card = session.get(Card, card_id, with_for_update=lock)
    if card is None:
        raise CardUnknown(field="card", card=card_id)
    return card


def _own_card(session: Session, actor: Actor, card_id: int, action: Action) -> Card:
    """A card `action` is taken on, by the office that took its application and hands it over."""
    card = _card(session, card_id, lock=True)
    authorize(actor, action, office_id=card.office_id)
    return card


def _batch_out(session: Session, batch: CardBatch, cards: list[Card]) -> BatchOut:
    return BatchOut(
        id=batch.id,
        office=office_by_id(session, batch.office_id).code,
        size=batch.size,
        card_ids=[card.id for card in cards],
        sent_at=batch.sent_at,
        produced_at=batch.produced_at,
    )
