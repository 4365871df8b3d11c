"""Vital events and their workflow (who may take each step is in `permissions`).

Every event moves declared → validated → registered, or is rejected with a reason and can be
re-submitted (→ declared again). A late declaration needs the office head's approval before it can be
registered.
"""

from enum import StrEnum

from .permissions import Action


class EventKind(StrEnum):
    BIRTH = "birth"
    DEATH = "death"
    MARRIAGE = "marriage"
    DIVORCE = "divorce"


class EventStatus(StrEnum):
    DECLARED = "declared"
    VALIDATED = "validated"
    REGISTERED = "registered"
    REJECTED = "rejected"


TRANSITIONS: dict[tuple[EventStatus, Action], EventStatus] = {
    (EventStatus.DECLARED, Action.VALIDATE): EventStatus.VALIDATED,
    (EventStatus.VALIDATED, Action.REGISTER): EventStatus.REGISTERED,
    (EventStatus.DECLARED, Action.REJECT): EventStatus.REJECTED,
    (EventStatus.VALIDATED, Action.REJECT): EventStatus.REJECTED,
    (EventStatus.REJECTED, Action.RESUBMIT): EventStatus.DECLARED,
}

# Late approval is not a state change: it may be given while the event waits at either early step.
LATE_APPROVAL_STATES = frozenset({EventStatus.DECLARED, EventStatus.VALIDATED})


def next_status(current: EventStatus, action: Action) -> EventStatus | None:
    """The status after `action`, or None when the workflow does not allow it from `current`."""
    return TRANSITIONS.get((current, action))
