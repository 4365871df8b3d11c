"""Use cases for certificates: issue, print, revoke, look up, and supersede on correction.

Each certificate stores the facts exactly as signed into its QR code, so a reprint is the same document
and an online verification can tell whether the data presented is the data issued. Every issue, print,
revocation and supersession appends to the ledger in the same transaction.
"""

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..access.service import national_codes_in, record_reads
from ..accounts.service import usernames
from ..clock import local_day
from ..context import Context
from ..core.errors import InvalidInput, refusal
from ..core.jalali import to_jalali
from ..core.permissions import Action, Actor, authorize
from ..core.serials import compose_serial, normalize_serial, serial_problem
from ..db import take_from_counter
from ..geo.service import office_by_id
from ..keys import Signer
from ..registry import service as registry
from ..registry.schemas import DatePair, EventOut, ReissueOut
from .errors import (
    CertificateAlive,
    CertificateEvent,
    CertificateExists,
    CertificateNotCurrent,
    CertificateSubject,
    CertificateTampered,
    CertificateUnknown,
)
from .facts import county_names, couple_facts, facts_digest, person_details, person_facts
from .keys import KeySet, b64url
from .models import Certificate, CertificatePrint, SerialCounter
from .plain_pdf import PlainPdfRenderer as PlainPdfRenderer
from .render import PrintedCertificate, certificate_page
from .render import TypstRenderer as TypstRenderer
from .render import font_dir as font_dir
from .schemas import COUPLE_KINDS, CertificateOut, CertificateRequest, PrintedCopyOut
from .signed_code import decode_code, encode_code, verify_code
from .signing import current_key, key_set, rotate, signing_key

# Also published for other features: how checks of certificates are logged and counted.
from .verification import check_log as check_log
from .verification import forgeries_by_day as forgeries_by_day
from .verification import serials_checked_from_many_places as serials_checked_from_many_places


@dataclass(frozen=True)
class Subject:
    """What a certificate is about, and how to state its facts under a given serial and office."""

    kind: str
    subject_code: str
    partner_code: str | None
    event_id: int | None
    facts: Callable[[str, str], dict[str, Any]]
    details: dict[str, Any]

    @property
    def current_key(self) -> str:
        """One current certificate per kind and person, or per kind and event for a couple's."""
        event = self.event_id if self.kind in COUPLE_KINDS else ""
        return f"{self.kind}:{self.subject_code}:{event}"


def issue_certificate(ctx: Context, *, actor: Actor, request: CertificateRequest) -> CertificateOut:
    """Issue a new certificate; refused while a current one of the same kind exists for the same record."""
    authorize(actor, Action.ISSUE_CERTIFICATE)
    try:
        with ctx.db.transaction() as session:
            subject = _subject(session, request)
            _refuse_if_current(session, subject)
            certificate = _issue(session, ctx, subject, actor, ctx.now())
            issued = certificate_out(session, ctx, certificate)
    except IntegrityError:  # another office issued the same certificate a moment before; nothing was written
        with ctx.db.snapshot(primary=True) as session:
            _refuse_if_current(session, _subject(session, request))
        raise
    record_reads(ctx, actor, _persons_named([issued]), "certificate")
    return issued


def print_certificate(ctx: Context, *, actor: Actor, serial: str) -> tuple[CertificateOut, bytes]:
    """Render a current certificate as PDF and record the printing (copy number, who, where, when)."""
    authorize(actor, Action.PRINT_CERTIFICATE)
    with ctx.db.transaction() as session:
        certificate = _require_current(session, serial)
        copies = session.scalar(select(func.count()).where(CertificatePrint.certificate_id == certificate.id)) or 0
        now = ctx.now()
        printed = CertificatePrint(
            certificate_id=certificate.id,
            copy_number=copies + 1,
            office_id=actor.office_id,
            printed_by=actor.user_id,
            printed_at=now,
        )
        session.add(printed)
        pdf = ctx.pdf.render(certificate_page(printed_certificate(session, ctx, certificate)))
        out = certificate_out(session, ctx, certificate)
    record_reads(ctx, actor, _persons_named([out]), "print")
    return out, pdf


def revoke_certificate(ctx: Context, *, actor: Actor, serial: str, reason: str) -> CertificateOut:
    """Revoke a current certificate (lost, stolen, issued in error); a new one may then be issued."""
    authorize(actor, Action.REVOKE_CERTIFICATE)
    with ctx.db.transaction() as session:
        certificate = _require_current(session, serial)
        issued_by = frozenset({certificate.office_id} if certificate.office_id is not None else ())
        holders = registry.offices_holding(session, certificate.subject_code) | issued_by
        authorize(actor, Action.REVOKE_CERTIFICATE, held_by=holders)
        _end(certificate, status="revoked", reason=reason, now=ctx.now())
        revoked = certificate_out(session, ctx, certificate)
    record_reads(ctx, actor, _persons_named([revoked]), "certificate")
    return revoked


def get_certificate(ctx: Context, *, actor: Actor, serial: str) -> CertificateOut:
    authorize(actor, Action.READ)
    with ctx.db.snapshot() as session:
        out = certificate_out(session, ctx, _certificate(session, serial))
    record_reads(ctx, actor, _persons_named([out]), "certificate")
    return out


def births_without_certificate(
    ctx: Context, *, actor: Actor, days: int = 30, limit: int = 50, offset: int = 0
) -> list[EventOut]:
    """The office's printing queue: births it registered from declarations of the last `days` days whose
    person has no current birth certificate yet, oldest first, a page of `limit` after `offset`."""
    authorize(actor, Action.PRINT_CERTIFICATE)
    births = registry.registered_births_since(ctx, actor=actor, since=ctx.today() - dt.timedelta(days=days))
    with ctx.db.snapshot() as session:
        current = (Certificate.kind == "birth", Certificate.status == "current")
        codes = [code for _, code in births]
        certified = set(
            session.scalars(select(Certificate.subject_code).where(*current, Certificate.subject_code.in_(codes)))
        )
    waiting = [event_id for event_id, code in births if code not in certified][offset : offset + limit]
    return [registry.get_event(ctx, actor=actor, event_id=event_id) for event_id in waiting]  # each read logged


def printed_at_office(ctx: Context, *, actor: Actor, limit: int = 20, offset: int = 0) -> list[PrintedCopyOut]:
    """The copies the actor's office printed, newest first: the office's reckoning of its certificate paper."""
    authorize(actor, Action.PRINT_CERTIFICATE)
    with ctx.db.snapshot() as session:
        rows = session.execute(
            select(CertificatePrint, Certificate)
            .join(Certificate, Certificate.id == CertificatePrint.certificate_id)
            .where(CertificatePrint.office_id == actor.office_id)
            .order_by(CertificatePrint.printed_at.desc(), CertificatePrint.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        printers = usernames(session, {copy.printed_by for copy, _ in rows})
        printed = [
            PrintedCopyOut(
                serial=certificate.serial,
                kind=certificate.kind,
                subject_national_code=certificate.subject_code,
                partner_national_code=certificate.partner_code,
                name=_named(certificate.facts),
                copy_number=copy.copy_number,
                printed_at=copy.printed_at,
                printed_by=printers.get(copy.printed_by, ""),
            )
            for copy, certificate in rows
        ]
    record_reads(ctx, actor, national_codes_in([copy.model_dump() for copy in printed]), "print")
    return printed


def _named(facts: Mapping[str, Any]) -> str:
    if facts.get("k") in COUPLE_KINDS:
        return " و ".join(f"{facts[side]['fn']} {facts[side]['ln']}" for side in ("h", "w"))
    return f"{facts['fn']} {facts['ln']}"


def certificates_of(ctx: Context, *, actor: Actor, national_code: str) -> list[CertificateOut]:
    """Every certificate naming a person, newest first, whatever its status."""
    authorize(actor, Action.READ)
    with ctx.db.snapshot() as session:
        person = registry.person_record(session, national_code)
        rows = session.scalars(
            select(Certificate)
            .where(
                or_(Certificate.subject_code == person.national_code, Certificate.partner_code == person.national_code)
            )
            .order_by(Certificate.id.desc())
        )
        found = [certificate_out(session, ctx, row) for row in rows]
    record_reads(ctx, actor, _persons_named(found), "certificate")
    return found


def _persons_named(shown: list[CertificateOut]) -> list[str]:
    """Every person the certificates shown name (subject, partner, parents in their facts)."""
    return national_codes_in([out.model_dump() for out in shown])


def reissue_after_correction(
    ctx: Context, session: Session, payload: Mapping[str, Any], actor: Actor, now: dt.datetime
) -> list[dict[str, str]]:
    """A corrected record supersedes, in the correction's transaction, every current certificate whose facts
    changed with a new one under a new serial; it returns each as superseded serial, new serial and kind."""
    code, reason = str(payload["national_code"]), str(payload["reason"])
    return [reissue.model_dump() for reissue in _supersede_changed(session, ctx, code, actor, now, reason)]


def _supersede_changed(
    session: Session, ctx: Context, code: str, actor: Actor, now: dt.datetime, reason: str
) -> list[ReissueOut]:
    current = session.scalars(
        select(Certificate)
        .where(Certificate.status == "current", or_(Certificate.subject_code == code, Certificate.partner_code == code))
        .order_by(Certificate.id)
    ).all()
    reissued = []
    for old in current:
        subject = _subject(
            session, CertificateRequest(kind=old.kind, national_code=old.subject_code, event_id=old.event_id)
        )
        if subject.facts(old.serial, str(old.facts["o"])) == old.facts:
            continue  # nothing this certificate states has changed
        old.current_key = None  # free the record's current slot before its replacement takes it
        session.flush()
        new = _issue(session, ctx, subject, actor, now)
        _end(old, status="superseded", reason=reason, now=now, superseded_by=new.serial)
        reissued.append(ReissueOut(superseded=old.serial, serial=new.serial, kind=old.kind))
    return reissued


def _subject(session: Session, request: CertificateRequest) -> Subject:
    if request.kind in COUPLE_KINDS:
        return _couple_subject(session, request)
    if request.national_code is None:
        raise CertificateSubject(field="national_code", kind=request.kind, needs="a national code")
    person = registry.person_record(session, request.national_code)
    death = None
    if request.kind == "death":
        if person.alive:
            raise CertificateAlive(field="national_code", code=person.national_code)
        death = registry.registered_death(session, national_code=person.national_code)
    kind = request.kind
    return Subject(
        kind,
        person.national_code,
        None,
        death.id if death else None,
        lambda serial, office: person_facts(serial=serial, kind=kind, office=office, person=person, death=death),
        person_details(person),
    )


def _couple_subject(session: Session, request: CertificateRequest) -> Subject:
    if request.event_id is None:
        raise CertificateSubject(field="event_id", kind=request.kind, needs="a registered event")
    event = registry.registered_event(session, event_id=request.event_id)
    if event is None or event.kind != request.kind or not event.subject_national_code:
        raise CertificateEvent(field="event_id", id=request.event_id, kind=request.kind)
    husband = registry.person_record(session, event.subject_national_code)
    wife = registry.person_record(session, event.partner_national_code or "")
    kind = request.kind
    return Subject(
        kind,
        husband.national_code,
        wife.national_code,
        event.id,
        lambda serial, office: couple_facts(
            serial=serial, kind=kind, office=office, event=event, husband=husband, wife=wife
        ),
        {},
    )


def _refuse_if_current(session: Session, subject: Subject) -> None:
    existing = session.scalar(select(Certificate).where(Certificate.current_key == subject.current_key))
    if existing is not None:
        raise CertificateExists(field="kind", serial=existing.serial)


def _issue(session: Session, ctx: Context, subject: Subject, actor: Actor, now: dt.datetime) -> Certificate:
    office = office_by_id(session, actor.office_id) if actor.office_id else None
    serial = compose_serial(subject.kind, _take_number(session))
    facts = subject.facts(serial, office.code if office else "")
    key = signing_key(session, ctx.keys, ctx.settings, now)
    code = encode_code(
        facts, issuer=ctx.settings.certificate_issuer, issued_at=int(now.timestamp()), kid=key.kid, key=key.signer
    )
    certificate = Certificate(
        serial=serial,
        kind=subject.kind,
        subject_code=subject.subject_code,
        partner_code=subject.partner_code,
        event_id=subject.event_id,
        facts=facts,
        details=subject.details,
        digest=facts_digest(facts),
        code=code,
        kid=key.kid.hex(),
        status="current",
        current_key=subject.current_key,
        office_id=actor.office_id,
        issued_by=actor.user_id,
        issued_at=now,
    )
    session.add(certificate)
    session.flush()
    return certificate


def _end(
    certificate: Certificate, *, status: str, reason: str, now: dt.datetime, superseded_by: str | None = None
) -> None:
    certificate.status, certificate.end_reason, certificate.ended_at = status, reason, now
    certificate.superseded_by, certificate.current_key = superseded_by, None


def _take_number(session: Session) -> int:
    return take_from_counter(session, SerialCounter, key={"id": 1}, column="next_number", start=1)


def _certificate(session: Session, text: str) -> Certificate:
    serial = normalize_serial(text)
    problem = serial_problem(serial)
    if problem:
        raise refusal(f"serial.{problem}", field="serial")
    certificate = session.scalar(select(Certificate).where(Certificate.serial == serial))
    if certificate is None:
        raise CertificateUnknown(field="serial", serial=serial)
    return certificate


def _require_current(session: Session, serial: str) -> Certificate:
    certificate = _certificate(session, serial)
    if certificate.status != "current":
        raise CertificateNotCurrent(field="serial", serial=certificate.serial, status=certificate.status)
    return certificate


def printed_certificate(session: Session, ctx: Context, certificate: Certificate) -> PrintedCertificate:
    office = office_by_id(session, certificate.office_id) if certificate.office_id else None
    facts = signed_facts(session, ctx, certificate)
    return PrintedCertificate(
        serial=certificate.serial,
        kind=certificate.kind,
        facts=facts,
        details=certificate.details,
        code=certificate.code,
        issued_on_jalali=to_jalali(local_day(certificate.issued_at, ctx.settings.timezone)),
        office_name=office.name_fa if office else "",
        county_names=county_names(session, certificate.facts),
        verify_url=f"{ctx.settings.public_url.rstrip('/')}/verify",
    )


def signed_facts(session: Session, ctx: Context, certificate: Certificate) -> dict[str, Any]:
    """The facts a certificate is printed from: those its QR code carries under a registry signature that
    verifies, and only when the stored facts are the same. Facts changed in the database (a forged name the
    QR does not carry) are refused, so that paper never says what the code does not."""
    try:
        code = decode_code(certificate.code)
        verify_code(code, key_set(session, ctx.settings), now=int(ctx.now().timestamp()))
    except InvalidInput:  # NotGenuine included: the stored code itself was replaced
        raise CertificateTampered(field="serial", serial=certificate.serial) from None
    if not facts_digest(code.certificate) == facts_digest(certificate.facts) == certificate.digest:
        raise CertificateTampered(field="serial", serial=certificate.serial)
    return code.certificate


def certificate_out(session: Session, ctx: Context, certificate: Certificate) -> CertificateOut:
    office = office_by_id(session, certificate.office_id) if certificate.office_id else None
    prints = session.scalar(select(func.count()).where(CertificatePrint.certificate_id == certificate.id)) or 0
    issued_at = certificate.issued_at
    issued_on = local_day(issued_at, ctx.settings.timezone)
    return CertificateOut(
        serial=certificate.serial,
        kind=certificate.kind,
        status=certificate.status,
        subject_national_code=certificate.subject_code,
        partner_national_code=certificate.partner_code,
        event_id=certificate.event_id,
        issued_at=issued_at,
        issued_on=DatePair.of(issued_on),
        office_code=office.code if office else None,
        kid=certificate.kid,
        code=certificate.code,
        facts=certificate.facts,
        prints=prints,
        superseded_by=certificate.superseded_by,
        end_reason=certificate.end_reason,
        ended_at=certificate.ended_at,
    )


def public_keys(ctx: Context) -> KeySet:
    """The key set verifiers need: every key that ever signed, with its signing period."""
    with ctx.db.snapshot() as session:
        return key_set(session, ctx.settings)


def document_signer(ctx: Context) -> tuple[bytes, Signer]:
    """The key id and signer of the key that signs the registry's documents now (certificates' codes,
    identity QRs); a new key when none is current."""
    with ctx.db.transaction() as session:
        active = signing_key(session, ctx.keys, ctx.settings, ctx.now())
    return active.kid, active.signer


def rotate_signing_key(ctx: Context) -> str:
    """Start a new signing key and end the current one's period; returns the new key id (hex). Run by an
    operator on the server that holds the keys (`sabt certificates keys rotate`)."""
    with ctx.db.transaction() as session:
        return rotate(session, ctx.keys, ctx.settings, ctx.now())


def sign_statement(ctx: Context, statement: dict[str, Any]) -> tuple[str, str]:
    """Sign canonical JSON (sorted keys, no spaces, UTF-8) with the current certificate key, so the holder
    can prove what the registry told it; returns the key id (hex) and the base64url Ed25519 signature.
    Verified with the same published key set as certificates."""
    with ctx.db.snapshot(primary=True) as session:  # a read: no write lock on the answer's path
        key = current_key(session, ctx.keys, ctx.now())
    if key is None:
        with ctx.db.transaction() as session:  # the first signature of a new registry makes its key
            key = signing_key(session, ctx.keys, ctx.settings, ctx.now())
    return key.kid.hex(), b64url(key.signer.sign(canonical_json(statement)))


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
