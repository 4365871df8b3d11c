"""The yes/no identity check under load: a real HTTP load generator on loopback against `sabt serve` over a
registry of N people, against a no-op endpoint (/health) of the same server under the same load.

The generator is wrk (C, from Debian: `apt-get install wrk`), one thread with a fixed number of connections,
each sending its next request as soon as the last one is answered (bench/load.lua); the server runs in its
own process. A generator in Python took about 2 ms of CPU a request from the two cores the server needs,
and its own queueing showed as the server's p99. Rounds alternate between the two endpoints so both see the
same machine load. The server is measured as one process and as one process per core (`--workers`).
"""

import csv
import json
import os
import random
from pathlib import Path
from typing import Any

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

CONNECTIONS = 8
WORKERS = sorted({1, os.cpu_count() or 1})
ROUND_SECONDS = 8.0
ROUNDS = 3
POLICY = {"checks": ["verify"], "alive_status": True, "purpose": "benchmark"}


def run_verify(people: int, workdir: Path, backends: tuple[str, ...]) -> None:
    folder = workdir / "verify-nation"
    generate_nation(SynthRequest(people=people, years=1, seed=5), folder)
    queries = _queries(folder / "persons.csv", 5000)
    result = load_header(people, connections=CONNECTIONS, round_seconds=ROUND_SECONDS, rounds=ROUNDS)
    for backend in backends:
        with fresh_registry(backend, workdir) as ctx:
            timed_import(ctx, office_head(ctx), folder / "persons.csv")
            key = partner_key(ctx, code="bench-bank", kind="bank", policy=POLICY)
            result[backend] = {}
            for workers in WORKERS:
                with SabtServer(ctx.settings.resolved_database_url(), workdir, workers) as base:
                    measured = _measure(base, key, queries, workdir)
                result[backend][f"{workers} process{'es' if workers > 1 else ''}"] = measured
                _report(backend, people, workers, measured)
    write_result("verify", result)


def _report(backend: str, people: int, workers: int, measured: dict[str, Any]) -> None:
    check, noop = measured["verify"], measured["noop"]
    report(
        f"verify ({backend}, {people:,} people, {workers} server process(es))",
        f"{check['per_second']:,.0f} checks/s, p50 {check['p50_ms']} ms, p99 {check['p99_ms']} ms "
        f"(no-op: {noop['per_second']:,.0f}/s, p99 {noop['p99_ms']} ms)",
        measured["ratio"],
        "a no-op endpoint (/health)",
    )


def _queries(path: Path, count: int) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row["national_code"]]
    sample = random.Random(11).sample(rows, min(count, len(rows)))  # noqa: S311 (a reproducible sample)
    return [
        {
            "national_code": row["national_code"],
            "first_name": row["first_name"],
            "birth_date": row["birth_date"],
            "purpose": "benchmark",
        }
        for row in sample
    ]


def _measure(base: str, key: str, queries: list[dict[str, str]], workdir: Path) -> dict[str, Any]:
    bodies = workdir / "verify-bodies.jsonl"
    bodies.write_text("".join(json.dumps(query, ensure_ascii=False) + "\n" for query in queries), encoding="utf-8")
    arguments = {"noop": ["noop"], "verify": ["verify", str(bodies), key]}
    wrk_round(base, arguments["verify"], 2, CONNECTIONS)  # warm up
    rounds: dict[str, list[dict[str, Any]]] = {"noop": [], "verify": []}
    for _ in range(ROUNDS):
        for name in ("noop", "verify"):
            rounds[name].append(wrk_round(base, arguments[name], ROUND_SECONDS, CONNECTIONS))
    return load_summary(rounds, "verify")
