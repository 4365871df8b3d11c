"""The smart national card: its lifecycle, who may hold one, and what its status says to the world.

A card moves applied → enrolled (photo and fingerprints captured elsewhere) → in production (sent in a
batch) → ready (produced, waiting at the office) → active (handed to the holder). An active card ends as
lost, stolen, damaged, replaced (a newer card was handed over), expired or revoked; a card that was never
handed over can only be revoked. Cards are issued from age 15.
"""

import datetime as dt
from enum import StrEnum
from typing import Literal

from .identity import birthday_years_after
from .serials import compose_lettered, serial_problem

CARD_AGE = 15
SERIAL_LETTER = "N"  # then nine digits and a check character, as certificate serials


class CardStatus(StrEnum):
    APPLIED = "applied"
    ENROLLED = "enrolled"
    IN_PRODUCTION = "in_production"
    READY = "ready"
    ACTIVE = "active"
    LOST = "lost"
    STOLEN = "stolen"
    DAMAGED = "damaged"
    REPLACED = "replaced"
    REVOKED = "revoked"


class CardStep(StrEnum):
    ENROL = "enrol"
    BATCH = "batch"
    PRODUCE = "produce"
    ISSUE = "issue"
    REPORT_LOST = "report_lost"
    REPORT_STOLEN = "report_stolen"
    REPORT_DAMAGED = "report_damaged"
    REPLACE = "replace"
    REVOKE = "revoke"


# Still on its way to the holder: at most one such card per person.
PENDING = frozenset({CardStatus.APPLIED, CardStatus.ENROLLED, CardStatus.IN_PRODUCTION, CardStatus.READY})
_REPORTS = {
    CardStep.REPORT_LOST: CardStatus.LOST,
    CardStep.REPORT_STOLEN: CardStatus.STOLEN,
    CardStep.REPORT_DAMAGED: CardStatus.DAMAGED,
}

TRANSITIONS: dict[tuple[CardStatus, CardStep], CardStatus] = {
    (CardStatus.APPLIED, CardStep.ENROL): CardStatus.ENROLLED,
    (CardStatus.ENROLLED, CardStep.BATCH): CardStatus.IN_PRODUCTION,
    (CardStatus.IN_PRODUCTION, CardStep.PRODUCE): CardStatus.READY,
    (CardStatus.READY, CardStep.ISSUE): CardStatus.ACTIVE,
    (CardStatus.ACTIVE, CardStep.REPLACE): CardStatus.REPLACED,
    **{(CardStatus.ACTIVE, step): status for step, status in _REPORTS.items()},
    # A produced card lost or stolen before the hand-over exists physically: it is reported like an active one.
    (CardStatus.READY, CardStep.REPORT_LOST): CardStatus.LOST,
    (CardStatus.READY, CardStep.REPORT_STOLEN): CardStatus.STOLEN,
    **{(status, CardStep.REVOKE): CardStatus.REVOKED for status in (*PENDING, CardStatus.ACTIVE)},
}


def next_card_status(current: CardStatus, step: CardStep) -> CardStatus | None:
    """The status after `step`, or None when the lifecycle does not allow it from `current`."""
    return TRANSITIONS.get((current, step))


def is_revocation(before: CardStatus, after: CardStatus) -> bool:
    """A card that physically exists (produced) and stops being good: it goes on the revocation list.
    Expiry does not need to: the date is printed on the card and kept in its chip."""
    return before in {CardStatus.READY, CardStatus.ACTIVE} and after != CardStatus.ACTIVE


def eligible_from(born: dt.date) -> dt.date:
    """The first day someone born on `born` may apply for a card."""
    return birthday_years_after(born, CARD_AGE)


def expiry_date(produced_on: dt.date, valid_years: int) -> dt.date:
    return birthday_years_after(produced_on, valid_years)


def public_status(
    status: CardStatus, expires_on: dt.date | None, today: dt.date
) -> Literal["active", "expired", "revoked", "unknown"]:
    """What the world may know of a card: active, expired, revoked, or unknown (never handed over)."""
    if status == CardStatus.ACTIVE:
        return "expired" if expires_on is not None and expires_on <= today else "active"
    if status in PENDING:
        return "unknown"
    return "revoked"


def public_reason(end_reason: str | None) -> str:
    """Why a card is out of use, as the public may read it: what happened to the card (lost, stolen,
    damaged, replaced), never what happened to its holder (a death, a fraud case): those read "revoked"."""
    what = (end_reason or "").split(":")[0]
    return what if what in {"lost", "stolen", "damaged", "replaced"} else "revoked"


def compose_card_serial(number: int) -> str:
    return compose_lettered(SERIAL_LETTER, number)


def card_serial_problem(serial: str) -> str | None:
    """None for a well-formed card serial, else "format" or "check" (the check character is wrong)."""
    return serial_problem(serial, letters=(SERIAL_LETTER,))


def chip_id_problem(chip_id: str) -> str | None:
    """An ISO/IEC 14443 chip UID: 4, 7 or 10 bytes, written as upper-case hex."""
    if len(chip_id) not in (8, 14, 20) or any(char not in "0123456789ABCDEF" for char in chip_id):
        return "format"
    return None
