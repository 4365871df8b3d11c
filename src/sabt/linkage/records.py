"""Linkage records: a person as the model compares them, built from the registry or from a legacy file.

Dates are compared in the Jalali calendar, because that is how registers were typed (a day and month
swapped by a clerk is a Jalali swap); names are compared normalized and by sound key.
"""

import re
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection

from ..core.jalali import to_jalali
from ..core.linkage import sound_key
from ..core.text import normalize_name, to_ascii_digits
from ..registry import service as registry
from .model import COLUMNS

_JALALI = re.compile(r"^([0-9]{4})[/\-.]([0-9]{1,2})[/\-.]([0-9]{1,2})$")
_SCHEMA = pa.schema(
    [
        (name, pa.int64() if name in {"unique_id", "birth_year", "birth_month", "birth_day"} else pa.string())
        for name in COLUMNS
    ]
)


def linkage_record(
    unique_id: int,
    *,
    first_name: str,
    last_name: str,
    sex: str,
    birth_date: str,
    birth_county: str,
    father_first_name: str,
    mother_first_name: str,
    mother_last_name: str,
    father_code: str | None,
    mother_code: str | None,
) -> dict[str, Any]:
    """One record in the model's columns; `birth_date` is Jalali YYYY/MM/DD as typed (it may be impossible,
    as a swapped day and month can be). Empty values become missing ones, which the model does not count."""
    first, last = normalize_name(first_name), normalize_name(last_name)
    year, month, day = _date_parts(birth_date)
    return {
        "unique_id": unique_id,
        "first_name": first or None,
        "first_key": sound_key(first) or None,
        "last_name": last or None,
        "last_key": sound_key(last) or None,
        "sex": sex or None,
        "birth_date": f"{year:04d}/{month:02d}/{day:02d}" if year else None,
        "birth_year": year,
        "birth_month": month,
        "birth_day": day,
        "birth_county": birth_county or None,
        "father_first_name": normalize_name(father_first_name) or None,
        "mother_first_name": normalize_name(mother_first_name) or None,
        "mother_last_name": normalize_name(mother_last_name) or None,
        "father_code": father_code or None,
        "mother_code": mother_code or None,
    }


def _date_parts(text: str) -> tuple[int | None, int | None, int | None]:
    match = _JALALI.match(to_ascii_digits(text.strip()))
    if not match:
        return None, None, None
    year, month, day = (int(part) for part in match.groups())
    return year, month, day


def as_table(records: Iterable[dict[str, Any]]) -> pa.Table:
    """An Arrow table built 50,000 records at a time, so a whole registry is never a list of dicts."""
    iterator, batches = iter(records), []
    while chunk := list(islice(iterator, 50_000)):
        batches.append(pa.RecordBatch.from_pylist(chunk, schema=_SCHEMA))
    return pa.Table.from_batches(batches, schema=_SCHEMA)


def legacy_records(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of a legacy person file (the import format, CSV or Parquet), numbered as the import numbers
    them."""
    for number, row in registry.read_rows(path):
        yield linkage_record(
            number,
            first_name=row["first_name"],
            last_name=row["last_name"],
            sex=row["sex"],
            birth_date=row["birth_date"],
            birth_county=row["birth_county"],
            father_first_name=row["father_first_name"],
            mother_first_name=row["mother_first_name"],
            mother_last_name=row["mother_last_name"],
            father_code=row["father_national_code"],
            mother_code=row["mother_national_code"],
        )


def registry_records(connection: Connection) -> Iterator[dict[str, Any]]:
    """Every person of the registry that has not been merged into another, as linkage records keyed by id."""
    for row in registry.persons_for_linkage(connection):
        yield registry_record(row)


def registry_record(row: Any) -> dict[str, Any]:
    (id_, first, last, sex, born, county, father_first, mother_first, mother_last, father_code, mother_code) = row
    return linkage_record(
        id_,
        first_name=first,
        last_name=last,
        sex=sex,
        birth_date=to_jalali(born),
        birth_county=county,
        father_first_name=father_first,
        mother_first_name=mother_first,
        mother_last_name=mother_last,
        father_code=father_code,
        mother_code=mother_code,
    )
