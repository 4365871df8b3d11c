"""The person snapshot kept in every revision."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .models import Person

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
