"""Use cases for partner agencies and citizens: partners and their keys, yes/no identity checks, eKYC with
consent, the citizen's lock, and the access log that citizens read.

Partners get the least data that serves: a yes/no per field they sent, alive/deceased only where their
policy says so, attributes only with a consent reference and only those their policy lists. Every
question is logged (partner, key, time, purpose, result) before it is answered.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, select, true
from sqlalchemy.orm import Session

from ..accounts import service as accounts
from ..accounts.schemas import UserIn, UserOut
from ..batched_writes import BatchedWriter
from ..cards import service as cards
from ..certificates import service as certificates
from ..clock import local_day
from ..context import Context
from ..core.errors import refusal
from ..core.identity import partner_token, same_name
from ..core.jalali import DateProblem, parse_date
from ..core.national_code import national_code_problem, normalize_national_code
from ..core.permissions import Action, Actor, Role, authorize, own_national_code
from ..keys import local_secret
from ..metrics import IDENTITY_CHECKS
from ..outbox import service as outbox
from ..registry import service as registry
from ..registry.schemas import DatePair, IdentityFacts, PersonOut
from .errors import IdentityNothing, PartnerExists, PartnerKeyRefused, PartnerKeyUnknown, PartnerPolicy, PartnerUnknown
from .models import CodeLock, Delivery, IdentityCheck, Partner, PartnerKey
from .ratelimit import RateLimiter as RateLimiter
from .schemas import (
    CheckOut,
    CitizenIn,
    EkycAnswer,
    EkycQuery,
    IdentityAnswer,
    IdentityQuery,
    KeyOut,
    LockOut,
    PartnerIn,
    PartnerOut,
    Policy,
)
from .senders import HttpSender as HttpSender
from .senders import RecordingSender as RecordingSender

KEY_PREFIX = "sabt"


ACCESS_LOG_LINGER = 0.001


def access_log(ctx: Context) -> BatchedWriter:
    """The server's access log: every check committed, in batches, before its answer leaves. Each check
    waits up to a millisecond longer for its commit, so that under load one commit serves several checks
    (`python -m bench verify`: a commit per check cost more than the check's reads)."""
    return BatchedWriter(ctx, IdentityCheck, linger=ACCESS_LOG_LINGER)


@dataclass(frozen=True)
class PartnerCaller:
    """A partner authenticated by one of its API keys."""

    partner_id: int
    code: str
    policy: Policy
    rate_per_minute: int
    key_prefix: str


# --- partners and keys (national administrators) -----------------------------------------------------


def create_partner(ctx: Context, *, actor: Actor | None, partner: PartnerIn) -> PartnerOut:
    if actor is not None:
        authorize(actor, Action.MANAGE_PARTNERS)
    with ctx.db.transaction() as session:
        if session.scalar(select(Partner.id).where(Partner.code == partner.code)) is not None:
            raise PartnerExists(field="code", code=partner.code)
        row = Partner(
            code=partner.code,
            name=partner.name,
            kind=partner.kind,
            contact=partner.contact,
            policy=partner.policy.model_dump(),
            rate_per_minute=partner.rate_per_minute,
            active=True,
            created_at=ctx.now(),
        )
        session.add(row)
        session.flush()
        return _partner_out(session, row)


def list_partners(ctx: Context, *, actor: Actor) -> list[PartnerOut]:
    authorize(actor, Action.MANAGE_PARTNERS)
    with ctx.db.snapshot() as session:
        return [_partner_out(session, row) for row in session.scalars(select(Partner).order_by(Partner.code))]


def create_key(ctx: Context, *, actor: Actor | None, partner_code: str) -> KeyOut:
    """A new API key for a partner, shown once: `sabt_<prefix>_<secret>`; only SHA-256(secret) is kept."""
    if actor is not None:
        authorize(actor, Action.MANAGE_PARTNERS)
    with ctx.db.transaction() as session:
        partner = partner_by_code(session, partner_code)
        prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        row = PartnerKey(
            partner_id=partner.id, prefix=prefix, secret_hash=_digest(secret), created_at=ctx.now(), revoked_at=None
        )
        session.add(row)
        session.flush()
        return KeyOut(
            partner=partner.code, prefix=prefix, api_key=f"{KEY_PREFIX}_{prefix}_{secret}", created_at=row.created_at
        )


def revoke_key(ctx: Context, *, actor: Actor | None, prefix: str) -> KeyOut:
    if actor is not None:
        authorize(actor, Action.MANAGE_PARTNERS)
    with ctx.db.transaction() as session:
        row = session.scalar(select(PartnerKey).where(PartnerKey.prefix == prefix))
        if row is None:
            raise PartnerKeyUnknown(field="prefix", prefix=prefix)
        if row.revoked_at is None:
            row.revoked_at = ctx.now()
        partner = session.get(Partner, row.partner_id)
        assert partner is not None  # the foreign key
        return KeyOut(partner=partner.code, prefix=prefix, created_at=row.created_at, revoked_at=row.revoked_at)


_KEYS, _PARTNERS, _LOCKS = PartnerKey.__table__.c, Partner.__table__.c, CodeLock.__table__.c
_FACTS = registry.IDENTITY_FACTS
# Built once: every partner request runs it. The key, its partner, whether the code asked about is locked
# and the facts of whoever has it, in one indexed statement on the primary, so that a revocation and a lock
# take effect at once. The facts are read before the key is judged, but leave only with a valid key's answer.
_CHECK = (
    select(
        _KEYS.secret_hash,
        _KEYS.revoked_at,
        _PARTNERS.active,
        _PARTNERS.id,
        _PARTNERS.code,
        _PARTNERS.policy,
        _PARTNERS.rate_per_minute,
        exists().where(_LOCKS.national_code == bindparam("code")).label("locked"),
        *_FACTS.c,
    )
    .join_from(PartnerKey.__table__, Partner.__table__, _PARTNERS.id == _KEYS.partner_id)
    .outerjoin(_FACTS, true())
    .where(_KEYS.prefix == bindparam("prefix"))
)


def _key_parts(api_key: str | None) -> tuple[str, str]:
    parts = (api_key or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise PartnerKeyRefused()
    return parts[1], parts[2]


@dataclass(frozen=True)
class _Admitted:
    caller: PartnerCaller
    locked: bool
    person: IdentityFacts | None  # of whoever has the code; None when nobody does


def _admitted(connection: Connection, api_key: str | None, code: str, limiter: RateLimiter) -> _Admitted:
    """The calling partner, admitted by its rate limit (429 with Retry-After beyond it), whether `code` is
    locked, and the facts of its holder: one read for all, as every check needs them. Fails closed on a
    malformed, unknown, wrong, revoked or inactive key."""
    prefix, secret = _key_parts(api_key)
    row = connection.execute(_CHECK, {"prefix": prefix, "code": code}).first()
    if row is None:
        raise PartnerKeyRefused()
    caller = _caller(row, prefix, secret, limiter)
    return _Admitted(caller, bool(row.locked), registry.identity_facts_in(row))


def _caller(row: Any, prefix: str, secret: str, limiter: RateLimiter) -> PartnerCaller:
    """The partner a key's row names, if the secret is its own and neither key nor partner is ended; then
    admitted by its rate limit (429 with Retry-After beyond it)."""
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(secret)):
        raise PartnerKeyRefused()
    if row.revoked_at is not None or not row.active:
        raise PartnerKeyRefused()
    caller = PartnerCaller(row.id, row.code, Policy.model_validate(row.policy), row.rate_per_minute, prefix)
    limiter.admit(caller.code, caller.rate_per_minute)
    return caller


def partner_for_key(ctx: Context, api_key: str | None, *, limiter: RateLimiter) -> PartnerCaller:
    """The partner holding this key, admitted by its rate limit: for a partner's calls other than the
    checks (a facility's notifications). Fails closed as the checks do."""
    prefix, secret = _key_parts(api_key)
    columns = (_KEYS.secret_hash, _KEYS.revoked_at, _PARTNERS.active, _PARTNERS.id, _PARTNERS.code)
    query = (
        select(*columns, _PARTNERS.policy, _PARTNERS.rate_per_minute)
        .join_from(PartnerKey.__table__, Partner.__table__, _PARTNERS.id == _KEYS.partner_id)
        .where(_KEYS.prefix == prefix)
    )
    with ctx.db.snapshot(primary=True) as session:
        row = session.execute(query).first()
    return _caller(row, prefix, secret, limiter)


# --- checks (partners) ---------------------------------------------------------------------------------


LogEntry = dict[str, Any]  # an access-log row, to be committed before its answer leaves


def verify_identity(
    ctx: Context, connection: Connection, *, api_key: str | None, query: IdentityQuery, limiter: RateLimiter
) -> tuple[IdentityAnswer, LogEntry]:
    """Yes/no per field the partner sent, compared after Persian normalization; nothing else leaves. Reads on
    `connection` (to the primary: a revocation or a lock counts at once). Returns the answer with its
    access-log entry: the caller commits the entry before the answer leaves."""
    code = normalize_national_code(query.national_code)
    admitted = _admitted(connection, api_key, code, limiter)
    caller, locked = admitted.caller, admitted.locked
    if "verify" not in caller.policy.checks:
        raise PartnerPolicy(check="yes/no verification")
    code = _code(code)
    claimed_birth = _date(query.birth_date) if query.birth_date else None
    if not any((query.first_name, query.last_name, claimed_birth, query.father_name)):
        raise IdentityNothing(field="first_name")
    now = ctx.now()
    if locked:
        answer = IdentityAnswer(status="locked", fields={}, checked_at=now)
        return answer, _check_entry(caller, code, "verify", query.purpose, None, "locked", now)
    person = admitted.person
    fields = _compare(query, claimed_birth, person)
    matched = person is not None and all(fields.values())
    card_status = caller.policy.card_status and matched
    # A no_match says nothing more: not which field differed, not alive or deceased. Either would tell a
    # partner whether someone holds the code.
    answer = IdentityAnswer(
        status="match" if matched else "no_match",
        fields=fields if matched else {},
        alive=person.died_on is None if matched and person is not None and caller.policy.alive_status else None,
        card_status=cards.holder_card_status(ctx, connection, national_code=code) if card_status else None,
        partner_token=partner_token(_token_secret(ctx), caller.code, code) if matched else None,
        checked_at=now,
    )
    return answer, _check_entry(caller, code, "verify", query.purpose, None, answer.status, now)


def _compare(query: IdentityQuery, birth: dt.date | None, person: IdentityFacts | None) -> dict[str, bool]:
    recorded: dict[str, tuple[Any, Any]] = {
        "first_name": (query.first_name, person.first_name if person else None),
        "last_name": (query.last_name, person.last_name if person else None),
        "father_name": (query.father_name, person.father_first_name if person else None),
    }
    fields = {
        name: person is not None and same_name(claimed, value) for name, (claimed, value) in recorded.items() if claimed
    }
    if birth is not None:
        fields["birth_date"] = person is not None and person.birth_date == birth
    return fields


def ekyc(ctx: Context, *, api_key: str | None, query: EkycQuery, limiter: RateLimiter) -> tuple[EkycAnswer, LogEntry]:
    """The attributes the partner's policy lists, with the citizen's consent reference, in a statement
    signed by the registry so that the partner can prove what it received. Returns the answer with its
    access-log entry, as `verify_identity`."""
    code = normalize_national_code(query.national_code)
    with ctx.db.latest() as connection:  # the key and the lock must be current
        admitted = _admitted(connection, api_key, code, limiter)
    caller, locked = admitted.caller, admitted.locked
    if "ekyc" not in caller.policy.checks:
        raise PartnerPolicy(check="eKYC")
    code = _code(code)
    now = ctx.now()
    person = None
    if not locked:
        with ctx.db.snapshot(primary=True) as session:
            person = registry.person_record(session, code)
    if person is None:
        return EkycAnswer(status="locked"), _check_entry(
            caller, code, "ekyc", query.purpose, query.consent_reference, "locked", now
        )
    token = partner_token(_token_secret(ctx), caller.code, code)
    statement = {
        "partner": caller.code,
        "national_code": code,
        "partner_token": token,
        "attributes": _attributes(person, caller.policy),
        "consent_reference": query.consent_reference,
        "purpose": query.purpose,
        "issued_at": now.isoformat(),
    }
    kid, signature = certificates.sign_statement(ctx, statement)
    answer = EkycAnswer(status="released", statement=statement, kid=kid, signature=signature)
    return answer, _check_entry(caller, code, "ekyc", query.purpose, query.consent_reference, "released", now)


def _attributes(person: PersonOut, policy: Policy) -> dict[str, object]:
    available: dict[str, object] = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "sex": person.sex,
        "birth_date": person.birth_date.gregorian.isoformat(),
        "birth_county": person.birth_county_code,
        "father_first_name": person.father.first_name,
        "mother_first_name": person.mother.first_name,
        "alive": person.alive,
        "died_on": person.died_on.gregorian.isoformat() if person.died_on else None,
    }
    return {name: available[name] for name in policy.attributes}


# --- citizens -------------------------------------------------------------------------------------------


def enrol_citizen(ctx: Context, *, actor: Actor, citizen: CitizenIn) -> UserOut:
    """An office registrar opens a citizen's account after checking their identity in person."""
    authorize(actor, Action.ENROL_CITIZEN)
    code = _code(citizen.national_code)
    with ctx.db.snapshot() as session:
        registry.person_record(session, code)  # the person must be in the registry
    user = UserIn(username=citizen.username, password=citizen.password, role=Role.CITIZEN, national_code=code)
    return accounts.create_user(ctx, actor=None, user=user)  # authorized above, as enrolment


def set_lock(ctx: Context, *, actor: Actor, locked: bool) -> LockOut:
    """Lock or unlock the citizen's own code against every partner's checks."""
    code = own_national_code(actor)
    now = ctx.now()
    with ctx.db.transaction() as session:
        row = session.get(CodeLock, code)
        if locked and row is None:
            session.add(CodeLock(national_code=code, locked_at=now, locked_by=actor.user_id))
        elif not locked and row is not None:
            session.delete(row)
    return LockOut(national_code=code, locked=locked)


def my_lock(ctx: Context, *, actor: Actor) -> LockOut:
    """Whether the citizen's code is locked now."""
    code = own_national_code(actor)
    with ctx.db.snapshot(primary=True) as session:
        return LockOut(national_code=code, locked=session.get(CodeLock, code) is not None)


def record_notification(
    session: Session, caller: PartnerCaller, *, national_code: str, kind: str, at: dt.datetime
) -> None:
    """A facility's notification naming a person (the deceased, or a child's mother), in the same log as a
    partner's checks: the person sees which facility told the registry what, as they see who checked them."""
    session.add(
        IdentityCheck(
            partner_id=caller.partner_id,
            key_prefix=caller.key_prefix,
            national_code=national_code,
            check="notify",
            purpose=NOTIFIED_PURPOSE[kind],
            consent_reference=None,
            result="received",
            checked_at=at,
        )
    )


# The purpose the person reads in their log (a partner's checks carry the purpose the partner gave).
NOTIFIED_PURPOSE = {
    "birth": "اعلام ولادت فرزند شما",
    "stillbirth": "اعلام ولادت فرزند مرده شما",
    "death": "اعلام وفات با کد ملی شما",
}


def checks_about_me(ctx: Context, *, actor: Actor, limit: int = 200) -> list[CheckOut]:
    """Every check partners made about the citizen, newest first."""
    code = own_national_code(actor)
    with ctx.db.snapshot() as session:
        rows = session.execute(
            select(IdentityCheck, Partner)
            .join(Partner, Partner.id == IdentityCheck.partner_id)
            .where(IdentityCheck.national_code == code)
            .order_by(IdentityCheck.checked_at.desc(), IdentityCheck.id.desc())
            .limit(limit)
        ).all()
        return [
            CheckOut(
                partner=partner.name,
                partner_kind=partner.kind,
                check=check.check,
                purpose=check.purpose,
                result=check.result,
                checked_at=check.checked_at,
                checked_on=DatePair.of(local_day(check.checked_at, ctx.settings.timezone)),
            )
            for check, partner in rows
        ]


# --- shared ---------------------------------------------------------------------------------------------


def _code(text: str) -> str:
    code = normalize_national_code(text)
    problem = national_code_problem(code)
    if problem:
        raise refusal(f"national_code.{problem}", field="national_code")
    return code


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except DateProblem as problem:
        raise refusal(f"date.{problem.reason}", field="birth_date") from None


def partner_named(session: Session, partner_id: int) -> tuple[str, str]:
    """A partner's code and name."""
    code, name = session.execute(select(Partner.code, Partner.name).where(Partner.id == partner_id)).one()
    return str(code), str(name)


def partner_by_code(session: Session, code: str) -> Partner:
    row = session.scalar(select(Partner).where(Partner.code == code))
    if row is None:
        raise PartnerUnknown(field="partner", code=code)
    return row


def _partner_out(session: Session, row: Partner) -> PartnerOut:
    keys = session.scalars(
        select(PartnerKey.prefix).where(PartnerKey.partner_id == row.id, PartnerKey.revoked_at.is_(None))
    )
    return PartnerOut(
        code=row.code,
        name=row.name,
        kind=row.kind,
        contact=row.contact,
        policy=Policy.model_validate(row.policy),
        rate_per_minute=row.rate_per_minute,
        active=row.active,
        keys=list(keys),
    )


def _check_entry(
    caller: PartnerCaller, code: str, check: str, purpose: str, consent: str | None, result: str, now: dt.datetime
) -> LogEntry:
    """The access log entry, committed (by the log) before the answer leaves; and the check counted for the
    operators' metrics."""
    IDENTITY_CHECKS.labels(partner=caller.code, check=check, result=result).inc()
    return {
        "partner_id": caller.partner_id,
        "key_prefix": caller.key_prefix,
        "national_code": code,
        "check": check,
        "purpose": purpose,
        "consent_reference": consent,
        "result": result,
        "checked_at": now,
    }


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token_secret(ctx: Context) -> bytes:
    return local_secret(ctx.settings.secret_file("partner-tokens"))


@dataclass(frozen=True)
class RelayBacklog:
    """What the relay to partners' webhooks has still to do."""

    messages: int  # in the outbox, not yet fanned out to subscriptions
    deliveries: int  # fanned out, waiting for a first try or a retry


def relay_backlog(ctx: Context) -> RelayBacklog:
    with ctx.db.snapshot(primary=True) as session:
        waiting = select(func.count()).select_from(Delivery).where(Delivery.status == "pending")
        return RelayBacklog(messages=outbox.backlog(session), deliveries=session.scalar(waiting) or 0)
