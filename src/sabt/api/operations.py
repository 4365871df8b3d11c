"""What an operator's tools read off a server: `/metrics` for Prometheus, `/health/live` and `/health/ready` for
a load balancer or systemd, and every request's id in its answer and its log lines.

`/metrics` needs the bearer token in the data directory's `keys/metrics-token` (made on first start, owner-only):
it names partners and offices and how busy they are, which is not for everyone. The health answers say only
what is wrong, never a record.
"""

import contextlib
import logging
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security.utils import get_authorization_scheme_param
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Settings
from ..context import Context
from ..core.errors import MetricsToken
from ..db import database_unavailable, standby_lag
from ..keys.files import write_owner_only
from ..ledger import service as ledger
from ..logs import CALLERS_REQUEST_ID, REQUEST_ID
from ..metrics import REQUEST_SECONDS, REQUESTS, process_registry
from ..verification import service as verification

router = APIRouter(tags=["operations"])
log = logging.getLogger("sabt.api")
REQUEST_ID_HEADER = "X-Request-ID"


class RequestMetrics:
    """Gives each request an id (the caller's own when it is plain, see `logs.CALLERS_REQUEST_ID`), returns it
    in `X-Request-ID`, and counts the request and its time by the route's template once the answer is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        REQUEST_ID.set(request_id)
        status = 500  # what the caller gets when the app fails before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = _route_template(scope, status)
            REQUESTS.labels(method=scope["method"], route=route, status=str(status)).inc()
            REQUEST_SECONDS.labels(method=scope["method"], route=route).observe(time.perf_counter() - started)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            offered: str = value.decode("latin-1")
            if CALLERS_REQUEST_ID.fullmatch(offered):
                return offered
    return secrets.token_hex(8)


def _route_template(scope: Scope, status: int) -> str:
    """The matched route's path as written in the code (`/api/persons/{national_code}`), never the address
    asked for: the address can hold a national code, and every distinct label is a new series in Prometheus."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return "unmatched" if status == 404 else "other"
    # A route's own path leaves out the prefix it was included under (`/api`): literal segments, the same
    # in the address asked for, which has them in front of as many segments as the route's path has.
    asked, own = scope["path"].split("/"), template.split("/")
    if ":path}" in template or len(asked) < len(own):
        return template
    return "/".join(asked[: len(asked) - len(own) + 1]) + template


# --- /metrics -----------------------------------------------------------------------------------------


def metrics_token(settings: Settings) -> str:
    """The bearer token Prometheus scrapes with: a local secret, made on first use."""
    path = settings.secret_file("metrics-token")
    with contextlib.suppress(FileExistsError):
        write_owner_only(path, secrets.token_urlsafe(32).encode())
    return path.read_text().strip()


@dataclass(frozen=True, eq=False)  # registered by identity
class RegistryState:
    """The registry's state as gauges, read from the database at each scrape: the same for every process."""

    context: Context

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("sabt_database_up", "1 when the database answered this scrape's queries")
        try:
            families = list(self._families())
        except Exception as error:
            if not _database_gone(error):
                raise
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[GaugeMetricFamily]:
        state = ledger.ledger_state(self.context)
        now = self.context.now()
        yield _gauge("sabt_ledger_leaves", "Leaves in the ledger", state.size)
        # 0 before the first checkpoint, so that an alert on leaves not yet covered fires then too.
        covered = state.checkpoint_size or 0
        yield _gauge("sabt_ledger_checkpoint_leaves", "Leaves the latest checkpoint covers", covered)
        if state.checkpoint_signed_at is not None:
            age = (now - state.checkpoint_signed_at).total_seconds()
            yield _gauge("sabt_ledger_checkpoint_age_seconds", "Seconds since the latest checkpoint was signed", age)
        if state.cosigned_at is not None:
            age = (now - state.cosigned_at).total_seconds()
            yield _gauge("sabt_ledger_cosignature_age_seconds", "Seconds since a witness last cosigned", age)
        backlog = verification.relay_backlog(self.context)
        yield _gauge("sabt_outbox_backlog", "Outbox messages not yet fanned out to webhooks", backlog.messages)
        yield _gauge("sabt_webhook_deliveries_pending", "Webhook deliveries waiting to be sent", backlog.deliveries)
        yield from _standby_families(self.context)


def _database_gone(error: Exception) -> bool:
    return isinstance(error, DBAPIError) and database_unavailable(error)


def _standby_families(context: Context) -> Iterator[GaugeMetricFamily]:
    if context.db.is_sqlite:
        return
    standbys = standby_lag(context.db)
    seconds = GaugeMetricFamily(
        "sabt_standby_replay_lag_seconds",
        "How far a standby's replay is behind the primary",
        labels=["standby", "sync"],
    )
    behind = GaugeMetricFamily(
        "sabt_standby_replay_lag_bytes",
        "WAL the primary wrote that a standby has not replayed",
        labels=["standby", "sync"],
    )
    for standby in standbys:
        seconds.add_metric([standby.name, standby.sync_state], standby.replay_seconds)
        behind.add_metric([standby.name, standby.sync_state], standby.replay_bytes)
    yield _gauge("sabt_standbys_streaming", "Standbys streaming from the primary", len(standbys))
    yield seconds
    yield behind


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def state_registry(context: Context) -> CollectorRegistry:
    registry = CollectorRegistry()
    collector: Collector = RegistryState(context)
    registry.register(collector)
    return registry


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    if scheme.lower() != "bearer" or not secrets.compare_digest(token, request.app.state.metrics_token):
        raise MetricsToken()
    counted = generate_latest(process_registry())
    state = await run_in_threadpool(generate_latest, request.app.state.registry_state)
    return Response(counted + state, media_type=CONTENT_TYPE_LATEST)


# --- health -------------------------------------------------------------------------------------------


@router.get("/health/live", tags=["meta"])
def live() -> dict[str, str]:
    """The process answers: restart it if this fails."""
    return {"status": "live"}


@router.get("/health/ready", tags=["meta"], responses={503: {"description": "Not ready, with the reasons"}})
def ready(request: Request) -> JSONResponse:
    """Whether to send this process work: the database takes writes and the ledger's key is at hand."""
    context: Context = request.app.state.context
    problems = _readiness_problems(context)
    if problems:
        return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ready"})


def _readiness_problems(context: Context) -> list[str]:
    """Each check's problem, or none. Any failure of a check counts against readiness (and is logged): a
    probe that raised would tell the load balancer nothing."""
    problems = []
    for name, check in (("database", _database_problem), ("ledger key", _ledger_key_problem)):
        try:
            problem = check(context)
        except Exception as error:
            log.warning("readiness check %s failed", name, exc_info=error)
            problem = "unreachable" if _database_gone(error) else f"failed ({type(error).__name__})"
        if problem:
            problems.append(f"{name}: {problem}")
    return problems


def _database_problem(context: Context) -> str | None:
    if context.db.is_sqlite:
        path = Path(context.db.url.split("///", 1)[-1])
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    else:
        with context.db.latest_reads.connect() as connection:
            query = text("SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'")
            writable = bool(connection.execute(query).scalar())
    return None if writable else "read-only"


def _ledger_key_problem(context: Context) -> str | None:
    # A new registry makes its ledger key at its first write; one that has written must still hold it.
    state = ledger.ledger_state(context)
    return "missing from the key store" if state.size > 0 and not state.key_present else None
