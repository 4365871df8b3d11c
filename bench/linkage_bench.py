"""Linkage on a registry loaded from a synthetic legacy register (its duplicates included):

- the whole-registry run, `sabt linkage run` as a separate process (time and its peak memory), against
  DuckDB's exact self-join on name and birth date over the same persons (the floor of any deduplication);
- the check before a birth is registered (`service.check_birth`, candidates from the database and the
  model's scoring), against a person looked up by national code through the same service layer.
"""

import csv
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import select

from sabt.accounts.schemas import UserIn
from sabt.accounts.service import create_user
from sabt.context import Context
from sabt.core.jalali import DateProblem, parse_date
from sabt.core.national_code import compose_national_code, national_code_problem
from sabt.core.permissions import Actor
from sabt.db import bulk_insert
from sabt.linkage import service as linkage
from sabt.linkage.records import as_table, registry_records
from sabt.registry import service as persons
from sabt.registry import service as registry
from sabt.registry.persons.models import Person
from sabt.registry.schemas import BirthDeclaration
from sabt.synth.service import SynthRequest, generate_nation

from .common import fresh_registry, office_head, postgres_version, report, write_result
from .loading import raw_person_row

EXACT_SELF_JOIN = """SELECT count(*) FROM records l JOIN records r ON l.first_name = r.first_name
    AND l.last_name = r.last_name AND l.birth_date = r.birth_date AND l.unique_id < r.unique_id"""
CHECKS = 30


def run_linkage(people: int, workdir: Path, backends: tuple[str, ...]) -> None:
    folder = workdir / "linkage-nation"
    generate_nation(SynthRequest(people=people, years=1, seed=3, end=dt.date(2025, 3, 20), legacy=True), folder)
    result: dict[str, Any] = {"people": people, "postgres": postgres_version()}
    for backend in backends:
        with fresh_registry(backend, workdir) as ctx:
            head = office_head(ctx)
            create_user(
                ctx,
                actor=None,
                user=UserIn(
                    username="bench.inv",
                    password="bench password",  # noqa: S106
                    role="investigator",
                ),
            )
            loaded = _load_legacy(ctx, folder / "legacy.csv")
            run_seconds, peak_mb, output = _run_command(ctx)
            exact = _exact_self_join(ctx)
            report(
                f"linkage run ({backend}, {loaded:,} persons)",
                f"{run_seconds:.1f} s, peak {peak_mb:,.0f} MB",
                exact / run_seconds,
                "DuckDB's exact self-join on the same persons",
            )
            check_ms, lookup_ms = _checks(ctx, head)
        measured = {
            "persons": loaded,
            "run_seconds": round(run_seconds, 2),
            "run_peak_rss_mb": round(peak_mb),
            "run_output": output,
            "exact_self_join_seconds": round(exact, 3),
            "ratio_run": round(exact / run_seconds, 4),
            "check_ms": round(check_ms, 1),
            "lookup_ms": round(lookup_ms, 2),
            "ratio_check": round(lookup_ms / check_ms, 4),
        }
        result[backend] = measured
        report(
            f"linkage check before registration ({backend})",
            f"{check_ms:.1f} ms a birth (median of {CHECKS})",
            measured["ratio_check"],
            "a person looked up by code through the service layer",
        )
    write_result("linkage", result)


def _load_legacy(ctx: Context, path: Path) -> int:
    """The legacy rows as persons, duplicates and all (a copy without a valid code of its own gets a new one);
    rows whose date is impossible (a swapped day and month past the 12th) are left out, as an import would."""
    with path.open(encoding="utf-8", newline="") as file:
        taken = {
            row["national_code"] for row in csv.DictReader(file) if not national_code_problem(row["national_code"])
        }
    now, count, used, serial = dt.datetime.now(dt.UTC), 0, set(), 0
    with path.open(encoding="utf-8", newline="") as file, ctx.db.transaction() as session:
        batch: list[dict[str, Any]] = []
        for row in csv.DictReader(file):
            try:
                parse_date(row["birth_date"])  # a row whose date is impossible is left out
            except DateProblem:
                continue
            code = row["national_code"]
            while code in used or national_code_problem(code) or (code != row["national_code"] and code in taken):
                serial += 1
                code = compose_national_code("999", serial)
            used.add(code)
            count += 1
            batch.append(raw_person_row(row | {"national_code": code}, count, now))
            if len(batch) == 20_000:
                bulk_insert(session, Person, batch)
                batch = []
        bulk_insert(session, Person, batch)
    return count


# Runs the command and prints the peak memory of that command alone (a parent sees only its largest child).
_PEAK = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True, "
    "check=True); print(done.stdout.strip()); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _run_command(ctx: Context) -> tuple[float, float, str]:
    """`sabt linkage run` in its own process: wall time and that process's peak resident memory."""
    env = os.environ | {
        "SABT_DATABASE_URL": ctx.settings.resolved_database_url(),
        "SABT_DATA_DIR": str(ctx.settings.data_dir),
    }
    command = [
        sys.executable,
        "-c",
        _PEAK,
        str(Path(sys.executable).parent / "sabt"),
        "linkage",
        "run",
        "--as",
        "bench.inv",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    seconds = time.perf_counter() - started
    *output, peak_kb = done.stdout.strip().splitlines()
    return seconds, int(peak_kb) / 1024, " ".join(output)


def _exact_self_join(ctx: Context) -> float:
    with ctx.db.snapshot() as session:
        table = as_table(registry_records(session.connection()))
    connection = duckdb.connect()
    connection.register("records", table)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        connection.sql(EXACT_SELF_JOIN).fetchall()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _checks(ctx: Context, head: Actor) -> tuple[float, float]:
    """Declare births that repeat persons already registered, and time the check of each; time a look-up of
    the same persons by code."""
    with ctx.db.snapshot() as session:
        sample = random.Random(3).sample(range(1, 10_000), 4 * CHECKS)  # noqa: S311 (which persons, not a secret)
        named = select(Person).where(
            Person.id.in_(sample), Person.father_first_name != "", Person.mother_first_name != ""
        )  # a declaration names both parents
        people = list(session.scalars(named.order_by(Person.id).limit(CHECKS)))
        session.expunge_all()  # read after the snapshot ends
    checks, lookups = [], []
    for index, person in enumerate(people):
        assert person is not None
        declaration = BirthDeclaration(
            first_name=person.first_name,
            last_name=person.last_name,
            sex=person.sex,
            birth_date=person.birth_date.isoformat(),
            county=person.birth_county_code,
            father={"first_name": person.father_first_name, "last_name": person.father_last_name},
            mother={"first_name": person.mother_first_name, "last_name": person.mother_last_name},
            declarant={"relation": "father"},
            evidence={"kind": "medical_certificate", "issuer": "facility", "document_number": f"BENCH-{index}"},
        )
        event = registry.declare(ctx, actor=head, declaration=declaration)
        started = time.perf_counter()
        linkage.check_birth(ctx, actor=head, event_id=event.id)
        checks.append(time.perf_counter() - started)
        started = time.perf_counter()
        persons.get_person(ctx, actor=head, national_code=person.national_code)
        lookups.append(time.perf_counter() - started)
    return statistics.median(checks) * 1000, statistics.median(lookups) * 1000
