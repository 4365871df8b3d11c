"""The audit: does the registry as it stands match what the ledger committed to, and is the ledger itself
intact and consistent with its signed checkpoints? Anything changed, deleted or added behind the
service's back is reported by record and kind of tampering."""

import json
from collections.abc import Sequence

from sqlalchemy.orm import Session

from ..context import Context
from .merkle import EMPTY_ROOT, fold_subtrees, leaf_hash, node_hash
from .note import verify_checkpoint
from .schemas import AuditReport, Finding
from .service import RecordSource, checkpoints, commitment, head_size, latest_commitments, public_key, stored_leaves


def audit(ctx: Context, sources: Sequence[RecordSource], *, witnessed: Sequence[str] = ()) -> AuditReport:
    """`witnessed`: checkpoint notes kept outside the registry (by courts, the election body), which an
    insider cannot delete as they could the registry's own copies."""
    with ctx.db.snapshot() as session:
        findings, roots = _check_tree(session)
        size = head_size(session)
        if len(roots) != size:
            detail = f"the head says {size} leaves but {len(roots)} are stored"
            findings.append(Finding(problem="tree_altered", record=None, detail=detail))
        notes = [(f"checkpoint {row.id}", row.note) for row in checkpoints(session)]
        notes += [(f"witnessed checkpoint {number}", note) for number, note in enumerate(witnessed, 1)]
        checkpoint_size = _check_checkpoints(public_key(ctx), notes, roots, findings)
        checked = sum(_check_records(session, source, findings) for source in sources)
    return AuditReport(tree_size=size, checkpoint_size=checkpoint_size, records_checked=checked, findings=findings)


def _check_tree(session: Session) -> tuple[list[Finding], list[bytes]]:
    """Rehash every leaf in order; returns the findings and the root after each leaf (roots[n-1] = size n)."""
    findings: list[Finding] = []
    roots: list[bytes] = []
    frontier: list[tuple[int, bytes]] = []
    for expected_index, (index, leaf, stored) in enumerate(stored_leaves(session)):
        record = json.loads(leaf).get("record")
        if index != expected_index:
            findings.append(
                Finding(
                    problem="tree_altered",
                    record=record,
                    detail=f"leaf {expected_index} is missing (next stored is {index})",
                )
            )
            break
        hashed = leaf_hash(leaf.encode())
        if stored != hashed:
            findings.append(
                Finding(
                    problem="leaf_altered", record=record, detail=f"leaf {index} does not hash to its stored tree node"
                )
            )
        level, value = 0, hashed
        while frontier and frontier[-1][0] == level:
            value, level = node_hash(frontier.pop()[1], value), level + 1
        frontier.append((level, value))
        roots.append(fold_subtrees([hash_ for _, hash_ in frontier]))
    return findings, roots


def _check_checkpoints(
    verifier: str, notes: Sequence[tuple[str, str]], roots: list[bytes], findings: list[Finding]
) -> int | None:
    latest = None
    for name, note in notes:
        signed = verify_checkpoint(note, verifier)
        if signed is None:
            findings.append(Finding(problem="checkpoint_signature", record=None, detail=f"{name} does not verify"))
            continue
        recomputed = roots[signed.size - 1] if 0 < signed.size <= len(roots) else EMPTY_ROOT
        if signed.size > len(roots) or recomputed != signed.root:
            detail = f"the log no longer matches {name}, signed at size {signed.size}"
            findings.append(Finding(problem="checkpoint_mismatch", record=None, detail=detail))
        latest = max(latest or 0, signed.size)
    return latest


def _check_records(session: Session, source: RecordSource, findings: list[Finding]) -> int:
    committed = latest_commitments(session, source.record_type)
    seen = 0
    for record_id, content in source.current(session):
        seen += 1
        record = f"{source.record_type}/{record_id}"
        entry = committed.pop(record_id, None)
        if entry is None:
            findings.append(Finding(problem="unlogged", record=record, detail="present but never logged"))
        elif commitment(entry[1], content) != entry[0]:
            findings.append(Finding(problem="changed", record=record, detail="differs from its last logged state"))
    for record_id in committed:
        findings.append(
            Finding(
                problem="deleted", record=f"{source.record_type}/{record_id}", detail="logged but no longer present"
            )
        )
    return seen
