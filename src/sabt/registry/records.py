"""What matters about each registry record: the person snapshot kept in every revision, and the content
the ledger commits to (it stores only a salted hash of it, so the published log reveals no personal data)."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .models import Event, IssuedNationalCode, Marriage, Person

SNAPSHOT_FIELDS = (
    "national_code",
    "first_name",
    "first_name_typed",
    "last_name",
    "last_name_typed",
    "sex",
    "birth_date",
    "birth_time",
    "birth_county_code",
    "birth_place",
    "birth_order",
    "father_id",
    "father_first_name",
    "father_last_name",
    "mother_id",
    "mother_first_name",
    "mother_last_name",
    "died_on",
)


def snapshot(person: Person | Mapping[str, Any]) -> dict[str, Any]:
    """The person's fields, from a row object or (in bulk imports) the dict that will become the row."""
    values = person if isinstance(person, Mapping) else {field: getattr(person, field) for field in SNAPSHOT_FIELDS}
    return {field: _plain(values[field]) for field in SNAPSHOT_FIELDS}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def person_content(person: Person | Mapping[str, Any]) -> dict[str, Any]:
    revision = person["revision"] if isinstance(person, Mapping) else person.revision
    return snapshot(person) | {"revision": revision}


def event_content(event: Event) -> dict[str, Any]:
    return {
        "kind": event.kind, "status": event.status, "office_id": event.office_id,
        "event_date": event.event_date.isoformat(), "declared_on": event.declared_on.isoformat(),
        "deadline": event.deadline.isoformat() if event.deadline else None, "late": event.late,
        "days_late": event.days_late, "late_approved_by": event.late_approved_by, "data": event.data,
        "revision": event.revision, "subject_id": event.subject_id, "partner_id": event.partner_id,
        "rejection_reason": event.rejection_reason, "declared_by": event.declared_by,
    }  # fmt: skip


def marriage_content(marriage: Marriage) -> dict[str, Any]:
    return {
        "husband_id": marriage.husband_id, "wife_id": marriage.wife_id, "married_on": marriage.married_on.isoformat(),
        "marriage_event_id": marriage.marriage_event_id, "divorce_event_id": marriage.divorce_event_id,
        "ended_on": marriage.ended_on.isoformat() if marriage.ended_on else None, "end_reason": marriage.end_reason,
    }  # fmt: skip


def code_content(code: IssuedNationalCode) -> dict[str, Any]:
    return code_values(code.code, code.source)


def code_values(code: str, source: str) -> dict[str, Any]:
    """The same content as `code_content`, for a code not (yet) loaded as a row."""
    return {"code": code, "source": source}
