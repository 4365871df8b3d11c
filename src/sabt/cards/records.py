"""Cards as the ledger commits to them and as the audit reads them back."""

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.workflow import Actor
from ..ledger.service import Change, append
from .models import Card

RECORD_TYPE = "card"


def card_content(card: Card) -> dict[str, Any]:
    """What a card's leaf binds: its status and everything that identifies the physical card and its holder."""
    return {"national_code": card.national_code, "status": card.status, "office": card.office_id,
            "serial": card.serial, "chip_id": card.chip_id, "template_sha256": card.template_sha256,
            "photo_ref": card.photo_ref, "batch": card.batch_id, "replaces": card.replaces_id,
            "expires_on": card.expires_on.isoformat() if card.expires_on else None, "end_reason": card.end_reason,
            "revocation_number": card.revocation_number}  # fmt: skip


def log_cards(session: Session, cards: list[Card], step: str, actor: Actor | None) -> None:
    """One leaf per card changed by a step, in the caller's transaction."""
    if not cards:
        return
    at = cards[0].updated_at
    changes = [Change(f"card.{step}", RECORD_TYPE, str(card.id), card.revision, actor.user_id if actor else None,
                      card_content(card)) for card in cards]  # fmt: skip
    append(session, changes, at=at)


class CardRecords:
    record_type = RECORD_TYPE

    def current(self, session: Session) -> Iterator[tuple[str, dict[str, Any]]]:
        for card in session.scalars(select(Card).execution_options(yield_per=10_000)):
            yield str(card.id), card_content(card)
