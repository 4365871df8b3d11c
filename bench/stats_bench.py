"""Vital statistics at scale: the full indicator set by province × month for one year through `sabt.stats`,
against the same aggregates written directly in DuckDB over the same rows; and the dashboard page over
HTTP against a no-op endpoint of the same server.

The registry is a synthetic nation (persons loaded in bulk) and its last year of births, deaths,
marriages and divorces written straight into the events table as registered, with their declaration
dates and deadlines: the benchmark measures reading, not registering.
"""

import csv
import datetime as dt
import statistics
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from sabt.accounts.service import actor_for_username
from sabt.context import Context
from sabt.core.jalali import parse_date
from sabt.core.stats import periods
from sabt.db import bulk_insert
from sabt.registry.events.models import Event
from sabt.registry.persons.models import Person
from sabt.stats import service as stats
from sabt.stats.indicators import INDICATORS
from sabt.synth.service import SynthRequest, generate_nation

from .common import SabtServer, fresh_registry, median_seconds, office_head, postgres_version, report, write_result
from .loading import raw_load

REPEATS = 3
DEADLINES = {"birth": 15, "death": 10, "marriage": 30, "divorce": 30}


def run_stats(people: int, workdir: Path, backends: tuple[str, ...]) -> None:
    folder = workdir / "stats-nation"
    end = dt.date(2026, 3, 20)  # the last day of 1404: a whole Jalali year
    generate_nation(SynthRequest(people=people, years=1, seed=9, end=end), folder)
    start = dt.date(2025, 3, 21)
    result: dict[str, Any] = {
        "people": people,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "repeats": REPEATS,
        "postgres": postgres_version(),
    }
    for backend in backends:
        with fresh_registry(backend, workdir) as ctx:
            office_head(ctx)
            events = _load(ctx, folder)
            sabt_seconds = median_seconds(lambda: _all_indicators(ctx, start, end), REPEATS)
            parquet = _export(ctx, workdir / f"stats-{backend}")
            duck_seconds = median_seconds(lambda paths=parquet: _duckdb_aggregates(paths, start, end), REPEATS)
            page, noop = _dashboard(ctx, workdir, cache_seconds=0)
            cached, _ = _dashboard(ctx, workdir, cache_seconds=300)
        measured = {
            "events": events,
            "sabt_seconds": round(sabt_seconds, 3),
            "duckdb_seconds": round(duck_seconds, 4),
            "ratio": round(duck_seconds / sabt_seconds, 4),
            "dashboard_seconds": round(page, 3),
            "noop_seconds": round(noop, 4),
            "dashboard_ratio": round(noop / page, 4),
            "dashboard_cached_seconds": round(cached, 4),
            "dashboard_cached_ratio": round(noop / cached, 4),
        }
        result[backend] = measured
        report(
            f"stats ({backend}, {people:,} people, {events:,} events)",
            f"all {len(INDICATORS)} indicators by province × month in {sabt_seconds:.2f} s",
            measured["ratio"],
            "the same aggregates in DuckDB",
        )
        report(
            f"dashboard ({backend})",
            f"{page * 1000:.0f} ms a page computed, {cached * 1000:.1f} ms from its cache",
            measured["dashboard_ratio"],
            "a no-op endpoint (/health) of the same server (computed)",
        )
    write_result("stats", result)


def _all_indicators(ctx: Context, start: dt.date, end: dt.date) -> None:
    auditor = actor_for_username(ctx, "bench.head")
    for name in INDICATORS:
        stats.compute(ctx, actor=auditor, indicator=name, place="province", grain="month", start=start, end=end)


# --- loading a year of registered events -------------------------------------------------------------------


def _load(ctx: Context, folder: Path) -> int:
    raw_load(ctx, folder / "persons.csv")
    with (folder / "persons.csv").open(encoding="utf-8") as file:
        ids = {row["national_code"]: number for number, row in enumerate(csv.DictReader(file), 1)}
    now = dt.datetime.now(dt.UTC)
    head = actor_for_username(ctx, "bench.head")
    persons: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    with (folder / "events.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["kind"] == "stillbirth":
                continue  # a facility's notification, never a registered event
            if row["kind"] == "birth":
                ids[row["subject"]] = len(ids) + 1
                persons.append(_newborn(row, ids, now))
            events.append(_event(row, ids, head.office_id or 1, head.user_id, now) | {"id": len(events) + 1})
    with ctx.db.transaction() as session:
        for batch in range(0, len(persons), 10_000):
            bulk_insert(session, Person, persons[batch : batch + 10_000])
        for batch in range(0, len(events), 10_000):
            bulk_insert(session, Event, events[batch : batch + 10_000])
    return len(events)


def _newborn(row: dict[str, str], ids: dict[str, int], now: dt.datetime) -> dict[str, Any]:
    number = ids[row["subject"]]
    return {
        "id": number,
        "national_code": f"9{number:09d}",
        "first_name": row["first_name"],
        "first_name_typed": row["first_name"],
        "last_name": row["last_name"],
        "last_name_typed": row["last_name"],
        "sex": row["sex"],
        "birth_date": parse_date(row["event_date"]),
        "birth_time": None,
        "birth_county_code": row["county"],
        "birth_place": "",
        "birth_order": int(row["birth_order"] or 1),
        "father_id": ids.get(row["father"]),
        "father_first_name": row["father_first_name"],
        "father_last_name": row["father_last_name"],
        "mother_id": ids.get(row["mother"]),
        "mother_first_name": row["mother_first_name"],
        "mother_last_name": row["mother_last_name"],
        "died_on": None,
        "revision": 1,
        "created_at": now,
        "updated_at": now,
    }


def _event(row: dict[str, str], ids: dict[str, int], office: int, user: int, now: dt.datetime) -> dict[str, Any]:
    happened, declared = parse_date(row["event_date"]), parse_date(row["declared_on"])
    deadline = happened + dt.timedelta(days=DEADLINES[row["kind"]])
    return {
        "kind": row["kind"],
        "status": "registered",
        "office_id": office,
        "event_date": happened,
        "county_code": row["county"],
        "declared_on": declared,
        "deadline": deadline,
        "late": declared > deadline,
        "days_late": max(0, (declared - deadline).days),
        "data": {"cause_of_death": {"underlying": row["cause"]}} if row["cause"] else {},
        "revision": 1,
        "subject_id": ids.get(row["subject"]),
        "partner_id": ids.get(row["partner"]),
        "declared_by": user,
        "created_at": now,
        "updated_at": now,
    }


# --- the baseline: the same aggregates in DuckDB over the same rows ----------------------------------------------


def _export(ctx: Context, folder: Path) -> dict[str, Path]:
    """The rows the statistics read, as Parquet files (not timed)."""
    folder.mkdir(exist_ok=True)
    queries = {
        "events": select(
            Event.kind,
            Event.status,
            Event.county_code,
            Event.event_date,
            Event.declared_on,
            Event.late,
            Event.subject_id,
            Event.data["cause_of_death"]["underlying"].as_string().label("underlying"),
        ),
        "persons": select(
            Person.id, Person.sex, Person.birth_date, Person.birth_county_code, Person.mother_id, Person.died_on
        ),
    }
    paths = {}
    with ctx.db.snapshot() as session:
        for name, query in queries.items():
            result = session.execute(query)
            columns = list(result.keys())
            rows = result.all()
            table = pa.table({column: [row[i] for row in rows] for i, column in enumerate(columns)})
            paths[name] = folder / f"{name}.parquet"
            pq.write_table(table, paths[name])
    return paths


def _duckdb_aggregates(paths: dict[str, Path], start: dt.date, end: dt.date) -> None:
    """Births by county, month, sex and mother's age; deaths by county, month, sex and age, and by underlying
    cause; marriages and divorces by county and month; delays of births and deaths; people eligible for a
    card at each month's end by county: what the indicator set needs, in DuckDB."""
    months = periods(start, end, "month")
    db = duckdb.connect()
    # The queries are built from this benchmark's own constants and file names, never from input.
    db.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{paths['events']}')")  # noqa: S608
    db.execute(f"CREATE VIEW persons AS SELECT * FROM read_parquet('{paths['persons']}')")  # noqa: S608
    db.execute("CREATE TABLE months (key VARCHAR, first DATE, last DATE)")
    db.executemany("INSERT INTO months VALUES (?, ?, ?)", [(m.key, m.first, m.last) for m in months])
    for sql in DUCKDB_QUERIES:
        db.execute(sql).fetchall()
    db.close()


DUCKDB_QUERIES = (
    "SELECT e.county_code, m.key, p.sex, floor(date_diff('day', mo.birth_date, e.event_date) / 365.2425) AS age, "
    "count(*) FROM events e JOIN months m "
    "ON e.status = 'registered' AND e.event_date BETWEEN m.first AND m.last JOIN persons p ON p.id = e.subject_id "
    "LEFT JOIN persons mo ON mo.id = p.mother_id WHERE e.kind = 'birth' GROUP BY ALL",
    "SELECT e.county_code, m.key, p.sex, floor(date_diff('day', p.birth_date, e.event_date) / 365.2425) AS age, "
    "count(*) FROM events e JOIN months m "
    "ON e.status = 'registered' AND e.event_date BETWEEN m.first AND m.last JOIN persons p ON p.id = e.subject_id "
    "WHERE e.kind = 'death' GROUP BY ALL",
    "SELECT e.county_code, m.key, p.sex, e.underlying, count(*) FROM events e JOIN months m "
    "ON e.status = 'registered' AND e.event_date BETWEEN m.first AND m.last JOIN persons p ON p.id = e.subject_id "
    "WHERE e.kind = 'death' GROUP BY ALL",
    "SELECT e.kind, e.county_code, m.key, count(*) FROM events e JOIN months m "
    "ON e.status = 'registered' AND e.event_date BETWEEN m.first AND m.last "
    "WHERE e.kind IN ('marriage', 'divorce') GROUP BY ALL",
    "SELECT e.kind, e.county_code, m.key, date_diff('day', e.event_date, e.declared_on), e.late, count(*) "
    "FROM events e JOIN months m "
    "ON e.status = 'registered' AND e.event_date BETWEEN m.first AND m.last "
    "WHERE e.kind IN ('birth', 'death') GROUP BY ALL",
    "SELECT m.key, p.birth_county_code, count(*) FROM months m JOIN persons p ON p.birth_date <= m.last - "
    "INTERVAL 15 YEAR AND (p.died_on IS NULL OR p.died_on > m.last) GROUP BY ALL",
)


# --- the dashboard -----------------------------------------------------------------------------------------------


def _dashboard(ctx: Context, workdir: Path, *, cache_seconds: int) -> tuple[float, float]:
    """The page's median time and /health's, on a server that reuses the figures for `cache_seconds`."""
    cache = {"SABT_STATS_CACHE_SECONDS": str(cache_seconds)}
    server = SabtServer(ctx.settings.resolved_database_url(), workdir, 1, cache)
    with server as base, httpx.Client(base_url=base, timeout=300) as client:
        client.get("/stats")  # warm up
        timings: dict[str, list[float]] = {"/stats": [], "/health": []}
        for _ in range(REPEATS):
            for path in timings:
                started = time.perf_counter()
                answer = client.get(path)
                timings[path].append(time.perf_counter() - started)
                if answer.status_code != 200:
                    raise RuntimeError(f"{path} answered {answer.status_code}")
    return statistics.median(timings["/stats"]), statistics.median(timings["/health"])
