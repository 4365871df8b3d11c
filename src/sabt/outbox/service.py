"""Leaving messages in the outbox, inside the caller's transaction, and taking them out to send. The outbox
knows no feature: features put messages in, and the verification feature relays them to partners' webhooks."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import OutboxMessage


@dataclass(frozen=True)
class Message:
    id: int
    kind: str  # e.g. death.registered
    payload: dict[str, Any]
    created_at: dt.datetime


def enqueue(session: Session, *, kind: str, payload: dict[str, Any], at: dt.datetime) -> None:
    session.add(OutboxMessage(kind=kind, payload=payload, created_at=at, fanned_out=False))


def take_new(session: Session, *, limit: int) -> list[Message]:
    """The oldest messages not yet fanned out, marked as fanned out in the caller's transaction; a message
    another relay is taking just now is left to it."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.fanned_out.is_(False))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.fanned_out = True
    return [_message(row) for row in rows]


def messages(session: Session, ids: Iterable[int]) -> dict[int, Message]:
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(set(ids))))
    return {row.id: _message(row) for row in rows}


def _message(row: OutboxMessage) -> Message:
    return Message(id=row.id, kind=row.kind, payload=row.payload, created_at=row.created_at)


def backlog(session: Session) -> int:
    """Messages left in the outbox that no relay has taken yet."""
    waiting = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.fanned_out.is_(False))
    return session.scalar(waiting) or 0
