"""What every benchmark shares: the machine's description, medians, fresh databases, result files."""

import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

from sabt.accounts.schemas import UserIn
from sabt.accounts.service import actor_for_username, create_user
from sabt.bootstrap import build_context
from sabt.clock import SystemClock
from sabt.config import Settings
from sabt.context import Context
from sabt.core.permissions import Actor
from sabt.db import open_database
from sabt.geo.schemas import OfficeIn
from sabt.geo.service import create_office
from sabt.migrations import upgrade
from sabt.verification import service as verification
from sabt.verification.schemas import PartnerIn

RESULTS = Path(__file__).parent / "results"
LOAD_SCRIPT = Path(__file__).with_name("load.lua")
POSTGRES = os.environ.get("SABT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    body = {
        "benchmark": name,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **result,
    }
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def report(name: str, figure: str, ratio: float, baseline: str) -> None:
    print(f"{name}: {figure}; ratio {ratio:.3f} against {baseline}", flush=True)


def postgres_version() -> str:
    with psycopg.connect(make_url(POSTGRES).set(drivername="postgresql").render_as_string(hide_password=False)) as db:
        row = db.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


@contextmanager
def fresh_registry(backend: str, workdir: Path, *, keep: bool = False) -> Iterator[Context]:
    """A new, migrated registry on `backend` ("sqlite" or "postgresql") with one importing office head."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"

        def drop() -> None:
            """A SQLite registry is a file in the scratch folder, removed with it."""
    else:
        name = f"sabt_bench_{uuid.uuid4().hex[:8]}"
        base = make_url(POSTGRES)
        admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        url = base.set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            with psycopg.connect(admin, autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    ctx = build_context(
        open_database(url),
        Settings(database_url=url, data_dir=workdir, checkpoint_seconds=0, webhook_seconds=0),
        SystemClock(),
    )
    try:
        upgrade(ctx)
        yield ctx
    finally:
        ctx.db.dispose()
        if not keep:
            drop()


def office_head(ctx: Context) -> Actor:
    create_office(ctx, actor=None, office=OfficeIn(code="BENCH", name_fa="اداره سنجش", county="2301"))
    password = "bench password"  # noqa: S105 (a throwaway benchmark registry)
    create_user(
        ctx, actor=None, user=UserIn(username="bench.head", password=password, role="office_head", office="BENCH")
    )
    return actor_for_username(ctx, "bench.head")


class SabtServer:
    """`sabt serve` in a process of its own on a free port; `environment` adds or overrides settings."""

    def __init__(
        self, database_url: str, workdir: Path, workers: int, environment: dict[str, str] | None = None
    ) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = os.environ | {
            "SABT_DATABASE_URL": database_url,
            "SABT_DATA_DIR": str(workdir),
            "SABT_CHECKPOINT_SECONDS": "0",
            "SABT_WEBHOOK_SECONDS": "0",
            **(environment or {}),
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


def partner_key(ctx: Context, *, code: str, kind: str, policy: dict[str, Any]) -> str:
    """A partner with this policy and no rate limit to speak of, and the whole of its new API key."""
    partner = {
        "code": code,
        "name": "Bench",
        "kind": kind,
        "contact": "-",
        "policy": policy,
        "rate_per_minute": 100_000,
    }
    verification.create_partner(ctx, actor=None, partner=PartnerIn.model_validate(partner))
    key = verification.create_key(ctx, actor=None, partner_code=code).api_key
    assert key is not None
    return key


def load_header(people: int, *, connections: int, round_seconds: float, rounds: int) -> dict[str, Any]:
    """What a wrk benchmark's result file says of its setup."""
    return {
        "people": people,
        "connections": connections,
        "round_seconds": round_seconds,
        "rounds": rounds,
        "postgres": postgres_version(),
    }


def load_summary(rounds: dict[str, list[dict[str, Any]]], measured: str) -> dict[str, Any]:
    """Rounds of wrk by endpoint, as medians (rate, p50, p99), and the ratio of `measured` to the no-op."""
    summary: dict[str, Any] = {
        name: {
            "per_second": round(statistics.median(r["requests"] / r["seconds"] for r in runs)),
            "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        }
        for name, runs in rounds.items()
    }
    summary["ratio"] = round(summary[measured]["per_second"] / summary["noop"]["per_second"], 3)
    return summary


def wrk_round(
    base: str, arguments: list[str], seconds: float, connections: int, *, timeout_seconds: float = 2.0
) -> dict[str, Any]:
    """One round of wrk with bench/load.lua; refuses a round with an error or an unexpected answer (an answer
    slower than `timeout_seconds`, wrk's own 2 s by default, is an error)."""
    if shutil.which("wrk") is None:
        raise SystemExit("this benchmark drives the server with wrk: apt-get install wrk")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", f"--timeout={timeout_seconds:g}s"]
    command += ["-s", str(LOAD_SCRIPT), base, "--", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["unexpected"] or figures["errors"]:
        raise RuntimeError(f"unexpected answers under load: {figures}")
    return figures
