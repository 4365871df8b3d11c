"""The yes/no identity check under load: a real HTTP load generator on loopback against `sabt serve` over a
registry of N people, against a no-op endpoint (/health) of the same server under the same load.

The generator is asyncio + httpx in this process, with a fixed number of connections each sending its next
request as soon as the last one is answered; the server runs in its own process. Rounds alternate between
the two endpoints so both see the same machine load.
"""

import asyncio
import csv
import os
import random
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
ROUND_SECONDS = 8.0
ROUNDS = 3
POLICY = {"checks": ["verify"], "alive_status": True, "purpose": "benchmark"}


def run_verify(people: int, workdir: Path, backends: tuple[str, ...]) -> None:
    folder = workdir / "verify-nation"
    generate_nation(SynthRequest(people=people, years=1, seed=5), folder)
    queries = _queries(folder / "persons.csv", 5000)
    result: dict[str, Any] = {"people": people, "connections": CONNECTIONS, "round_seconds": ROUND_SECONDS,
                              "rounds": ROUNDS, "postgres": postgres_version()}  # fmt: skip
    for backend in backends:
        with fresh_registry(backend, workdir) as ctx:
            timed_import(ctx, office_head(ctx), folder / "persons.csv")
            partner = PartnerIn.model_validate({"code": "bench-bank", "name": "Bench", "kind": "bank", "contact": "-",
                                                "policy": POLICY, "rate_per_minute": 100_000})  # fmt: skip
            verification.create_partner(ctx, actor=None, partner=partner)
            key = verification.create_key(ctx, actor=None, partner_code="bench-bank").api_key
            assert key is not None
            with _server(ctx.settings.resolved_database_url(), workdir) as base:
                measured = asyncio.run(_measure(base, key, queries))
        result[backend] = measured
        report(f"verify ({backend}, {people:,} people)",
               f"{measured['verify']['per_second']:,.0f} checks/s, p50 {measured['verify']['p50_ms']} ms, "
               f"p99 {measured['verify']['p99_ms']} ms", measured["ratio"], "a no-op endpoint (/health)")  # fmt: skip
    write_result("verify", result)


def _queries(path: Path, count: int) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row["national_code"]]
    sample = random.Random(11).sample(rows, min(count, len(rows)))  # noqa: S311 (a reproducible sample)
    return [{"national_code": row["national_code"], "first_name": row["first_name"], "birth_date": row["birth_date"],
             "purpose": "benchmark"} for row in sample]  # fmt: skip


class _server:
    def __init__(self, database_url: str, workdir: Path, **settings: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = os.environ | {"SABT_DATABASE_URL": database_url, "SABT_DATA_DIR": str(workdir),
                            "SABT_CHECKPOINT_SECONDS": "0", "SABT_WEBHOOK_SECONDS": "0", **settings}  # fmt: skip
        sabt = Path(sys.executable).with_name("sabt")
        self.process = subprocess.Popen([str(sabt), "serve", "--port", str(self.port)], env=env,  # noqa: S603
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

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


async def _measure(base: str, key: str, queries: list[dict[str, str]]) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {"noop": [], "verify": []}
    counts: dict[str, list[float]] = {"noop": [], "verify": []}
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await _round(client, "verify", key, queries, 2.0, [])  # warm up
        for _ in range(ROUNDS):
            for name in ("noop", "verify"):
                done = await _round(client, name, key, queries, ROUND_SECONDS, latencies[name])
                counts[name].append(done / ROUND_SECONDS)
    summary = {name: {"per_second": round(statistics.median(counts[name])),
                      "p50_ms": _percentile(latencies[name], 50), "p99_ms": _percentile(latencies[name], 99)}
               for name in latencies}  # fmt: skip
    summary["ratio"] = round(summary["verify"]["per_second"] / summary["noop"]["per_second"], 3)
    return summary


async def _round(client: httpx.AsyncClient, name: str, key: str, queries: list[dict[str, str]], seconds: float,
                 latencies: list[float]) -> int:  # fmt: skip
    stop = time.perf_counter() + seconds
    done = 0

    async def connection(offset: int) -> None:
        nonlocal done
        index = offset
        while time.perf_counter() < stop:
            started = time.perf_counter()
            if name == "noop":
                response = await client.get("/health")
            else:
                body = queries[index % len(queries)]
                response = await client.post("/api/identity/verify", json=body, headers={"X-API-Key": key})
                if response.status_code != 200 or response.json()["status"] != "match":
                    raise RuntimeError(f"unexpected answer: {response.status_code} {response.text[:200]}")
            latencies.append(time.perf_counter() - started)
            done += 1
            index += CONNECTIONS

    await asyncio.gather(*(connection(offset) for offset in range(CONNECTIONS)))
    return done


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, len(ordered) * percent // 100)] * 1000, 2)
