"""Availability on a replicated cluster: three PostgreSQL nodes managed by Patroni with etcd, commits waiting
for one synchronous standby (`sabt.local_cluster`), and `sabt serve` on top, with reads on the standbys.

- The failover drill (bench/failover.py), five times: registrations and partners' identity checks run while
  the primary's postmaster is killed with SIGKILL. Reported: the seconds from the kill to the first
  acknowledged registration (the write outage), against the seconds Patroni took to report a new leader in
  the same drill (the failover manager's own part, which Sabt cannot shorten); acknowledged registrations
  missing afterwards (must be 0); the share of identity checks answered with an error between the kill and
  the first write; the standbys' replay lag under that load; the ledger's audit after all five.
- Reads: partners' identity checks and staff look-ups of a person by national code under load (wrk, as
  the verify benchmark), with reads on the primary alone, on one standby and on two: three servers side by
  side, rounds alternating, each against reads on the primary alone.

Every node, the server and the load generator share this machine's cores, so the reads' figures show what
sending reads to standbys costs or saves on one host, not the scale-out of standbys on hosts of their own.
Needs Debian's patroni, etcd-server, pgbackrest and wrk.
"""

import csv
import json
import random
import shutil
import statistics
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from sabt.accounts.schemas import UserIn
from sabt.accounts.service import create_user
from sabt.bootstrap import build_context
from sabt.clock import SystemClock
from sabt.config import Settings
from sabt.context import Context
from sabt.db import open_database
from sabt.ledger import service as ledger
from sabt.ledger.audit import audit
from sabt.local_cluster import LocalCluster, running_cluster
from sabt.migrations import upgrade
from sabt.registry.persons.models import Person
from sabt.synth.service import SynthRequest, generate_nation

from .common import SabtServer, office_head, partner_key, report, write_result, wrk_round
from .failover import Drill, lag_summary, run_drill
from .loading import timed_import

DRILLS = 5
OUTAGE_BOUND_SECONDS = 60.0
CONNECTIONS = 8
ROUND_SECONDS = 6.0
ROUNDS = 3
STAFF_PASSWORD = "bench password"  # noqa: S105 (a throwaway benchmark registry)
NEEDED = ("patroni", "etcd", "pgbackrest", "wrk")


def run_availability(people: int, workdir: Path) -> None:
    missing = [program for program in NEEDED if shutil.which(program) is None]
    if missing:
        needs = ", ".join(missing)
        raise SystemExit(f"the availability benchmark needs {needs} (Debian: patroni etcd-server pgbackrest wrk)")
    nation = workdir / "availability-nation"
    generate_nation(SynthRequest(people=people, years=1, seed=7), nation)
    with running_cluster(workdir / "cluster") as cluster:
        ctx = _registry(cluster, workdir / "availability-data")
        try:
            timed_import(ctx, office_head(ctx), nation / "persons.csv")
            for role in ("clerk", "registrar"):
                user = UserIn(username=f"bench.{role}", password=STAFF_PASSWORD, role=role, office="BENCH")
                create_user(ctx, actor=None, user=user)
            key = _partner_key(ctx)
            queries = _sample(nation / "persons.csv", 2000)
            result: dict[str, Any] = {"people": people, "drills": DRILLS}
            result["failover"] = _drills(ctx, cluster, key, queries[0])
            result["reads"] = _reads(ctx, cluster, key, queries, workdir)
        finally:
            ctx.db.dispose()
    write_result("availability", result)


def _registry(cluster: LocalCluster, data: Path) -> Context:
    settings = Settings(
        database_url=cluster.url(),
        read_database_url=cluster.url(standby=True),
        data_dir=data,
        checkpoint_seconds=0,
        webhook_seconds=0,
        second_factor=False,
    )
    database = open_database(settings.database_url, read_url=settings.read_database_url)
    ctx = build_context(database, settings, SystemClock())
    upgrade(ctx)
    return ctx


def _server(ctx: Context, read_url: str | None) -> SabtServer:
    environment = {"SABT_SECOND_FACTOR": "false", "SABT_READ_DATABASE_URL": read_url or ""}
    return SabtServer(ctx.settings.database_url, ctx.settings.data_dir, 1, environment)


def _partner_key(ctx: Context) -> str:
    policy = {"checks": ["verify"], "alive_status": True, "purpose": "benchmark"}
    return partner_key(ctx, code="bench-bank", kind="bank", policy=policy)


def _sample(path: Path, count: int) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row["national_code"] and not row["death_date"]]
    sample = random.Random(13).sample(rows, min(count, len(rows)))  # noqa: S311 (a reproducible sample)
    return [
        {"national_code": row["national_code"], "first_name": row["first_name"], "purpose": "benchmark"}
        for row in sample
    ]


def _token(base: str, role: str) -> str:
    answer = httpx.post(f"{base}/api/auth/token", data={"username": f"bench.{role}", "password": STAFF_PASSWORD})
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


# --- failover ----------------------------------------------------------------------------------------------


def _drills(ctx: Context, cluster: LocalCluster, key: str, query: dict[str, str]) -> dict[str, Any]:
    drills: list[Drill] = []
    lost: list[int] = []
    for number in range(1, DRILLS + 1):
        cluster.wait_until_healthy()
        ledger.sign_checkpoint(ctx)
        with _server(ctx, ctx.settings.read_database_url) as base:
            tokens = {role: _token(base, role) for role in ("clerk", "registrar")}
            drill = run_drill(cluster, base, tokens, (key, query), bound=OUTAGE_BOUND_SECONDS)
        cluster.wait_until_healthy()
        drills.append(drill)
        lost.append(_missing(ctx, drill.acknowledged))
        print(
            f"  drill {number}: writes back after {_seconds(drill.outage_seconds)}, Patroni's new leader after "
            f"{_seconds(drill.promotion_seconds)}, {len(drill.acknowledged)} registrations acknowledged, "
            f"{lost[-1]} lost",
            flush=True,
        )
    findings = audit(ctx).findings
    outage = _median([drill.outage_seconds for drill in drills])
    promotion = _median([drill.promotion_seconds for drill in drills])
    summary = {
        "write_outage_seconds": [drill.outage_seconds for drill in drills],
        "patroni_promotion_seconds": [drill.promotion_seconds for drill in drills],
        "median_write_outage_seconds": outage,
        "median_patroni_promotion_seconds": promotion,
        "acknowledged_registrations": sum(len(drill.acknowledged) for drill in drills),
        "lost_acknowledged_registrations": sum(lost),
        "server_failures": sum(len(drill.failures) for drill in drills),
        "check_error_rate_during_switch": statistics.median(drill.checks_failed_during_switch() for drill in drills),
        "replay_lag": lag_summary(drills),
        "audit_findings": len(findings),
    }
    report(
        f"failover (median of {DRILLS} kill -9 of the primary)",
        f"writes back after {outage:.2f} s, {sum(lost)} of {summary['acknowledged_registrations']} acknowledged "
        f"registrations lost, {summary['check_error_rate_during_switch']:.0%} of identity checks refused (503) "
        f"during the switch, replay lag median {summary['replay_lag']['median_ms']:.1f} ms, "
        f"{len(findings)} audit findings",
        promotion / outage if outage else 0.0,
        "Patroni's own promotion time in the same drills",
    )
    return summary


def _missing(ctx: Context, acknowledged: list[str]) -> int:
    with ctx.db.transaction() as session:  # the new primary
        stored = set(session.scalars(select(Person.national_code).where(Person.national_code.in_(acknowledged))))
    return len(set(acknowledged) - stored)


def _median(values: list[float | None]) -> float:
    """A drill whose writes never came back counts as the bound, so that it cannot flatter the median."""
    return statistics.median(OUTAGE_BOUND_SECONDS if value is None else value for value in values)


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


# --- reads -------------------------------------------------------------------------------------------------


def _reads(
    ctx: Context, cluster: LocalCluster, key: str, queries: list[dict[str, str]], workdir: Path
) -> dict[str, Any]:
    cluster.wait_until_healthy()
    standbys = cluster.standbys()
    layouts = {
        "primary alone": None,
        "1 standby": cluster.url(standby=True, nodes=standbys[:1]),
        "2 standbys": cluster.url(standby=True, nodes=standbys),
    }
    bodies, codes = workdir / "availability-bodies.jsonl", workdir / "availability-codes.txt"
    bodies.write_text("".join(_json_line(query) for query in queries), encoding="utf-8")
    codes.write_text("".join(f"{query['national_code']}\n" for query in queries), encoding="utf-8")
    with ExitStack() as running:
        bases = {layout: running.enter_context(_server(ctx, url)) for layout, url in layouts.items()}
        clerk = _token(bases["primary alone"], "clerk")
        loads = {
            "identity check": ["verify", str(bodies), key],
            "staff look-up": ["person", str(codes), clerk],
            "no-op": ["noop"],
        }
        rounds: dict[tuple[str, str], list[dict[str, Any]]] = {(at, name): [] for at in layouts for name in loads}
        for base in bases.values():
            for arguments in loads.values():
                wrk_round(base, arguments, 2, CONNECTIONS)  # warm up
        for _ in range(ROUNDS):
            for layout, base in bases.items():
                for name, arguments in loads.items():
                    rounds[(layout, name)].append(wrk_round(base, arguments, ROUND_SECONDS, CONNECTIONS))
    summary: dict[str, Any] = {}
    for name in loads:
        summary[name] = {layout: _throughput(rounds[(layout, name)]) for layout in layouts}
        alone = summary[name]["primary alone"]["per_second"]
        for layout in ("1 standby", "2 standbys"):
            measured = summary[name][layout]
            measured["ratio"] = round(measured["per_second"] / alone, 3)
            report(
                f"{name} with reads on {layout}",
                f"{measured['per_second']:,}/s, p99 {measured['p99_ms']} ms (primary alone: {alone:,}/s)",
                measured["ratio"],
                "reads on the primary alone",
            )
    return summary


def _json_line(query: dict[str, str]) -> str:
    return json.dumps(query, ensure_ascii=False) + "\n"


def _throughput(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "per_second": round(statistics.median(run["requests"] / run["seconds"] for run in runs)),
        "p50_ms": statistics.median(run["p50_ms"] for run in runs),
        "p99_ms": statistics.median(run["p99_ms"] for run in runs),
    }
