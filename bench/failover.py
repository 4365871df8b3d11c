"""The failover drill, shared by the test that asserts it and the benchmark that measures it: a load of
registrations (declare → validate → register over HTTP) and partners' identity checks against `sabt serve`
on a replicated cluster, the primary's postmaster killed with SIGKILL in the middle, and what the load saw."""

import datetime as dt
import itertools
import statistics
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field

import httpx
import psycopg

from sabt.local_cluster import LocalCluster

_documents = itertools.count(1)


@dataclass
class Drill:
    """What the load saw: each answer's moment and status, the national codes it was given, the transport
    failures (the server itself must stay up), and the standbys' replay lag sampled on the primary."""

    registrations: list[tuple[float, int]] = field(default_factory=list)
    # Each acknowledged registration's (moment its last step was sent, moment it was answered): one sent
    # before the kill may commit before it and be answered after, which is no proof that writes resumed.
    writes: list[tuple[float, float]] = field(default_factory=list)
    checks: list[tuple[float, int]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    replay_lag_seconds: list[float] = field(default_factory=list)
    killed_at: float = 0.0
    promoted_at: float | None = None  # when Patroni first reported a new leader running
    resumed_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def outage_seconds(self) -> float | None:
        return None if self.resumed_at is None else self.resumed_at - self.killed_at

    @property
    def promotion_seconds(self) -> float | None:
        return None if self.promoted_at is None else self.promoted_at - self.killed_at

    def checks_failed_during_switch(self) -> float:
        """The share of identity checks answered with an error between the kill and the first write after it."""
        end = self.resumed_at or float("inf")
        during = [status for at, status in self.checks if self.killed_at <= at <= end]
        return sum(status != 200 for status in during) / len(during) if during else 0.0

    def first_write_after(self, moment: float) -> float | None:
        """When the first registration sent after `moment` was acknowledged."""
        with self.lock:
            return min((answered for sent, answered in self.writes if sent > moment), default=None)


def run_drill(
    cluster: LocalCluster,
    base: str,
    tokens: dict[str, str],
    check: tuple[str, dict[str, str]],
    *,
    clerks: int = 3,
    partners: int = 2,
    before_kill: float = 3.0,
    after_resume: float = 3.0,
    bound: float = 30.0,
) -> Drill:
    """`check`: a partner's API key and the identity query it sends. Writes are waited for up to `bound`
    seconds after the kill."""
    drill, stop = Drill(), threading.Event()
    old_primary = cluster.leader()
    assert old_primary is not None
    load = [threading.Thread(target=_register_births, args=(base, tokens, drill, stop)) for _ in range(clerks)]
    load += [threading.Thread(target=_check_identities, args=(base, *check, drill, stop)) for _ in range(partners)]
    for thread in load:
        thread.start()
    _sample_replay_lag(cluster, drill, before_kill)
    drill.killed_at = time.monotonic()
    cluster.kill_postmaster(old_primary)
    deadline = drill.killed_at + bound
    while (drill.resumed_at is None or drill.promoted_at is None) and time.monotonic() < deadline:
        if drill.promoted_at is None and cluster.leader() not in (None, old_primary):
            drill.promoted_at = time.monotonic()
        drill.resumed_at = drill.first_write_after(drill.killed_at)
        time.sleep(0.05)
    time.sleep(after_resume)
    stop.set()
    for thread in load:
        thread.join(timeout=60)
    return drill


def _sample_replay_lag(cluster: LocalCluster, drill: Drill, seconds: float) -> None:
    """The standbys' replay lag as the primary reports it, sampled while the load runs."""
    leader = cluster.leader()
    assert leader is not None
    deadline = time.monotonic() + seconds
    with closing(psycopg.connect(cluster.node_url(leader), autocommit=True)) as primary:
        while time.monotonic() < deadline:
            lags = primary.execute(
                "SELECT coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication"
            ).fetchall()
            drill.replay_lag_seconds.extend(float(lag) for (lag,) in lags)
            time.sleep(0.2)


def lag_summary(drills: list[Drill]) -> dict[str, float]:
    samples = [lag for drill in drills for lag in drill.replay_lag_seconds] or [0.0]
    return {"median_ms": statistics.median(samples) * 1000, "max_ms": max(samples) * 1000}


def _register_births(base: str, tokens: dict[str, str], drill: Drill, stop: threading.Event) -> None:
    day = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    clerk = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens['clerk']}"}, timeout=30)
    registrar = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens['registrar']}"}, timeout=30)
    with clerk, registrar:
        while not stop.is_set():
            try:
                status, code, sent = _one_registration(clerk, registrar, day)
            except httpx.TransportError as error:
                with drill.lock:
                    drill.failures.append(f"registration: {error!r}")
                continue
            answered = time.monotonic()
            with drill.lock:
                drill.registrations.append((answered, status))
                if code is not None:
                    drill.acknowledged.append(code)
                    drill.writes.append((sent, answered))
            if status == 503:
                time.sleep(0.1)


def _one_registration(clerk: httpx.Client, registrar: httpx.Client, day: str) -> tuple[int, str | None, float]:
    """Declare, validate and register one birth: the status of the step that ended it, the national code
    when the registration was acknowledged, and the moment that step was sent."""
    sent = time.monotonic()
    declared = clerk.post("/api/events/births", json=birth_declaration(day))
    if declared.status_code != 201:
        return declared.status_code, None, sent
    event = declared.json()["id"]
    sent = time.monotonic()
    validated = registrar.post(f"/api/events/{event}/validate")
    if validated.status_code != 200:
        return validated.status_code, None, sent
    sent = time.monotonic()
    registered = registrar.post(f"/api/events/{event}/register")
    if registered.status_code != 200:
        return registered.status_code, None, sent
    code: str = registered.json()["subject_national_code"]
    return 200, code, sent


def birth_declaration(day: str) -> dict[str, object]:
    """A birth in Tehran declared by the father, with a hospital's certificate of its own number."""
    return {
        "first_name": "سارا",
        "last_name": "رضایی",
        "sex": "female",
        "birth_date": day,
        "county": "2301",
        "place": "تهران",
        "father": {"first_name": "علی", "last_name": "رضایی"},
        "mother": {"first_name": "مریم", "last_name": "احمدی"},
        "declarant": {"relation": "father"},
        "evidence": {
            "kind": "medical_certificate",
            "issuer": "facility",
            "issuer_name": "بیمارستان میلاد",
            "document_number": f"DRILL-{next(_documents)}-{time.time_ns()}",
        },
    }


def _check_identities(base: str, key: str, query: dict[str, str], drill: Drill, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as partner:
        while not stop.is_set():
            try:
                status = partner.post("/api/identity/verify", json=query).status_code
            except httpx.TransportError as error:
                with drill.lock:
                    drill.failures.append(f"check: {error!r}")
                continue
            with drill.lock:
                drill.checks.append((time.monotonic(), status))
            if status == 503:
                time.sleep(0.05)
