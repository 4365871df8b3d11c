"""Verifying a certificate's code, offline against a published key set or online against the registry, and
counting every failed or suspicious verification as a suspected forgery.

Offline verification proves only that the organization signed these facts. Online verification also says
whether the registry still stands behind them: current, superseded by a correction (naming the new
serial), revoked, or unknown / different from what was issued, which a genuine signature alone cannot show.
"""

import datetime as dt
import hashlib
import ipaddress
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..batched_writes import BatchedWriter, DirectWriter, RowLog
from ..clock import local_day
from ..context import Context
from ..core.errors import InvalidInput, fill_message
from ..core.jalali import to_jalali
from ..core.permissions import Action, Actor, authorize
from ..geo.service import list_provinces, office_by_code, office_by_id
from .errors import NotGenuine
from .facts import county_names, facts_digest, readable_rows
from .keys import KeySet
from .models import Certificate, CertificateCheck, SuspectedForgery
from .schemas import ForgeryCountOut, VerificationOut
from .signed_code import SignedCode, decode_code, verify_code
from .signing import key_set

# The registry's verdict on a code that decoded and whose signature holds, in English and Persian.
VERDICTS: dict[str, tuple[str, str]] = {
    "genuine": (
        "Genuine: issued by the registry and current.",
        "این گواهی اصیل است و از سوی سازمان صادر شده و معتبر است.",
    ),
    "superseded": (
        "Genuine but superseded: the record was corrected and certificate {new_serial} replaces it.",
        "این گواهی اصیل است اما پس از اصلاح پرونده، گواهی {new_serial} جایگزین آن شده است.",
    ),
    "revoked": (
        "Genuine but revoked: {reason}.",
        "این گواهی اصیل است اما باطل شده است: {reason}.",
    ),
    "unknown_serial": (
        "The signature is genuine but the registry has no certificate {serial}.",
        "امضا معتبر است اما گواهی با سریال {serial} در ثبت وجود ندارد.",
    ),
    "data_mismatch": (
        "The signature is genuine but the data differs from what the registry issued as {serial}.",
        "امضا معتبر است اما داده‌ها با گواهی صادرشده با سریال {serial} مطابقت ندارد.",
    ),
}


@dataclass(frozen=True)
class Verified:
    """A code whose signature checked out against the key set."""

    code: SignedCode
    issued_at: dt.datetime


def verify_offline(text: str, keys: KeySet, *, now: dt.datetime) -> Verified:
    """Decode and check a code with nothing but the public key set; raises InvalidInput or NotGenuine."""
    code = decode_code(text)
    verify_code(code, keys, now=int(now.timestamp()))
    return Verified(code, dt.datetime.fromtimestamp(code.issued_at, dt.UTC))


def verify_online(
    ctx: Context,
    *,
    text: str,
    channel: str,
    actor: Actor | None = None,
    partner: str | None = None,
    network: str | None = None,
    checks: RowLog | None = None,
) -> VerificationOut:
    """The registry's verdict on a code. Undecodable input raises InvalidInput; every verdict but
        "genuine", and every undecodable input, is recorded as a suspected forgery. Every check of a serial is
        recorded with where it came from (`network`: the client's, already shortened) in `checks` (the server's
    batched log; one transaction of its own without it)."""
    suspect = _Suspect(ctx, channel=channel, actor=actor, partner=partner, text=text)
    try:
        code = decode_code(text)
    except InvalidInput as error:
        suspect.record(error.code, None)
        raise
    with ctx.db.snapshot() as session:
        keys = key_set(session, ctx.settings)
        try:
            verify_code(code, keys, now=int(ctx.now().timestamp()))
        except NotGenuine as error:
            result = _outcome(error.code.removeprefix("verify."), (error.message_en, error.message_fa), code, None)
        else:
            result = _registry_verdict(session, code)
            result.rows = readable_rows(code.certificate, county_names(session, code.certificate))
    if result.verdict != "genuine":
        suspect.record(f"verify.{result.verdict}", code)
    if result.serial:
        entry = {"serial": result.serial[:11], "place": _place(actor, partner, network), "checked_at": ctx.now()}
        (checks or DirectWriter(ctx, CertificateCheck)).record(entry)
    return result


def check_log(ctx: Context) -> BatchedWriter:
    """The server's log of where certificates are checked from, written in batches without waiting."""
    return BatchedWriter(ctx, CertificateCheck, linger=0.2)


def _place(actor: Actor | None, partner: str | None, network: str | None) -> str:
    if partner:
        return f"partner:{partner}"[:60]
    if actor and actor.office_id:
        return f"office:{actor.office_id}"
    return f"net:{network or 'unknown'}"[:60]


def client_network(host: str | None) -> str | None:
    """The network a request came from, not the address: /24 for IPv4, /48 for IPv6."""
    if not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def serials_checked_from_many_places(
    ctx: Context, *, since: dt.datetime, places: int, window: dt.timedelta
) -> Iterator[tuple[str, list[str], dt.datetime]]:
    """(serial, places, first check) for each serial checked from at least `places` different places within
    `window` of its first check in that burst, from `since` on."""
    query = (
        select(CertificateCheck.serial, CertificateCheck.place, CertificateCheck.checked_at)
        .where(CertificateCheck.checked_at >= since)
        .order_by(CertificateCheck.serial, CertificateCheck.checked_at)
    )
    with ctx.db.snapshot() as session:
        rows = session.execute(query).all()
    burst: list[tuple[str, dt.datetime]] = []
    current = None
    for serial, place, at in [*rows, (None, "", dt.datetime.max)]:
        if serial != current or (burst and at - burst[0][1] > window):
            seen = list(dict.fromkeys(place for place, _ in burst))
            if current is not None and len(seen) >= places:
                yield current, seen, burst[0][1]
            burst, current = [], serial
        burst.append((place, at))


def _registry_verdict(session: Session, code: SignedCode) -> VerificationOut:
    serial = str(code.certificate.get("s", ""))
    certificate = session.scalar(select(Certificate).where(Certificate.serial == serial))
    if certificate is None:
        return _verdict("unknown_serial", code, code.certificate, serial=serial)
    if certificate.digest != facts_digest(code.certificate):
        return _verdict("data_mismatch", code, code.certificate, serial=serial)
    if certificate.status == "superseded":
        result = _verdict("superseded", code, code.certificate, new_serial=certificate.superseded_by)
        result.superseded_by = certificate.superseded_by
        return result
    if certificate.status == "revoked":
        result = _verdict("revoked", code, code.certificate, reason=certificate.end_reason)
        result.revoked_reason = certificate.end_reason
        return result
    return _verdict("genuine", code, code.certificate)


def _verdict(verdict: str, code: SignedCode, facts: dict[str, Any] | None, **params: object) -> VerificationOut:
    return _outcome(verdict, fill_message(*VERDICTS[verdict], **params), code, facts)


def _outcome(
    verdict: str, messages: tuple[str, str], code: SignedCode, facts: dict[str, Any] | None
) -> VerificationOut:
    message, message_fa = messages
    return VerificationOut(
        verdict=verdict,
        genuine_signature=facts is not None,
        message=message,
        message_fa=message_fa,
        serial=str(code.certificate.get("s")) if code.certificate.get("s") else None,
        kind=str(code.certificate.get("k")) if code.certificate.get("k") else None,
        issued_at=dt.datetime.fromtimestamp(code.issued_at, dt.UTC) if 0 < code.issued_at < 2**33 else None,
        kid=code.kid.hex(),
        facts=facts,
        rows=[],
    )


class _Suspect:
    """Records a suspected forgery in its own transaction, so the record stands whatever the answer."""

    def __init__(self, ctx: Context, *, channel: str, actor: Actor | None, partner: str | None, text: str) -> None:
        self.ctx, self.channel, self.actor, self.partner = ctx, channel, actor, partner
        self.digest = hashlib.sha256(text.encode()).hexdigest()

    def record(self, reason: str, code: SignedCode | None) -> None:
        claims = code.certificate if code else {}
        with self.ctx.db.transaction() as session:
            session.add(
                SuspectedForgery(
                    detected_at=self.ctx.now(),
                    channel=self.channel,
                    reason=reason,
                    serial=str(claims.get("s"))[:11] if claims.get("s") else None,
                    kid=code.kid.hex()[:16] if code else None,
                    province_code=self._province(session, claims),
                    office_id=self.actor.office_id if self.actor else None,
                    user_id=self.actor.user_id if self.actor else None,
                    partner=self.partner,
                    input_digest=self.digest,
                )
            )

    def _province(self, session: Session, claims: dict[str, Any]) -> str | None:
        """The province of the office the code claims issued it; else of the office that checked it."""
        try:
            return office_by_code(session, str(claims["o"])).province_code
        except (KeyError, InvalidInput):
            pass
        if self.actor and self.actor.office_id:
            return office_by_id(session, self.actor.office_id).province_code
        return None


def forgeries_by_day(ctx: Context, *, since: dt.date, until: dt.date) -> Counter[tuple[str | None, dt.date]]:
    """Suspected forgeries per province and local day, for the published statistics (which protect the
    counts themselves); the rows behind them stay with auditors."""
    zone = ZoneInfo(ctx.settings.timezone)
    start = dt.datetime.combine(since, dt.time(), zone)
    end = dt.datetime.combine(until, dt.time(), zone) + dt.timedelta(days=1)
    query = select(SuspectedForgery.detected_at, SuspectedForgery.province_code).where(
        SuspectedForgery.detected_at >= start, SuspectedForgery.detected_at < end
    )
    with ctx.db.snapshot() as session:
        return Counter((province, local_day(at, ctx.settings.timezone)) for at, province in session.execute(query))


def forgery_counts(
    ctx: Context, *, actor: Actor, since: dt.date | None = None, until: dt.date | None = None
) -> list[ForgeryCountOut]:
    """Suspected forgeries per province, Jalali month and reason (the statistics read these)."""
    authorize(actor, Action.READ_FORGERIES)
    zone = ZoneInfo(ctx.settings.timezone)
    query = select(SuspectedForgery.detected_at, SuspectedForgery.province_code, SuspectedForgery.reason)
    if since:
        query = query.where(SuspectedForgery.detected_at >= dt.datetime.combine(since, dt.time(), zone))
    if until:
        query = query.where(
            SuspectedForgery.detected_at < dt.datetime.combine(until, dt.time(), zone) + dt.timedelta(days=1)
        )
    with ctx.db.snapshot() as session:
        counts = Counter(
            (province, to_jalali(local_day(at, ctx.settings.timezone))[:7], reason)
            for at, province, reason in session.execute(query)
        )
    names = {province.code: province.name_fa for province in list_provinces(ctx)}
    return [
        ForgeryCountOut(
            province_code=province, province_name_fa=names.get(province or ""), month=month, reason=reason, count=count
        )
        for (province, month, reason), count in sorted(counts.items(), key=lambda item: (item[0][1], str(item[0])))
    ]
