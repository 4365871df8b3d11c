"""Vital events, their workflow, and who may do what.

Every event moves declared → validated → registered, or is rejected with a reason and can be
re-submitted (→ declared again). A late declaration needs the office head's approval before it can be
registered. Roles follow the organization: clerks declare; registrars validate and register; office heads
also approve late registrations and corrections; national administrators manage users and offices;
auditors only read; investigators review suspected duplicates and frauds.
"""

from dataclasses import dataclass
from enum import StrEnum

from .errors import Forbidden


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


class Role(StrEnum):
    CLERK = "clerk"
    REGISTRAR = "registrar"
    OFFICE_HEAD = "office_head"
    NATIONAL_ADMIN = "national_admin"
    AUDITOR = "auditor"
    INVESTIGATOR = "investigator"  # reviews suspected duplicates and frauds
    CITIZEN = "citizen"


class Action(StrEnum):
    READ = "read"
    DECLARE = "declare"
    RESUBMIT = "resubmit"
    VALIDATE = "validate"
    REGISTER = "register"
    REJECT = "reject"
    APPROVE_LATE = "approve_late"
    CORRECT = "correct"
    MANAGE_USERS = "manage_users"
    MANAGE_OFFICES = "manage_offices"
    ISSUE_CERTIFICATE = "issue_certificate"
    PRINT_CERTIFICATE = "print_certificate"
    REVOKE_CERTIFICATE = "revoke_certificate"
    READ_FORGERIES = "read_forgeries"
    MANAGE_PARTNERS = "manage_partners"
    ENROL_CITIZEN = "enrol_citizen"
    OWN_RECORD = "own_record"
    CARD_DESK = "card_desk"  # take card applications, enrol, take reports of lost or stolen cards
    ISSUE_CARD = "issue_card"  # send enrolled applications for production, hand cards over
    REVOKE_CARD = "revoke_card"
    PRODUCE_CARDS = "produce_cards"  # record what the card factory produced
    INVESTIGATE = "investigate"  # read the review queue and decide its cases
    RUN_LINKAGE = "run_linkage"  # run duplicate detection over the registry, train its model


_OFFICE_WORK = {Action.READ, Action.DECLARE, Action.RESUBMIT, Action.PRINT_CERTIFICATE, Action.CARD_DESK}
_REGISTRAR_WORK = _OFFICE_WORK | {
    Action.VALIDATE, Action.REGISTER, Action.REJECT, Action.ISSUE_CERTIFICATE, Action.ENROL_CITIZEN,
    Action.ISSUE_CARD,
}  # fmt: skip
_HEAD_WORK = {
    Action.APPROVE_LATE, Action.CORRECT, Action.REVOKE_CERTIFICATE, Action.READ_FORGERIES, Action.REVOKE_CARD,
}  # fmt: skip

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CLERK: frozenset(_OFFICE_WORK),
    Role.REGISTRAR: frozenset(_REGISTRAR_WORK),
    Role.OFFICE_HEAD: frozenset(_REGISTRAR_WORK | _HEAD_WORK),
    Role.NATIONAL_ADMIN: frozenset(
        {
            Action.READ,
            Action.MANAGE_USERS,
            Action.MANAGE_OFFICES,
            Action.READ_FORGERIES,
            Action.MANAGE_PARTNERS,
            Action.PRODUCE_CARDS,
            Action.RUN_LINKAGE,
        }
    ),
    Role.AUDITOR: frozenset({Action.READ, Action.READ_FORGERIES}),
    Role.INVESTIGATOR: frozenset({Action.READ, Action.READ_FORGERIES, Action.INVESTIGATE, Action.RUN_LINKAGE}),
    # A citizen sees and controls only their own record: who checked it, and its lock.
    Role.CITIZEN: frozenset({Action.OWN_RECORD}),
}

# Roles whose work belongs to one office; the others act nationally.
OFFICE_ROLES = frozenset({Role.CLERK, Role.REGISTRAR, Role.OFFICE_HEAD})

TRANSITIONS: dict[tuple[EventStatus, Action], EventStatus] = {
    (EventStatus.DECLARED, Action.VALIDATE): EventStatus.VALIDATED,
    (EventStatus.VALIDATED, Action.REGISTER): EventStatus.REGISTERED,
    (EventStatus.DECLARED, Action.REJECT): EventStatus.REJECTED,
    (EventStatus.VALIDATED, Action.REJECT): EventStatus.REJECTED,
    (EventStatus.REJECTED, Action.RESUBMIT): EventStatus.DECLARED,
}

# Late approval is not a state change: it may be given while the event waits at either early step.
LATE_APPROVAL_STATES = frozenset({EventStatus.DECLARED, EventStatus.VALIDATED})


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or an operator at the command line acting as a user."""

    user_id: int
    username: str
    role: Role
    office_id: int | None
    national_code: str | None = None  # a citizen's own code

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]


def next_status(current: EventStatus, action: Action) -> EventStatus | None:
    """The status after `action`, or None when the workflow does not allow it from `current`."""
    return TRANSITIONS.get((current, action))


def authorize(actor: Actor, action: Action, *, office_id: int | None = None) -> None:
    """Raise Forbidden unless `actor` may do `action` (on a record of `office_id`, when given)."""
    if not actor.may(action):
        raise Forbidden("role.forbidden", role=actor.role, action=action)
    if office_id is not None and actor.role in OFFICE_ROLES and actor.office_id != office_id:
        raise Forbidden("office.forbidden")


def own_national_code(actor: Actor) -> str:
    """The national code of a citizen acting on their own record; Forbidden for anyone else."""
    authorize(actor, Action.OWN_RECORD)
    if actor.national_code is None:
        raise Forbidden("citizen.only")
    return actor.national_code
