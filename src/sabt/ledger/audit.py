"""The audit: does the registry as it stands match what the ledger committed to, and is the ledger itself
intact, signed by its key and consistent with its signed checkpoints? Anything changed, deleted or added
behind the service's back, in any evidence table, is reported by record and kind of tampering."""

import json
from collections.abc import Sequence

from cryptography.exceptions import InvalidSignature
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ..context import Context
from ..core.errors import InvalidInput
from ..db import Base
from .coverage import is_evidence
from .merkle import EMPTY_ROOT, fold_subtrees, leaf_hash, node_hash
from .note import parse_verifier_key, verify_checkpoint
from .schemas import AuditReport, Finding
from .service import (
    LEAF_VERSION,
    checkpoints,
    commitment,
    head_statement,
    latest_commitments,
    read_head,
    record_key,
    row_content,
    stored_leaves,
    stored_public_key,
)
from .witnessing import WitnessEntry, cosigned_notes, witnesses_of


def audit(
    ctx: Context,
    *,
    witnessed: Sequence[str] = (),
    verifier: str | None = None,
    policy: tuple[Sequence[WitnessEntry], int] | None = None,
) -> AuditReport:
    """`witnessed`: checkpoint notes kept outside the registry (by courts, the election body), which an
    insider cannot delete as they could the registry's own copies. `verifier`: the published verifier key
    to check signatures with (default: the key store's own). `policy`: the witnesses and how many of them
    must have cosigned a checkpoint that covers the whole log."""
    verifier = verifier or stored_public_key(ctx)
    if verifier is None:
        raise InvalidInput("audit.no_key", field="key")
    try:
        origin, _, public = parse_verifier_key(verifier)
    except ValueError:
        raise InvalidInput("audit.bad_key", field="key") from None
    with ctx.db.snapshot() as session:
        findings, roots = _check_tree(session)
        head = read_head(session)
        if len(roots) != head.size:
            detail = f"the head says {head.size} leaves but {len(roots)} are stored"
            findings.append(Finding(problem="tree_altered", record=None, detail=detail))
        elif head.size:
            try:
                public.verify(head.signature or b"", head_statement(origin, head.size, roots[-1]))
            except InvalidSignature:
                detail = "the log's head is not signed by the ledger key: leaves were added or changed without it"
                findings.append(Finding(problem="head_unsigned", record=None, detail=detail))
        notes = [(f"checkpoint {row.id}", row.note) for row in checkpoints(session)]
        notes += [(f"witnessed checkpoint {number}", note) for number, note in enumerate(witnessed, 1)]
        checkpoint_size = _check_checkpoints(verifier, notes, roots, findings)
        witnessed_size = None
        if policy is not None:
            cosigned = [*cosigned_notes(session), *witnessed]
            witnessed_size = _witnessed_size(verifier, cosigned, roots, *policy)
            if head.size and (witnessed_size or 0) < head.size:
                covered = "no leaf" if witnessed_size is None else f"only the first {witnessed_size} leaves"
                detail = f"{covered} of {head.size} covered by a checkpoint cosigned by {policy[1]} witnesses"
                findings.append(Finding(problem="not_witnessed", record=None, detail=detail))
        checked = sum(_check_table(session, table, findings) for table in evidence_tables())
    return AuditReport(
        tree_size=head.size,
        checkpoint_size=checkpoint_size,
        witnessed_size=witnessed_size,
        records_checked=checked,
        findings=findings,
    )


def _witnessed_size(
    verifier: str, notes: Sequence[str], roots: list[bytes], witnesses: Sequence[WitnessEntry], needed: int
) -> int | None:
    """The largest checkpoint that is the log's own, matches the log as it stands, and carries valid
    cosignatures of at least `needed` of the witnesses."""
    best = None
    for note in notes:
        signed = verify_checkpoint(note, verifier)
        if signed is None or not 0 < signed.size <= len(roots) or roots[signed.size - 1] != signed.root:
            continue
        if len(witnesses_of(note, witnesses)) >= needed:
            best = max(best or 0, signed.size)
    return best


def evidence_tables() -> list[Table]:
    return [table for name, table in sorted(Base.metadata.tables.items()) if is_evidence(name)]


def _check_tree(session: Session) -> tuple[list[Finding], list[bytes]]:
    """Rehash every leaf in order; returns the findings and the root after each leaf (roots[n-1] = size n)."""
    findings: list[Finding] = []
    roots: list[bytes] = []
    frontier: list[tuple[int, bytes]] = []
    for expected_index, (index, leaf, stored) in enumerate(stored_leaves(session)):
        if index != expected_index:
            detail = f"leaf {expected_index} is missing (next stored is {index})"
            findings.append(Finding(problem="tree_altered", record=None, detail=detail))
            break
        hashed = leaf_hash(leaf.encode())
        if stored != hashed:
            detail = f"leaf {index} does not hash to its stored tree node"
            findings.append(Finding(problem="leaf_altered", record=None, detail=detail))
        if _version(leaf) != LEAF_VERSION:
            detail = f"leaf {index} is not a version {LEAF_VERSION} leaf: written by an older Sabt or by hand"
            findings.append(Finding(problem="leaf_version", record=None, detail=detail))
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


def _version(leaf: str) -> object:
    try:
        return json.loads(leaf).get("v")
    except (ValueError, AttributeError):
        return None


def _check_table(session: Session, table: Table, findings: list[Finding]) -> int:
    """Every current row of an evidence table against the commitment of its record's latest leaf."""
    committed = latest_commitments(session, table.name)
    columns = list(table.primary_key.columns)
    rows = session.connection().execute(select(table).order_by(*columns).execution_options(yield_per=10_000))
    seen = 0
    for row in rows.mappings():
        seen += 1
        record_id = record_key([row[column.name] for column in columns])
        record = f"{table.name}/{record_id}"
        entry = committed.pop(record_id, None)
        if entry is None:
            findings.append(Finding(problem="unlogged", record=record, detail="present but never logged"))
        elif commitment(entry[1], record, row_content(row)) != entry[0]:
            if commitment(entry[1], record, None) == entry[0]:
                detail = "logged as deleted, yet present"
                findings.append(Finding(problem="unlogged", record=record, detail=detail))
            else:
                detail = "differs from its last logged state"
                findings.append(Finding(problem="changed", record=record, detail=detail))
    for record_id, (logged, salt) in committed.items():
        record = f"{table.name}/{record_id}"
        if commitment(salt, record, None) != logged:
            findings.append(Finding(problem="deleted", record=record, detail="logged but no longer present"))
    return seen
