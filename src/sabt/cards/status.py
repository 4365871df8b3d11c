"""What a card's status says: to office staff (everything), to partners and to the public (only the status)."""

import datetime as dt

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ..core.cards import CardStatus, card_serial_problem, public_reason, public_status
from ..core.serials import normalize_serial
from ..geo.service import office_by_id
from ..registry.schemas import DatePair
from .errors import SERIAL_PROBLEMS
from .models import Card
from .schemas import CardOut, CardStatusOut, HolderStatus


def parse_card_serial(text: str) -> str:
    serial = normalize_serial(text)
    problem = card_serial_problem(serial)
    if problem:
        raise SERIAL_PROBLEMS[problem](field="serial")
    return serial


def status_of_serial(session: Session, text: str, today: dt.date) -> CardStatusOut:
    """The public answer for a serial: a card never handed over, or no card at all, is "unknown"."""
    serial = parse_card_serial(text)
    card = session.scalar(select(Card).where(Card.serial == serial))
    if card is None:
        return CardStatusOut(serial=serial, status="unknown")
    return _status_out(card, today)


def status_of_holder(db: Session | Connection, national_code: str, today: dt.date) -> HolderStatus:
    """A person's card as a partner may hear of it: active or expired (the card they hold), revoked (their
    last card was taken out of use and no other handed over since), or none."""
    card = db.execute(
        select(Card.status, Card.expires_on)
        .where(Card.national_code == national_code, Card.issued_at.is_not(None))
        .order_by(Card.issued_at.desc())
        .limit(1)
    ).first()
    if card is None:
        return "none"
    status = public_status(CardStatus(card.status), card.expires_on, today)
    return "revoked" if status == "unknown" else status  # (a handed-over card is never "unknown")


def _status_out(card: Card, today: dt.date) -> CardStatusOut:
    status = public_status(CardStatus(card.status), card.expires_on, today)
    reason = public_reason(card.end_reason) if status == "revoked" else None
    return CardStatusOut(serial=card.serial or "", status=status, reason=reason)


def card_out(session: Session, card: Card, today: dt.date) -> CardOut:
    replaces = session.scalar(select(Card.serial).where(Card.id == card.replaces_id)) if card.replaces_id else None
    return CardOut(
        id=card.id,
        national_code=card.national_code,
        status=card.status,
        public_status=public_status(CardStatus(card.status), card.expires_on, today),
        serial=card.serial,
        chip_id=card.chip_id,
        office=office_by_id(session, card.office_id).code,
        batch_id=card.batch_id,
        replaces=replaces,
        applied_at=card.applied_at,
        enrolled_at=card.enrolled_at,
        sent_at=card.sent_at,
        produced_at=card.produced_at,
        issued_at=card.issued_at,
        expires_on=DatePair.of(card.expires_on) if card.expires_on else None,
        ended_at=card.ended_at,
        end_reason=card.end_reason,
    )
