"""Looking a person up by national code: the service layer (which writes the read to the staff access log
before answering) against a raw indexed SELECT; and the access-log write alone."""

import random
import statistics
import time
from typing import Any

from sqlalchemy import func, select, text

from sabt.access.service import record_reads
from sabt.context import Context
from sabt.core.permissions import Actor
from sabt.registry.persons.models import Person
from sabt.registry.service import get_person

RAW_LOOKUP = text("SELECT * FROM persons WHERE national_code = :code")


def sample_codes(ctx: Context, count: int) -> list[str]:
    with ctx.db.snapshot() as session:
        highest = session.scalar(select(func.max(Person.id))) or 0
        ids = random.Random(7).sample(  # noqa: S311 (a reproducible sample, not a secret)
            range(1, highest + 1), min(count, highest)
        )
        return list(session.scalars(select(Person.national_code).where(Person.id.in_(ids))))


def measure_lookups(ctx: Context, actor: Actor, count: int) -> dict[str, Any]:
    """Each code looked up both ways, one after the other in alternating order, so that both see the same
    machine load and each pays for an uncached page half the time. The service
    call opens its own read transaction and builds the whole record (parents, marriages, children); the
    raw one takes a pooled connection and reads the row. The access-log write (one row, its ledger leaf, a
    commit) is timed alone too: the part of a look-up that is the log."""
    codes = sample_codes(ctx, count)
    engine = ctx.db.reader.kw["bind"]
    service: list[float] = []
    raw: list[float] = []
    logged: list[float] = []

    def through_service(code: str) -> None:
        started = time.perf_counter()
        get_person(ctx, actor=actor, national_code=code)
        service.append(time.perf_counter() - started)

    def raw_select(code: str) -> None:
        started = time.perf_counter()
        with engine.connect() as connection:
            connection.execute(RAW_LOOKUP, {"code": code}).one()
        raw.append(time.perf_counter() - started)

    def access_log(code: str) -> None:
        started = time.perf_counter()
        record_reads(ctx, actor, [code], "record")
        logged.append(time.perf_counter() - started)

    for number, code in enumerate(codes):
        # Whichever reads a person first pays for the pages that are not cached yet: alternate the order.
        first, second = (through_service, raw_select) if number % 2 else (raw_select, through_service)
        first(code)
        second(code)
        access_log(code)
    service_ms, raw_ms, log_ms = summary_ms(service), summary_ms(raw), summary_ms(logged)
    return {
        "lookups": len(codes),
        "service_ms": service_ms,
        "raw_select_ms": raw_ms,
        "access_log_ms": log_ms,
        "ratio": round(raw_ms["median"] / service_ms["median"], 3),
        "access_log_share": round(log_ms["median"] / service_ms["median"], 3),
    }


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "median": round(statistics.median(ordered) * 1000, 3),
        "p95": round(ordered[int(len(ordered) * 0.95)] * 1000, 3),
    }
