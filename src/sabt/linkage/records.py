"""Linkage records: a person as the model compares them, built from the registry or from a legacy file.

Names are compared as Persian names vary (`core/persian_names.py`): without an honorific, by sound, by the
parts of a compound name, by a surname's stem and by their consonants. Dates are compared in the Jalali
calendar, because that is how registers were typed (a day and month swapped by a clerk is a Jalali swap),
and by the slips a clerk makes between the two calendars. A legacy file's dates are read as the import reads
them, so that a file and the registry it is imported into give the same answers.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection

from ..core.jalali import DateProblem, from_jalali_parts, jalali_parts, parse_date_unswapping
from ..core.linkage import gregorian_year_slip, sound_key
from ..core.persian_names import skeleton, split_honorific, surname_stem
from ..core.text import normalize_name
from ..registry import service as registry
from .model import COLUMNS

_NUMBERS = {
    "unique_id",
    "birth_year",
    "birth_month",
    "birth_day",
    "birth_day_number",
    "birth_swapped_day",
    "birth_gregorian_slip_day",
}
_SCHEMA = pa.schema(
    [
        (
            name,
            pa.int64() if name in _NUMBERS else pa.bool_() if name == "first_is_given_name" else pa.string(),
        )
        for name in COLUMNS
    ]
)


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """The given names shipped with Sabt (normalized), which tell a name from a slip of the pen."""
    text = resources.files("sabt.linkage").joinpath("data", "given_names.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def linkage_record(
    unique_id: int,
    *,
    first_name: str,
    last_name: str,
    sex: str,
    born: dt.date | None,
    birth_county: str,
    father_first_name: str,
    mother_first_name: str,
    mother_last_name: str,
    father_code: str | None,
    mother_code: str | None,
) -> dict[str, Any]:
    """One record in the model's columns. Empty values become missing ones, which the model does not count."""
    return {
        "unique_id": unique_id,
        **_first_name_columns(first_name),
        **_last_name_columns(last_name),
        "sex": sex or None,
        **_date_columns(born),
        "birth_county": birth_county or None,
        "father_first_name": _parent_first_name(father_first_name),
        "mother_first_name": _parent_first_name(mother_first_name),
        "mother_last_name": normalize_name(mother_last_name) or None,
        "father_code": father_code or None,
        "mother_code": mother_code or None,
    }


# Names and birth days repeat across a register: each is profiled once per run, not once per person. The
# dicts returned are only ever copied into a record, never changed.


@lru_cache(maxsize=1 << 16)
def _first_name_columns(typed: str) -> dict[str, Any]:
    known = given_names()
    _, first = split_honorific(normalize_name(typed), known)  # the honorific is not compared: brothers share it
    key = sound_key(first)
    return {
        "first_name": first or None,
        "first_key": key or None,
        "first_skeleton": skeleton(key) or None,
        "first_is_given_name": first in known,
    }


@lru_cache(maxsize=1 << 16)
def _last_name_columns(typed: str) -> dict[str, Any]:
    last = normalize_name(typed)
    key = sound_key(last)
    return {
        "last_name": last or None,
        "last_key": key or None,
        "last_stem": surname_stem(key) or None,
        "last_skeleton": skeleton(key) or None,
    }


@lru_cache(maxsize=1 << 16)
def _parent_first_name(typed: str) -> str | None:
    return split_honorific(normalize_name(typed), given_names())[1] or None


@lru_cache(maxsize=1 << 16)
def _date_columns(born: dt.date | None) -> dict[str, Any]:
    if born is None:
        return {column: None for column in COLUMNS if column.startswith("birth_") and column != "birth_county"}
    year, month, day = jalali_parts(born)
    swapped = from_jalali_parts(year, day, month) if day <= 12 else None
    slipped = gregorian_year_slip(born)
    return {
        "birth_date": f"{year:04d}/{month:02d}/{day:02d}",
        "birth_year": year,
        "birth_month": month,
        "birth_day": day,
        "birth_day_number": born.toordinal(),
        # the days another record holds when a clerk swapped day and month, or wrote the Gregorian year
        "birth_swapped_day": swapped.toordinal() if swapped else None,
        "birth_gregorian_slip_day": slipped.toordinal() if slipped else None,
    }


@lru_cache(maxsize=1 << 16)  # a legacy file repeats its dates
def legacy_birth_date(text: str) -> dt.date | None:
    """A legacy row's birth date as the import reads it (an unambiguous swap of day and month undone), or None
    when the import would refuse it."""
    try:
        return parse_date_unswapping(text)[0]
    except DateProblem:
        return None


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
            born=legacy_birth_date(row["birth_date"]),
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
        born=born,
        birth_county=county,
        father_first_name=father_first,
        mother_first_name=mother_first,
        mother_last_name=mother_last,
        father_code=father_code,
        mother_code=mother_code,
    )
