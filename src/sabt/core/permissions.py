"""Who may do what, and on which office's records: one table, used by the API, the pages and the command
line alike (each reaches it through the use cases, which call `authorize`).

Roles follow the organization: clerks declare; registrars validate and register; office heads also approve
late registrations and corrections; national administrators manage users, offices and partners; auditors
only read; investigators review suspected duplicates and frauds; a citizen sees their own record.

Each action has a scope. A citizen may ask any office for some services (a duplicate certificate, a card
application, an account): those are open to every office. What changes a record that one office keeps
(its events, corrections, revocations, approvals) is for that office only. What concerns the whole
registry (users, offices, partners, linkage, card production) is for national roles only.
"""

from dataclasses import dataclass
from enum import StrEnum

from .errors import AuthStepUp, CitizenOnly, OfficeForbidden, RoleForbidden


class Role(StrEnum):
    CLERK = "clerk"
    REGISTRAR = "registrar"
    OFFICE_HEAD = "office_head"
    NATIONAL_ADMIN = "national_admin"
    AUDITOR = "auditor"
    INVESTIGATOR = "investigator"  # reviews suspected duplicates and frauds
    CITIZEN = "citizen"


class Action(StrEnum):
    READ = "read"  # a person's record, a certificate, a card
    READ_OFFICE_WORK = "read_office_work"  # an office's declarations and queues
    READ_CAUSE_OF_DEATH = "read_cause_of_death"  # the medical certificate in a death declaration
    READ_OFFICE_DASHBOARD = "read_office_dashboard"  # an office's figures, with the work of each of its staff
    DECLARE = "declare"
    RESUBMIT = "resubmit"
    ASSIGN = "assign"  # take a pending event of the office as one's own work, or hand it back
    VALIDATE = "validate"
    REGISTER = "register"
    REJECT = "reject"
    APPROVE_LATE = "approve_late"
    CORRECT = "correct"
    MANAGE_USERS = "manage_users"  # add accounts, lift their locks, end their sessions
    READ_ACCOUNTS = "read_accounts"  # the users, their sessions, sign-ins and lock-outs
    MANAGE_OFFICES = "manage_offices"
    ISSUE_CERTIFICATE = "issue_certificate"
    PRINT_CERTIFICATE = "print_certificate"
    REVOKE_CERTIFICATE = "revoke_certificate"
    READ_FORGERIES = "read_forgeries"
    MANAGE_PARTNERS = "manage_partners"
    ENROL_CITIZEN = "enrol_citizen"
    OWN_RECORD = "own_record"
    CARD_DESK = "card_desk"  # take card applications and reports of lost or stolen cards
    ENROL_CARD = "enrol_card"  # capture the photo and fingerprints of an application the office took
    ISSUE_CARD = "issue_card"  # send enrolled applications for production, hand cards over
    REVOKE_CARD = "revoke_card"
    PRODUCE_CARDS = "produce_cards"  # record what the card factory produced
    INVESTIGATE = "investigate"  # read the review queue and decide its cases
    RUN_LINKAGE = "run_linkage"  # run duplicate detection over the registry, train its model
    READ_ACCESS_LOG = "read_access_log"  # who read whose record, and the report of unusual access


class Scope(StrEnum):
    ANY_OFFICE = "any_office"  # any office, on any record: a service a citizen may ask for anywhere
    HOLDING_OFFICE = "holding_office"  # an office role only on a record its own office holds
    NATIONAL = "national"  # national roles only
    OWN_RECORD = "own_record"  # a citizen, on their own record


@dataclass(frozen=True)
class Permission:
    roles: frozenset[Role]
    scope: Scope
    # Asks for the second factor again when the last one is older than the step-up window.
    step_up: bool = False


OFFICE_ROLES = frozenset({Role.CLERK, Role.REGISTRAR, Role.OFFICE_HEAD})
STAFF_ROLES = frozenset(Role) - {Role.CITIZEN}
_REGISTRARS = frozenset({Role.REGISTRAR, Role.OFFICE_HEAD})
_HEAD = frozenset({Role.OFFICE_HEAD})
_ADMIN = frozenset({Role.NATIONAL_ADMIN})

PERMISSIONS: dict[Action, Permission] = {
    # Reading is open to all staff everywhere, and every read of a person is in the access log.
    Action.READ: Permission(STAFF_ROLES, Scope.ANY_OFFICE),
    Action.READ_OFFICE_WORK: Permission(STAFF_ROLES, Scope.HOLDING_OFFICE),
    # Causes of death are health data: for the office staff who take and register the declaration only. The
    # national roles oversee the work without them; statistics count them without naming anyone.
    Action.READ_CAUSE_OF_DEATH: Permission(OFFICE_ROLES, Scope.HOLDING_OFFICE),
    # How much each registrar did is the office head's to see, and the national roles' who oversee offices.
    Action.READ_OFFICE_DASHBOARD: Permission(_HEAD | {Role.NATIONAL_ADMIN, Role.AUDITOR}, Scope.HOLDING_OFFICE),
    Action.DECLARE: Permission(OFFICE_ROLES, Scope.HOLDING_OFFICE),
    Action.RESUBMIT: Permission(OFFICE_ROLES, Scope.HOLDING_OFFICE),
    Action.ASSIGN: Permission(OFFICE_ROLES, Scope.HOLDING_OFFICE),
    Action.VALIDATE: Permission(_REGISTRARS, Scope.HOLDING_OFFICE),
    Action.REGISTER: Permission(_REGISTRARS, Scope.HOLDING_OFFICE),
    Action.REJECT: Permission(_REGISTRARS, Scope.HOLDING_OFFICE),
    Action.APPROVE_LATE: Permission(_HEAD, Scope.HOLDING_OFFICE),
    Action.CORRECT: Permission(_HEAD, Scope.HOLDING_OFFICE, step_up=True),
    Action.ISSUE_CERTIFICATE: Permission(_REGISTRARS, Scope.ANY_OFFICE),
    Action.PRINT_CERTIFICATE: Permission(OFFICE_ROLES, Scope.ANY_OFFICE),
    Action.REVOKE_CERTIFICATE: Permission(_HEAD, Scope.HOLDING_OFFICE, step_up=True),
    Action.ENROL_CITIZEN: Permission(_REGISTRARS, Scope.ANY_OFFICE),
    Action.CARD_DESK: Permission(OFFICE_ROLES, Scope.ANY_OFFICE),
    Action.ENROL_CARD: Permission(OFFICE_ROLES, Scope.HOLDING_OFFICE),
    Action.ISSUE_CARD: Permission(_REGISTRARS, Scope.HOLDING_OFFICE),
    Action.REVOKE_CARD: Permission(_HEAD, Scope.HOLDING_OFFICE, step_up=True),
    # Counts of suspected forgeries by province: no person in them.
    Action.READ_FORGERIES: Permission(
        frozenset({Role.OFFICE_HEAD, Role.NATIONAL_ADMIN, Role.AUDITOR, Role.INVESTIGATOR}), Scope.ANY_OFFICE
    ),
    Action.MANAGE_USERS: Permission(_ADMIN, Scope.NATIONAL, step_up=True),
    Action.READ_ACCOUNTS: Permission(frozenset({Role.NATIONAL_ADMIN, Role.AUDITOR}), Scope.NATIONAL),
    Action.MANAGE_OFFICES: Permission(_ADMIN, Scope.NATIONAL, step_up=True),
    Action.MANAGE_PARTNERS: Permission(_ADMIN, Scope.NATIONAL, step_up=True),
    Action.PRODUCE_CARDS: Permission(_ADMIN, Scope.NATIONAL),
    Action.INVESTIGATE: Permission(frozenset({Role.INVESTIGATOR}), Scope.NATIONAL),
    Action.RUN_LINKAGE: Permission(frozenset({Role.NATIONAL_ADMIN, Role.INVESTIGATOR}), Scope.NATIONAL),
    Action.READ_ACCESS_LOG: Permission(frozenset({Role.NATIONAL_ADMIN, Role.AUDITOR}), Scope.NATIONAL),
    # A citizen sees and controls only their own record: who read or checked it, and its lock.
    Action.OWN_RECORD: Permission(frozenset({Role.CITIZEN}), Scope.OWN_RECORD),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or an operator at the command line acting as a user.

    `factor` is the second factor the session was opened with ("totp", "webauthn", "recovery"; "console" for
    an operator at the server's command line; None for a password alone, which only the demo allows), and
    `stepped_up` whether it was given within the step-up window, which the caller decides with the clock."""

    user_id: int
    username: str
    role: Role
    office_id: int | None
    national_code: str | None = None  # a citizen's own code
    factor: str | None = None
    stepped_up: bool = False

    def may(self, action: Action) -> bool:
        return self.role in PERMISSIONS[action].roles


def authorize(
    actor: Actor, action: Action, *, office_id: int | None = None, held_by: frozenset[int] | None = None
) -> None:
    """Raise unless `actor` may do `action`. Before its record is read, the role alone is checked; on the
    record, name the office that holds it (`office_id`) or, for a person's record, the offices that do
    (`held_by`, empty when none does). Where the action's scope is the holding office, an office role must
    be of one of them: a record no office holds is for national roles only."""
    permission = PERMISSIONS[action]
    if actor.role not in permission.roles:
        raise RoleForbidden(role=actor.role, action=action)
    holders = held_by if held_by is not None else frozenset({office_id}) if office_id is not None else None
    on_another_office = holders is not None and actor.office_id not in holders
    if permission.scope == Scope.HOLDING_OFFICE and actor.role in OFFICE_ROLES and on_another_office:
        raise OfficeForbidden(action=action)
    if permission.step_up and not actor.stepped_up:
        raise AuthStepUp(action=action)


def own_national_code(actor: Actor) -> str:
    """The national code of a citizen acting on their own record; Forbidden for anyone else."""
    authorize(actor, Action.OWN_RECORD)
    if actor.national_code is None:
        raise CitizenOnly()
    return actor.national_code
