"""The ledger: bulk appends against hashing the same leaves with hashlib alone, proof time against a raw
primary-key read, and what the ledger adds to a registration (with it against without it)."""

import datetime as dt
import hashlib
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from sabt.context import Context
from sabt.ledger import service as ledger
from sabt.ledger.models import LedgerNode
from sabt.ledger.service import Change, canonical
from sabt.registry import service as registry
from sabt.registry.schemas import BirthDeclaration

from .common import fresh_registry, office_head, postgres_version, report, write_result
from .reading import summary_ms

BATCH = 10_000
PROOFS = 500
REGISTRATIONS = 300


def run_ledger(leaves: int, workdir: Path, backends: tuple[str, ...] = ("sqlite", "postgresql")) -> None:
    result: dict[str, Any] = {"leaves": leaves, "postgres": postgres_version()}
    for backend in backends:
        with fresh_registry(backend, workdir) as ctx:
            appended = _append(ctx, leaves)
            proofs = _proofs(ctx, leaves)
            head = office_head(ctx)
            with_ledger = _registrations(ctx, head)
            # The same use cases with the ledger's append turned into a no-op: the cost of the ledger alone.
            with mock.patch("sabt.registry.ledger_records.append"), mock.patch("sabt.registry.service.log_event"):
                without = _registrations(ctx, head)
        overhead = {"with_ledger_per_second": round(REGISTRATIONS / with_ledger, 1),
                    "without_ledger_per_second": round(REGISTRATIONS / without, 1),
                    "ratio": round(without / with_ledger, 3)}  # fmt: skip
        result[backend] = {"append": appended, "proofs": proofs, "registration": overhead}
        report(f"ledger append ({backend})", f"{appended['leaves_per_second']:,} leaves/s", appended["ratio"],
               "hashlib over the same leaves")  # fmt: skip
        report(f"ledger proof ({backend})", f"inclusion median {proofs['inclusion_ms']['median']} ms at "
               f"{leaves:,} leaves", proofs["ratio"], "one raw node read")  # fmt: skip
        births = f"{overhead['with_ledger_per_second']} births/s"
        report(f"ledger in registration ({backend})", births, overhead["ratio"], "the same without the ledger")
    write_result("ledger" if len(backends) == 2 else f"ledger-{'-'.join(backends)}-{leaves}", result)


def _changes(count: int, start: int) -> Iterator[Change]:
    for number in range(start, start + count):
        yield Change("bench.append", "bench", str(number), 1, None, {"number": number, "name": "سنجش"})


def _append(ctx: Context, leaves: int) -> dict[str, Any]:
    at = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    for start in range(0, leaves, BATCH):
        with ctx.db.transaction() as session:
            ledger.append(session, _changes(min(BATCH, leaves - start), start), at=at)
    seconds = time.perf_counter() - started
    texts = [canonical({"kind": "bench.append", "record": f"bench/{n}", "commitment": "0" * 64}) for n in range(leaves)]
    started = time.perf_counter()
    for text in texts:
        hashlib.sha256(b"\x00" + text).digest()
    hashing = time.perf_counter() - started
    return {"leaves_per_second": round(leaves / seconds), "seconds": round(seconds, 2),
            "hashlib_seconds": round(hashing, 3), "ratio": round(hashing / seconds, 4)}  # fmt: skip


def _proofs(ctx: Context, leaves: int) -> dict[str, Any]:
    rng = random.Random(11)  # noqa: S311 (reproducible positions, not a secret)
    inclusion, consistency, raw = [], [], []
    for _ in range(PROOFS):
        index = rng.randrange(leaves)
        started = time.perf_counter()
        ledger.inclusion(ctx, index=index)
        inclusion.append(time.perf_counter() - started)
        started = time.perf_counter()
        ledger.consistency(ctx, old_size=rng.randrange(1, leaves))
        consistency.append(time.perf_counter() - started)
        started = time.perf_counter()
        with ctx.db.snapshot() as session:
            session.get(LedgerNode, (0, index))
        raw.append(time.perf_counter() - started)
    inclusion_ms, raw_ms = summary_ms(inclusion), summary_ms(raw)
    return {"inclusion_ms": inclusion_ms, "consistency_ms": summary_ms(consistency), "raw_node_read_ms": raw_ms,
            "ratio": round(raw_ms["median"] / inclusion_ms["median"], 3)}  # fmt: skip


def _registrations(ctx: Context, head: Any) -> float:
    day = ctx.today() - dt.timedelta(days=2)
    started = time.perf_counter()
    for number in range(REGISTRATIONS):
        declaration = BirthDeclaration(
            first_name="سارا", last_name="رضایی", sex="female", birth_date=day.isoformat(), county="2301",
            father={"first_name": "علی", "last_name": "رضایی"}, mother={"first_name": "مریم", "last_name": "احمدی"},
            declarant={"relation": "father"},
            evidence={"kind": "medical_certificate", "issuer": "facility", "document_number": f"B{number}"},
        )  # fmt: skip
        event = registry.declare(ctx, actor=head, declaration=declaration)
        registry.validate_event(ctx, actor=head, event_id=event.id)
        registry.register_event(ctx, actor=head, event_id=event.id)
    return time.perf_counter() - started
