"""Declarations as a registrar would fill them in, and helpers that take them through the workflow."""

import datetime as dt
import itertools
from typing import Any

from sabt.context import Context
from sabt.core.permissions import Actor
from sabt.registry import service
from sabt.registry.schemas import (
    BirthDeclaration,
    DeathDeclaration,
    Declaration,
    DivorceDeclaration,
    EventOut,
    MarriageDeclaration,
)

TEHRAN = "2301"
_documents = itertools.count(1000)


def birth(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": "سارا",
        "last_name": "رضایی",
        "sex": "female",
        "birth_date": "2025-05-25",
        "birth_time": "10:30",
        "county": TEHRAN,
        "place": "تهران",
        "father": {"first_name": "علی", "last_name": "رضایی"},
        "mother": {"first_name": "مریم", "last_name": "احمدی"},
        "declarant": {"relation": "father"},
        "evidence": {
            "kind": "medical_certificate",
            "issuer": "facility",
            "issuer_name": "بیمارستان میلاد",
            "document_number": f"BC-{next(_documents)}",
        },
    }
    data.update(changes)
    return data


def death(national_code: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "national_code": national_code,
        "death_date": "2025-05-28",
        "county": TEHRAN,
        "declarant": {"relation": "sibling", "first_name": "حمید", "last_name": "نوری"},
        "evidence": {"kind": "medical_certificate", "issuer": "physician", "document_number": f"DC-{next(_documents)}"},
    }
    data.update(changes)
    return data


def marriage(husband: str, wife: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "husband_national_code": husband,
        "wife_national_code": wife,
        "marriage_date": "2025-05-20",
        "county": TEHRAN,
        "notary_office": "12",
        "document_number": f"M-{next(_documents)}",
    }
    data.update(changes)
    return data


def divorce(husband: str, wife: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "husband_national_code": husband,
        "wife_national_code": wife,
        "divorce_date": "2025-05-30",
        "county": TEHRAN,
        "notary_office": "7",
        "document_number": f"T-{next(_documents)}",
    }
    data.update(changes)
    return data


def register(ctx: Context, staff: dict[str, Actor], declaration: Declaration) -> EventOut:
    """Declare as the clerk, validate and register as the registrar (approving as head when late)."""
    event = service.declare(ctx, actor=staff["clerk"], declaration=declaration)
    service.validate_event(ctx, actor=staff["registrar"], event_id=event.id)
    if event.late:
        service.approve_late(ctx, actor=staff["head"], event_id=event.id)
    return service.register_event(ctx, actor=staff["registrar"], event_id=event.id)


def registered_person(
    ctx: Context, staff: dict[str, Actor], *, born: dt.date, sex: str = "female", **changes: Any
) -> str:
    """A person registered at birth on the day they were born; returns the new national code."""
    saved = ctx.clock.now()
    ctx.clock.current = dt.datetime.combine(born + dt.timedelta(days=2), dt.time(6), dt.UTC)  # type: ignore[attr-defined]
    try:
        event = register(ctx, staff, BirthDeclaration(**birth(birth_date=born.isoformat(), sex=sex, **changes)))
    finally:
        ctx.clock.current = saved  # type: ignore[attr-defined]
    assert event.subject_national_code is not None
    return event.subject_national_code


def adult(ctx: Context, staff: dict[str, Actor], sex: str, year: int = 1990, **changes: Any) -> str:
    return registered_person(ctx, staff, born=dt.date(year, 3, 1), sex=sex, **changes)


__all__ = ["BirthDeclaration", "DeathDeclaration", "DivorceDeclaration", "MarriageDeclaration"]
