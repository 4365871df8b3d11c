"""What a server process counts for its operators, exposed at `/metrics` in Prometheus's format.

Counters and histograms live in the process that counts. With several server processes (`sabt serve
--workers N`) the supervisor gives them one folder (`PROMETHEUS_MULTIPROC_DIR`) where each keeps its values in
files, and any process answering `/metrics` adds them all up. Labels name routes by their template
(`/api/persons/{code}`), offices and partners by their codes: never a national code, a name or an address.
"""

import os
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

MULTIPROCESS_FOLDER = "PROMETHEUS_MULTIPROC_DIR"

# From a cached yes/no check (about a millisecond) to a slow page or a large export.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "sabt_http_requests", "HTTP requests answered, by route template and status", ["method", "route", "status"]
)
REQUEST_SECONDS = Histogram(
    "sabt_http_request_duration_seconds",
    "Time from a request's arrival to its answer's last byte, by route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
IDENTITY_CHECKS = Counter(
    "sabt_identity_checks",
    "Partner identity checks answered, by partner code, check (verify, ekyc) and result",
    ["partner", "check", "result"],
)
REGISTRATIONS = Counter(
    "sabt_registrations", "Events registered (committed), by office code and kind", ["office", "kind"]
)
CONNECTIONS_IN_USE = Gauge(
    "sabt_database_connections_in_use",
    "Database connections checked out of the pool, by pool (writer, reader)",
    ["pool"],
    multiprocess_mode="livesum",
)
CONNECTIONS_OPEN = Gauge(
    "sabt_database_connections_open",
    "Database connections the pool holds open, by pool (writer, reader)",
    ["pool"],
    multiprocess_mode="livesum",
)


def process_registry() -> CollectorRegistry:
    """The counters to expose: this process's own, or, under several processes, all of theirs added up."""
    if MULTIPROCESS_FOLDER not in os.environ:
        from prometheus_client import REGISTRY

        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call] # the library's own function, unannotated
    return registry


def count_registration_when_committed(session: Session, *, office: str, kind: str) -> None:
    """Count a registration once its transaction commits: a rolled-back one registered nothing."""
    counted = REGISTRATIONS.labels(office=office, kind=kind)
    event.listen(session, "after_commit", lambda _session: counted.inc(), once=True)


def watch_pool(engine: Engine, pool: str) -> None:
    """Keep the pool gauges current from the pool's own events."""
    in_use, opened = CONNECTIONS_IN_USE.labels(pool=pool), CONNECTIONS_OPEN.labels(pool=pool)
    listeners: dict[str, Callable[..., None]] = {
        "connect": lambda *_: opened.inc(),
        "close": lambda *_: opened.dec(),
        "close_detached": lambda *_: opened.dec(),
        "checkout": lambda *_: in_use.inc(),
        "checkin": lambda *_: in_use.dec(),
    }
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
