"""Loading persons: `sabt import` against a raw load of the same rows into the same schema."""

import csv
import datetime as dt
import time
from pathlib import Path
from typing import Any

from sabt.context import Context
from sabt.core.jalali import parse_date
from sabt.core.permissions import Actor
from sabt.db import bulk_insert
from sabt.registry.imports.service import import_persons
from sabt.registry.persons.models import Person

BATCH = 20_000


def timed_import(ctx: Context, actor: Actor, path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    summary = import_persons(ctx, actor=actor, path=path, batch_size=10_000)
    return time.perf_counter() - started, summary.imported


def raw_load(ctx: Context, path: Path) -> tuple[float, int]:
    """The baseline: the same rows into the same `persons` table by COPY (PostgreSQL) or executemany
    (SQLite), converting only what the column types need (Jalali text to dates), with no checks, no
    history and no ledger."""
    started = time.perf_counter()
    count = 0
    now = dt.datetime.now(dt.UTC)
    with path.open(encoding="utf-8", newline="") as file, ctx.db.transaction() as session:
        batch: list[dict[str, Any]] = []
        for row in csv.DictReader(file):
            count += 1
            batch.append(raw_person_row(row, count, now))
            if len(batch) == BATCH:
                bulk_insert(session, Person, batch)
                batch = []
        bulk_insert(session, Person, batch)
    return time.perf_counter() - started, count


def raw_person_row(row: dict[str, str], number: int, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": number,
        "national_code": row["national_code"],
        "first_name": row["first_name"],
        "first_name_typed": row["first_name"],
        "last_name": row["last_name"],
        "last_name_typed": row["last_name"],
        "sex": row["sex"],
        "birth_date": parse_date(row["birth_date"]),
        "birth_time": None,
        "birth_county_code": row["birth_county"],
        "birth_place": "",
        "birth_order": 1,
        "father_id": None,
        "father_first_name": row["father_first_name"],
        "father_last_name": row["father_last_name"],
        "mother_id": None,
        "mother_first_name": row["mother_first_name"],
        "mother_last_name": row["mother_last_name"],
        "died_on": None,
        "revision": 1,
        "created_at": now,
        "updated_at": now,
    }
