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
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from sabt.synth.service import SynthRequest, generate_nation
from sabt.verification import service as verification
from sabt.verification.schemas import PartnerIn

from .common import fresh_registry, office_head, postgres_version, report, write_result
from .loading import timed_import

CONNECTIONS = 8
WORKERS = sorted({1, os.cpu_count() or 1})
ROUND_SECONDS = 8.0
ROUNDS = 3
POLICY = {"checks": ["verify"], "alive_status": True, "purpose": "benchmark"}
LOAD_SCRIPT = Path(__file__).with_name("load.lua")


def run_verify(people: int, workdir: Path, backends: tuple[str, ...]) -> None:
    folder = workdir / "verify-nation"
    generate_nation(SynthRequest(people=people, years=1, seed=5), folder)
    queries = _queries(folder / "persons.csv", 5000)
    result: dict[str, Any] = {
        "people": people,
        "connections": CONNECTIONS,
        "round_seconds": ROUND_SECONDS,
        "rounds": ROUNDS,
        "postgres": postgres_version(),
    }
    for backend in backends:
        with fresh_registry(backend, workdir) as ctx:
            timed_import(ctx, office_head(ctx), folder / "persons.csv")
            partner = PartnerIn.model_validate(
                {
                    "code": "bench-bank",
                    "name": "Bench",
                    "kind": "bank",
                    "contact": "-",
                    "policy": POLICY,
                    "rate_per_minute": 100_000,
                }
            )
            verification.create_partner(ctx, actor=None, partner=partner)
            key = verification.create_key(ctx, actor=None, partner_code="bench-bank").api_key
            assert key is not None
            result[backend] = {}
            for workers in WORKERS:
                with _server(ctx.settings.resolved_database_url(), workdir, workers) as base:
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


class _server:
    def __init__(self, database_url: str, workdir: Path, workers: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = os.environ | {
            "SABT_DATABASE_URL": database_url,
            "SABT_DATA_DIR": str(workdir),
            "SABT_CHECKPOINT_SECONDS": "0",
            "SABT_WEBHOOK_SECONDS": "0",
        }
        sabt = Path(sys.executable).with_name("sabt")
        command = [str(sabt), "serve", "--port", str(self.port), "--workers", str(workers)]
        self.process = subprocess.Popen(  # noqa: S603 (the command is this interpreter's own sabt)
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self) -> str:
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    return base
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _measure(base: str, key: str, queries: list[dict[str, str]], workdir: Path) -> dict[str, Any]:
    bodies = workdir / "verify-bodies.jsonl"
    bodies.write_text("".join(json.dumps(query, ensure_ascii=False) + "\n" for query in queries), encoding="utf-8")
    arguments = {"noop": ["noop"], "verify": ["verify", str(bodies), key]}
    _wrk(base, arguments["verify"], 2)  # warm up
    rounds: dict[str, list[dict[str, Any]]] = {"noop": [], "verify": []}
    for _ in range(ROUNDS):
        for name in ("noop", "verify"):
            rounds[name].append(_wrk(base, arguments[name], ROUND_SECONDS))
    summary: dict[str, Any] = {
        name: {
            "per_second": round(statistics.median(r["requests"] / r["seconds"] for r in runs)),
            "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        }
        for name, runs in rounds.items()
    }
    summary["ratio"] = round(summary["verify"]["per_second"] / summary["noop"]["per_second"], 3)
    return summary


def _wrk(base: str, arguments: list[str], seconds: float) -> dict[str, Any]:
    """One round of wrk; refuses a round with an error or an answer that is not a match."""
    if shutil.which("wrk") is None:
        raise SystemExit("the verify benchmark needs wrk: apt-get install wrk")
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "-s", str(LOAD_SCRIPT), base, "--", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["unexpected"] or figures["errors"]:
        raise RuntimeError(f"unexpected answers under load: {figures}")
    return figures
