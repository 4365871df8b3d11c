"""The ledger: bulk appends against hashing the same leaves with hashlib alone, signed appends against the
same appends with a signer that does nothing, proof time against a raw primary-key read, what the ledger
adds to a registration (with it against without it), and the audit against a plain read of the same rows."""

import datetime as dt
import hashlib
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.clock import SystemClock
from sabt.context import Context
from sabt.ledger import service as ledger
from sabt.ledger.audit import audit, evidence_tables
from sabt.ledger.models import LedgerLeaf, LedgerNode, LedgerSalt
from sabt.ledger.service import Change, LedgerWriter, canonical
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
            signed = _signed_appends(ctx)
            proofs = _proofs(ctx, leaves)
            head = office_head(ctx)
            with_ledger = _registrations(ctx, head)
            # The same use cases with no table counted as evidence: nothing is logged, the cost of the ledger.
            with mock.patch("sabt.ledger.service.is_evidence", return_value=False):
                without = _registrations(ctx, head)
            audited = _audit(ctx)
        overhead = {
            "with_ledger_per_second": round(REGISTRATIONS / with_ledger, 1),
            "without_ledger_per_second": round(REGISTRATIONS / without, 1),
            "ratio": round(without / with_ledger, 3),
        }
        result[backend] = {
            "append": appended,
            "signed_append": signed,
            "proofs": proofs,
            "registration": overhead,
            "audit": audited,
        }
        report(
            f"ledger append ({backend})",
            f"{appended['leaves_per_second']:,} leaves/s",
            appended["ratio"],
            "hashlib over the same leaves",
        )
        report(
            f"ledger signed append ({backend})",
            f"{signed['signed_per_second']:,} one-leaf commits/s",
            signed["ratio"],
            "the same commits with a signer that does nothing",
        )
        report(
            f"ledger audit ({backend})",
            f"{audited['seconds_per_million']} s per million leaves and rows",
            audited["ratio"],
            "reading the same leaves, nodes, openings and rows",
        )
        report(
            f"ledger proof ({backend})",
            f"inclusion median {proofs['inclusion_ms']['median']} ms at {leaves:,} leaves",
            proofs["ratio"],
            "one raw node read",
        )
        births = f"{overhead['with_ledger_per_second']} births/s"
        report(f"ledger in registration ({backend})", births, overhead["ratio"], "the same without the ledger")
    write_result("ledger" if len(backends) == 2 else f"ledger-{'-'.join(backends)}-{leaves}", result)


def _changes(count: int, start: int) -> Iterator[Change]:
    for number in range(start, start + count):
        yield Change("bench", str(number), {"number": number, "name": "سنجش"})


def _append(ctx: Context, leaves: int) -> dict[str, Any]:
    started = time.perf_counter()
    for start in range(0, leaves, BATCH):
        with ctx.db.transaction() as session:
            ledger.append(session, _changes(min(BATCH, leaves - start), start), writer=session.info[ledger.WRITER])
    seconds = time.perf_counter() - started
    texts = [canonical({"kind": "bench.append", "record": f"bench/{n}", "commitment": "0" * 64}) for n in range(leaves)]
    started = time.perf_counter()
    for text in texts:
        hashlib.sha256(b"\x00" + text).digest()
    hashing = time.perf_counter() - started
    return {
        "leaves_per_second": round(leaves / seconds),
        "seconds": round(seconds, 2),
        "hashlib_seconds": round(hashing, 3),
        "ratio": round(hashing / seconds, 4),
    }


class _NoSigner:
    def sign(self, _data: bytes) -> bytes:
        return bytes(64)


class _Unchecked(LedgerWriter):
    """Extends the head without checking its signature: the appends of a log without a key."""

    def trusted_head(self, session: Session) -> ledger.Head:
        return ledger.read_head(session, lock=True)


def _signed_appends(ctx: Context, commits: int = 1000) -> dict[str, Any]:
    """One leaf per transaction, as a use case commits: with the head checked and signed through the key
    store, then with neither."""
    unsigned = _Unchecked(_NoSigner(), ctx.settings.ledger_origin, SystemClock())  # type: ignore[arg-type]
    timings = {}
    for name, writer in (("signed", None), ("unsigned", unsigned)):
        started = time.perf_counter()
        for number in range(commits):
            with ctx.db.transaction() as session:
                ledger.append(session, _changes(1, number), writer=writer or session.info[ledger.WRITER])
        timings[name] = time.perf_counter() - started
    resign = _Unchecked(ledger.ledger_signer(ctx), ctx.settings.ledger_origin, SystemClock())
    with ctx.db.transaction() as session:  # the head signed by the ledger key again, for what follows
        ledger.append(session, _changes(1, commits), writer=resign)
    return {
        "signed_per_second": round(commits / timings["signed"]),
        "unsigned_per_second": round(commits / timings["unsigned"]),
        "ratio": round(timings["unsigned"] / timings["signed"], 3),
    }


def _audit(ctx: Context) -> dict[str, Any]:
    """The whole audit against reading everything it reads: every leaf with its node and opening, every
    stored subtree, and every evidence row."""
    started = time.perf_counter()
    report_ = audit(ctx)
    audit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with ctx.db.snapshot() as session:
        for table in [LedgerLeaf.__table__, LedgerSalt.__table__, LedgerNode.__table__, *evidence_tables()]:
            for _ in session.connection().execute(select(table).execution_options(yield_per=10_000)):
                pass
    read_seconds = time.perf_counter() - started
    items = report_.tree_size + report_.records_checked
    return {
        "leaves": report_.tree_size,
        "rows": report_.records_checked,
        "seconds": round(audit_seconds, 2),
        "seconds_per_million": round(audit_seconds / max(items, 1) * 1_000_000, 1),
        "ratio": round(read_seconds / audit_seconds, 3),
    }


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
    return {
        "inclusion_ms": inclusion_ms,
        "consistency_ms": summary_ms(consistency),
        "raw_node_read_ms": raw_ms,
        "ratio": round(raw_ms["median"] / inclusion_ms["median"], 3),
    }


def _registrations(ctx: Context, head: Any) -> float:
    day = ctx.today() - dt.timedelta(days=2)
    started = time.perf_counter()
    for number in range(REGISTRATIONS):
        declaration = BirthDeclaration(
            first_name="سارا",
            last_name="رضایی",
            sex="female",
            birth_date=day.isoformat(),
            county="2301",
            father={"first_name": "علی", "last_name": "رضایی"},
            mother={"first_name": "مریم", "last_name": "احمدی"},
            declarant={"relation": "father"},
            evidence={"kind": "medical_certificate", "issuer": "facility", "document_number": f"B{number}"},
        )
        event = registry.declare(ctx, actor=head, declaration=declaration)
        registry.validate_event(ctx, actor=head, event_id=event.id)
        registry.register_event(ctx, actor=head, event_id=event.id)
    return time.perf_counter() - started
