"""Facilities' birth notifications under load: wrk on loopback sends new notifications (each once) to
`sabt serve` over a registry of N people, against a no-op endpoint (/health) of the same server under the
same load, as the verify benchmark does (bench/load.lua, mode "notify"). And the time from a notification
sent to the same notification read by a clerk of the office it waits at (what the office's list shows),
one after the other on an idle server.
"""

import csv
import datetime as dt
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from sabt.synth.service import SynthRequest, generate_nation

from .common import (
    SabtServer,
    fresh_registry,
    load_header,
    load_summary,
    office_head,
    partner_key,
    report,
    write_result,
    wrk_round,
)
from .loading import timed_import
from .verify_bench import ROUND_SECONDS, ROUNDS, WORKERS

COUNTY = "2301"  # where the benchmark's office is (common.office_head)
# Fewer than the checks' 8: each notification is a write, and writes queue for the database one at a time
# (on SQLite, for the whole file). A notification slower than wrk's 2 s is still answered: it is waited for
# (TIMEOUT) and shows in the p99, not as an error.
CONNECTIONS = 4
TIMEOUT = 10.0
PER_ROUND = 30_000  # more notifications than a round can send: none is sent twice
OPENED = 50  # notifications timed from sending to a clerk's read


def run_notifications(people: int, workdir: Path, backends: tuple[str, ...]) -> None:
    folder = workdir / "notifications-nation"
    generate_nation(SynthRequest(people=people, years=1, seed=5), folder)
    mothers = _mothers(folder / "persons.csv")
    result = load_header(people, connections=CONNECTIONS, round_seconds=ROUND_SECONDS, rounds=ROUNDS)
    for backend in backends:
        with fresh_registry(backend, workdir) as ctx:
            timed_import(ctx, office_head(ctx), folder / "persons.csv")
            policy = {"checks": [], "notifications": ["birth"], "purpose": "benchmark"}
            key = partner_key(ctx, code="bench-hospital", kind="health", policy=policy)
            result[backend] = {}
            for workers in WORKERS:
                # The clerk reading the notification signs in with a password alone (no authenticator here).
                environment = {"SABT_SECOND_FACTOR": "false"}
                with SabtServer(ctx.settings.resolved_database_url(), workdir, workers, environment) as base:
                    measured = _measure(base, key, mothers, workdir, f"{backend}-{workers}")
                    measured["sent_to_read_ms"] = _sent_to_read(base, key, mothers, f"{backend}-{workers}")
                result[backend][f"{workers} process{'es' if workers > 1 else ''}"] = measured
                _report(backend, people, workers, measured)
    write_result("notifications", result)


def _mothers(path: Path) -> list[str]:
    """Women of the registry old enough to have given birth in the last weeks."""
    with path.open(encoding="utf-8") as file:
        return [
            row["national_code"]
            for row in csv.DictReader(file)
            if row["sex"] == "female" and row["national_code"] and row["birth_date"] < "1385"
        ][:5000]


def _notification(reference: str, mother: str, days_ago: int) -> dict[str, Any]:
    return {
        "reference": reference,
        "sex": "female" if days_ago % 2 else "male",
        "birth_date": (dt.date.today() - dt.timedelta(days=days_ago)).isoformat(),
        "county": COUNTY,
        "birth_order": 1,
        "weight_grams": 3000 + days_ago,
        "mother": {"national_code": mother},
    }


def _bodies(workdir: Path, name: str, mothers: list[str]) -> Path:
    path = workdir / f"notifications-{name}.jsonl"
    with path.open("w", encoding="utf-8") as file:
        for i in range(PER_ROUND):
            file.write(json.dumps(_notification(f"{name}-{i}", mothers[i % len(mothers)], 1 + i % 300)) + "\n")
    return path


def _measure(base: str, key: str, mothers: list[str], workdir: Path, label: str) -> dict[str, Any]:
    warm = ["notify", str(_bodies(workdir, f"{label}-warm", mothers)), key]
    wrk_round(base, warm, 2, CONNECTIONS, timeout_seconds=TIMEOUT)
    rounds: dict[str, list[dict[str, Any]]] = {"noop": [], "notify": []}
    for number in range(ROUNDS):
        rounds["noop"].append(wrk_round(base, ["noop"], ROUND_SECONDS, CONNECTIONS))
        bodies = _bodies(workdir, f"{label}-{number}", mothers)
        notify = ["notify", str(bodies), key]
        rounds["notify"].append(wrk_round(base, notify, ROUND_SECONDS, CONNECTIONS, timeout_seconds=TIMEOUT))
    return load_summary(rounds, "notify")


def _sent_to_read(base: str, key: str, mothers: list[str], label: str) -> float:
    """The median milliseconds from sending a notification to a clerk's read of it, one at a time."""
    token = httpx.post(f"{base}/api/auth/token", data={"username": "bench.head", "password": "bench password"})
    staff = {"Authorization": f"Bearer {token.json()['access_token']}"}
    times = []
    with httpx.Client(base_url=base) as client:
        for i in range(OPENED):
            started = time.perf_counter()
            sent = client.post(
                "/api/notifications/births",
                json=_notification(f"{label}-opened-{i}", mothers[i], 1 + i),
                headers={"X-API-Key": key},
            )
            read = client.get(f"/api/notifications/{sent.json()['id']}", headers=staff)
            assert read.status_code == 200, read.text
            times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def _report(backend: str, people: int, workers: int, measured: dict[str, Any]) -> None:
    notify, noop = measured["notify"], measured["noop"]
    report(
        f"notifications ({backend}, {people:,} people, {workers} server process(es))",
        f"{notify['per_second']:,.0f} birth notifications/s, p50 {notify['p50_ms']} ms, p99 {notify['p99_ms']} ms; "
        f"sent to read by a clerk {measured['sent_to_read_ms']} ms (no-op: {noop['per_second']:,.0f}/s)",
        measured["ratio"],
        "a no-op endpoint (/health)",
    )
