"""Replaying a synthetic window of events through the registry, each on the day it was declared.

Every event goes through the same use cases as at an office: declared, validated, approved by the office
head when late, registered. The clock is set to each declaration's day, so deadlines, late flags and the
ledger's times come out as they would have.
"""

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..clock import FixedClock
from ..context import Context
from ..core.errors import SabtError
from ..core.jalali import parse_date
from ..core.permissions import Actor
from ..notifications import service as notifications
from ..notifications.schemas import BirthNotificationIn, DeathNotificationIn, NotificationIn
from ..registry import service as registry
from ..registry.schemas import BirthDeclaration, DeathDeclaration, Declaration, DivorceDeclaration, MarriageDeclaration
from ..verification.service import PartnerCaller
from .causes import certificate

# Staff who handle an event in a county: (office code, registrar, office head).
StaffFor = Callable[[str], tuple[str, Actor, Actor]]
# The health facility that notifies the events that happen with it in a county.
FacilityFor = Callable[[str], PartnerCaller]
NOTIFIED_WITHIN = dt.timedelta(days=15)
WITNESSES = [{"first_name": "حسن", "last_name": "کریمی"}, {"first_name": "رضا", "last_name": "احمدی"}]


@dataclass
class ReplaySummary:
    registered: dict[str, int] = field(default_factory=dict)
    late: int = 0
    refused: dict[str, int] = field(default_factory=dict)


def replay_events(
    ctx: Context,
    *,
    path: Path,
    staff_for: StaffFor,
    facility_for: FacilityFor | None = None,
    on_event: Callable[[], None] = lambda: None,
) -> ReplaySummary:
    """Declare, validate and register each event on the day it was declared; with `facility_for`, an event
    that happened in a facility is first notified by it on its day (when it was declared within
    NOTIFIED_WITHIN, so that the history's clock goes back no further)."""
    clock = FixedClock(ctx.now())
    at_the_time = replace(ctx, clock=clock)
    summary = ReplaySummary()
    issued: dict[str, str] = {}  # new:N -> the national code its birth registration issued
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            declared = parse_date(row["declared_on"])
            clock.current = dt.datetime.combine(declared, dt.time(5, 30), dt.UTC)  # 09:00 in Tehran
            office, registrar, head = staff_for(row["county"])
            if row["kind"] == "stillbirth":
                if facility_for is not None:
                    _notify_stillbirth(at_the_time, facility_for(row["county"]), row, summary)
                continue
            try:
                declaration = _declaration(row, office, issued)
                if facility_for is not None and row.get("facility") == "1":
                    _notify(at_the_time, clock, facility_for(row["county"]), row, declaration, summary)
                    clock.current = dt.datetime.combine(declared, dt.time(5, 30), dt.UTC)
                event = registry.declare(at_the_time, actor=registrar, declaration=declaration)
                notifications.answer(at_the_time, event=event)
                registry.validate_event(at_the_time, actor=registrar, event_id=event.id)
                if event.late:
                    registry.approve_late(at_the_time, actor=head, event_id=event.id, note="synthetic history")
                    summary.late += 1
                done = registry.register_event(at_the_time, actor=registrar, event_id=event.id)
            except (SabtError, KeyError) as error:
                code = error.code if isinstance(error, SabtError) else "unregistered_reference"
                summary.refused[code] = summary.refused.get(code, 0) + 1
                continue
            if row["kind"] == "birth" and done.subject_national_code:
                issued[row["subject"]] = done.subject_national_code
            summary.registered[row["kind"]] = summary.registered.get(row["kind"], 0) + 1
            on_event()
    return summary


def _notify(
    ctx: Context,
    clock: FixedClock,
    facility: PartnerCaller,
    row: dict[str, str],
    declaration: Declaration,
    summary: ReplaySummary,
) -> None:
    happened = parse_date(row["event_date"])
    if clock.current.date() - happened > NOTIFIED_WITHIN:
        return
    clock.current = dt.datetime.combine(happened, dt.time(8, 45), dt.UTC)  # the same morning in Tehran
    reference = f"{row['kind']}-{row['subject']}"
    notification: NotificationIn
    if isinstance(declaration, BirthDeclaration):
        if declaration.mother.national_code is None:
            return  # a mother the registry does not hold by code: the family declares alone
        notification = BirthNotificationIn(
            reference=reference,
            sex=declaration.sex,
            birth_date=declaration.birth_date,
            county=declaration.county,
            birth_order=declaration.birth_order,
            mother={"national_code": declaration.mother.national_code},
        )
    elif isinstance(declaration, DeathDeclaration):
        notification = DeathNotificationIn(
            reference=reference,
            national_code=declaration.national_code,
            death_date=declaration.death_date,
            county=declaration.county,
            cause_of_death=declaration.cause_of_death,
        )
    else:
        return
    _send(ctx, facility, notification, summary)


def _notify_stillbirth(ctx: Context, facility: PartnerCaller, row: dict[str, str], summary: ReplaySummary) -> None:
    notification = BirthNotificationIn(
        reference=f"stillbirth-{row['mother']}-{row['event_date']}",
        sex=row["sex"],
        birth_date=row["event_date"],
        county=row["county"],
        stillborn=True,
        mother={"national_code": row["mother"]},
    )
    _send(ctx, facility, notification, summary)


def _send(ctx: Context, facility: PartnerCaller, notification: NotificationIn, summary: ReplaySummary) -> None:
    try:
        notifications.notify(ctx, caller=facility, notification=notification)
    except SabtError as error:
        summary.refused[f"notification:{error.code}"] = summary.refused.get(f"notification:{error.code}", 0) + 1


def _code(ref: str, issued: dict[str, str]) -> str:
    return issued[ref] if ref.startswith("new:") else ref


def _parent(row: dict[str, str], role: str, issued: dict[str, str]) -> dict[str, str]:
    if row[role]:
        return {"national_code": _code(row[role], issued)}
    return {"first_name": row[f"{role}_first_name"], "last_name": row[f"{role}_last_name"]}


def _declaration(row: dict[str, str], office: str, issued: dict[str, str]) -> Declaration:
    kind, county = row["kind"], row["county"]
    if kind == "birth":
        evidence = (
            {"kind": "witnesses", "witnesses": WITNESSES}
            if row["evidence"] == "witnesses"
            else {"kind": "medical_certificate", "issuer": "facility", "document_number": f"B-{row['subject']}"}
        )
        return BirthDeclaration(
            office=office,
            first_name=row["first_name"],
            last_name=row["last_name"],
            sex=row["sex"],
            birth_date=row["event_date"],
            county=county,
            birth_order=int(row["birth_order"] or 1),
            father=_parent(row, "father", issued),
            mother=_parent(row, "mother", issued),
            declarant={"relation": "father" if row["father"] else "mother"},
            evidence=evidence,
        )
    if kind == "death":
        cause = row.get("cause", "")
        return DeathDeclaration(
            office=office,
            national_code=_code(row["subject"], issued),
            death_date=row["event_date"],
            county=county,
            declarant={"relation": "other", "first_name": "محمود", "last_name": "صالحی"},
            evidence=(
                {"kind": "medical_certificate", "issuer": "physician", "document_number": "D-1"}
                if cause
                else {"kind": "burial_permit", "issuer": "cemetery", "document_number": "BP-1"}
            ),
            cause_of_death=certificate(cause) if cause else None,
        )
    couple = {
        "office": office,
        "husband_national_code": _code(row["subject"], issued),
        "wife_national_code": _code(row["partner"], issued),
        "county": county,
        "notary_office": "1",
        "document_number": f"N-{row['subject']}-{row['event_date']}",
    }
    if kind == "marriage":
        return MarriageDeclaration(**couple, marriage_date=row["event_date"])
    return DivorceDeclaration(**couple, divorce_date=row["event_date"])
