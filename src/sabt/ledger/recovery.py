"""The recovery point of a restored registry: what came back, proven by the audit, and exactly what did not.

After a restore the ledger says how far back the registry went. Against a later copy of the registry (the
primary that is still running, a newer backup) it lists every change the restore lost: the restored log must
be a prefix of the later one, leaf for leaf, and each leaf past it is a change the registry no longer holds.
Against the latest signed checkpoint an operator holds (a witness's, the public endpoint's) it can only count
them, since a checkpoint carries the log's size and root but not its leaves.
"""

import datetime as dt
import json
from collections.abc import Iterator

from pydantic import BaseModel, Field
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ..context import Context
from ..core.recovery import LogComparison, compare_logs
from .audit import audit
from .errors import AuditNoKey
from .merkle import leaf_hash
from .models import LedgerLeaf
from .note import Checkpoint, verify_checkpoint
from .schemas import Finding
from .service import consistency, stored_public_key


class LoggedChange(BaseModel):
    index: int = Field(description="The leaf's index in the log")
    record_type: str = Field(description="The table the change was to, or the kind of statement")
    record_id: str = Field(description="The record's primary key, parts joined by /")
    at: dt.datetime | None = Field(description="When it was logged, to the minute; null if the leaf has no time")


class RecoveryReport(BaseModel):
    restored_size: int = Field(description="How many leaves the restored ledger holds")
    audit_passed: bool = Field(description="Whether the restored registry passes `sabt audit verify`")
    checkpoint_size: int | None = Field(description="The restored registry's last checkpoint, as the audit checked it")
    recovery_point: LoggedChange | None = Field(description="The last change restored; null for an empty log")
    later_size: int | None = Field(description="The later copy's ledger size, or the checkpoint's")
    is_prefix: bool | None = Field(
        description="Whether the restored log is a prefix of the later copy's; null against a checkpoint, which holds "
        "no leaves to compare"
    )
    missing_count: int | None = Field(description="How many changes the restore lost; null when it cannot be told")
    missing: list[LoggedChange] = Field(description="Each change lost (only against a later copy)")
    seconds_lost: float | None = Field(description="From the last change restored to the last one lost")
    findings: list[Finding] = Field(description="What the audit or the comparison found wrong; empty when it passes")


def recovery_against_copy(ctx: Context, *, later_url: str, verifier: str | None = None) -> RecoveryReport:
    """The restored registry (`ctx`) against a later copy of it at `later_url` (a SQLAlchemy URL)."""
    report = _restored(ctx, verifier)
    engine = create_engine(later_url, poolclass=NullPool)
    try:
        with ctx.db.snapshot() as restored, Session(engine) as later, later.begin():
            comparison = compare_logs(_leaf_hashes(restored), _leaf_hashes(later))
            missing = _changes(later, comparison.missing)
    finally:
        engine.dispose()
    report.later_size = comparison.later_size
    report.is_prefix = comparison.is_prefix
    report.missing_count = len(missing) if comparison.is_prefix else None
    report.missing = missing
    report.seconds_lost = _seconds_between(report.recovery_point, missing[-1] if missing else None)
    if not comparison.is_prefix:
        report.findings.append(Finding(problem="not_a_prefix", record=None, detail=_departure(comparison)))
    return report


def recovery_against_checkpoint(ctx: Context, *, note: str, verifier: str | None = None) -> RecoveryReport:
    """The restored registry (`ctx`) against a signed checkpoint note: verified with the ledger's key, it
    says how many leaves the log had when it was signed, so how many changes the restore lost."""
    verifier = verifier or _ledger_key(ctx)
    report = _restored(ctx, verifier)
    signed = verify_checkpoint(note, verifier)
    if signed is None:
        detail = "the checkpoint given does not verify with the ledger key"
        report.findings.append(Finding(problem="checkpoint_signature", record=None, detail=detail))
        return report
    report.later_size = signed.size
    report.missing_count = max(signed.size - report.restored_size, 0)
    if signed.size <= report.restored_size:  # an older checkpoint: the restored ledger must hold its tree
        if not _holds_tree_of(ctx, signed):
            detail = f"the restored ledger does not match the checkpoint given, signed at size {signed.size}"
            report.findings.append(Finding(problem="checkpoint_mismatch", record=None, detail=detail))
        return report
    point = report.recovery_point
    if point is not None and point.at is not None and signed.signed_at is not None:
        report.seconds_lost = (signed.signed_at - point.at).total_seconds()
    return report


def _restored(ctx: Context, verifier: str | None) -> RecoveryReport:
    """What the restored registry holds, audited against its own checkpoints: its ledger's size and last leaf."""
    audited = audit(ctx, verifier=verifier)
    with ctx.db.snapshot() as session:
        last = session.scalar(select(LedgerLeaf).order_by(LedgerLeaf.index.desc()).limit(1))
        recovery_point = _change(last) if last is not None else None
    return RecoveryReport(
        restored_size=audited.tree_size,
        audit_passed=not audited.findings,
        checkpoint_size=audited.checkpoint_size,
        recovery_point=recovery_point,
        later_size=None,
        is_prefix=None,
        missing_count=None,
        missing=[],
        seconds_lost=None,
        findings=list(audited.findings),
    )


def _ledger_key(ctx: Context) -> str:
    key = stored_public_key(ctx)
    if key is None:
        raise AuditNoKey(field="key")
    return key


def _leaf_hashes(session: Session) -> Iterator[tuple[int, bytes]]:
    """Each leaf's index with its hash, rehashed from the leaf itself, in order."""
    leaves = select(LedgerLeaf.index, LedgerLeaf.leaf).order_by(LedgerLeaf.index).execution_options(yield_per=10_000)
    for index, leaf in session.execute(leaves):
        yield index, leaf_hash(leaf.encode())


def _changes(session: Session, indexes: range) -> list[LoggedChange]:
    """The leaves at `indexes`, read within them only: a primary still running appends while it is read."""
    if not indexes:
        return []
    leaves = session.scalars(
        select(LedgerLeaf)
        .where(LedgerLeaf.index >= indexes.start, LedgerLeaf.index < indexes.stop)
        .order_by(LedgerLeaf.index)
    )
    return [_change(leaf) for leaf in leaves]


def _change(leaf: LedgerLeaf) -> LoggedChange:
    return LoggedChange(index=leaf.index, record_type=leaf.record_type, record_id=leaf.record_id, at=_logged_at(leaf))


def _logged_at(leaf: LedgerLeaf) -> dt.datetime | None:
    """The time a leaf carries; None when it carries none that reads as one (the audit names such a leaf)."""
    try:
        at = json.loads(leaf.leaf).get("at")
        return dt.datetime.fromisoformat(at) if isinstance(at, str) else None
    except (ValueError, AttributeError):
        return None


def _seconds_between(restored: LoggedChange | None, lost: LoggedChange | None) -> float | None:
    if restored is None or lost is None or restored.at is None or lost.at is None:
        return None
    return (lost.at - restored.at).total_seconds()


def _holds_tree_of(ctx: Context, signed: Checkpoint) -> bool:
    if signed.size == 0:
        return True
    return consistency(ctx, old_size=signed.size).old_root == signed.root.hex()


def _departure(comparison: LogComparison) -> str:
    position = comparison.first_difference
    if position is not None and position >= comparison.later_size:
        return (
            f"the restored ledger holds {comparison.restored_size} leaves, the later copy only "
            f"{comparison.later_size}: it is not a later copy of this registry"
        )
    return f"leaf {position} differs from the later copy's: the two are different histories"
