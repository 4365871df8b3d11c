"""Leaving messages in the outbox, inside the caller's transaction. The outbox knows no feature: features
put messages in, and the verification feature relays them to partners' webhooks."""

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from .models import OutboxMessage


def enqueue(session: Session, *, kind: str, payload: dict[str, Any], at: dt.datetime) -> None:
    session.add(OutboxMessage(kind=kind, payload=payload, created_at=at, fanned_out=False))
