"""The audit: does the registry as it stands match what the ledger committed to, and is the ledger itself
intact, signed by its key and consistent with its signed checkpoints? Anything changed, deleted or added
behind the service's back, in any evidence table or in the log's own tables, is reported by record and kind
of tampering; a row the audit cannot even read is reported too, never a crash."""

import json
from collections.abc import Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session, aliased

from ..context import Context
from ..db import Base
from .coverage import STATEMENTS, is_evidence
from .errors import AuditBadKey, AuditNoKey
from .merkle import EMPTY_ROOT, fold_subtrees, leaf_hash, node_hash
from .models import LedgerNode
from .note import parse_verifier_key, verify_checkpoint
from .schemas import AuditReport, Finding
from .service import (
    LEAF_VERSION,
    StoredLeaf,
    checkpoints,
    content_digest,
    head_statement,
    latest_digests,
    opened_commitment,
    read_head,
    record_key,
    row_content,
    stored_leaves,
    stored_public_key,
)
from .witnessing import WitnessEntry, cosigned_notes, witnesses_of

DELETED = content_digest(None)
# What reading a row the database writer mangled can raise (a date that is not one, JSON that is not JSON).
UNREADABLE = (ValueError, TypeError, KeyError, OverflowError)


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
    verifier = stored_public_key(ctx) if verifier is None else verifier
    if verifier is None:
        raise AuditNoKey(field="key")
    try:
        origin, _, public = parse_verifier_key(verifier)
    except ValueError:
        raise AuditBadKey(field="key") from None
    findings: list[Finding] = []
    with ctx.db.snapshot() as session:
        roots = _check_leaves(session, findings)
        _check_nodes(session, len(roots), findings)
        size = _check_head(session, origin, public, roots, findings)
        notes = [(f"checkpoint {row.id}", row.note) for row in checkpoints(session)]
        notes += [(f"witnessed checkpoint {number}", note) for number, note in enumerate(witnessed, 1)]
        checkpoint_size = _check_checkpoints(verifier, notes, roots, findings)
        witnessed_size = None
        if policy is not None:
            cosigned = [*cosigned_notes(session), *witnessed]
            witnessed_size = _witnessed_size(verifier, cosigned, roots, *policy)
            if size and (witnessed_size or 0) < size:
                covered = "no leaf" if witnessed_size is None else f"only the first {witnessed_size} leaves"
                detail = f"{covered} of {size} covered by a checkpoint cosigned by {policy[1]} witnesses"
                findings.append(Finding(problem="not_witnessed", record=None, detail=detail))
        _check_database_code(session, findings)
        checked = sum(_check_table(session, table, findings) for table in evidence_tables())
    return AuditReport(
        tree_size=size,
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


def _check_leaves(session: Session, findings: list[Finding]) -> list[bytes]:
    """Rehash and open every leaf in order; returns the root after each leaf (roots[n-1] = size n)."""
    roots: list[bytes] = []
    frontier: list[tuple[int, bytes]] = []
    for expected_index, stored in enumerate(stored_leaves(session)):
        if stored.index != expected_index:
            detail = f"leaf {expected_index} is missing (next stored is {stored.index})"
            findings.append(Finding(problem="tree_altered", record=None, detail=detail))
            break
        hashed = leaf_hash(stored.leaf.encode())
        if stored.node != hashed:
            detail = f"leaf {stored.index} does not hash to its stored tree node"
            findings.append(Finding(problem="leaf_altered", record=None, detail=detail))
        _check_opening(stored, findings)
        level, value = 0, hashed
        while frontier and frontier[-1][0] == level:
            value, level = node_hash(frontier.pop()[1], value), level + 1
        frontier.append((level, value))
        roots.append(fold_subtrees([hash_ for _, hash_ in frontier]))
    return roots


def _check_opening(stored: StoredLeaf, findings: list[Finding]) -> None:
    """The leaf is a current one, filed under a record the log can hold, and its salt and digest open its
    commitment under that record's name: so no leaf can be moved to another record, or its opening removed,
    to make an older state of a record look like its latest."""
    leaf = _parsed(stored.leaf)
    if leaf.get("v") != LEAF_VERSION:
        detail = f"leaf {stored.index} is not a version {LEAF_VERSION} leaf: written by an older Sabt or by hand"
        findings.append(Finding(problem="leaf_version", record=None, detail=detail))
        return
    record_type = stored.record.partition("/")[0]
    if not (record_type in STATEMENTS or (record_type in Base.metadata.tables and is_evidence(record_type))):
        detail = f"leaf {stored.index} is filed under {record_type}, which the log holds no records of"
        findings.append(Finding(problem="leaf_record", record=None, detail=detail))
        return
    salt, digest = stored.salt, stored.digest
    opens = isinstance(salt, bytes) and isinstance(digest, bytes)
    if not opens or leaf.get("commitment") != opened_commitment(
        bytes(salt or b""), stored.record, bytes(digest or b"")
    ):
        detail = (
            f"leaf {stored.index} does not open to the record it is filed under: its record, salt or digest changed"
        )
        findings.append(Finding(problem="leaf_opening", record=stored.record, detail=detail))


def _parsed(leaf: str) -> dict[str, object]:
    try:
        value = json.loads(leaf)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _check_nodes(session: Session, size: int, findings: list[Finding]) -> None:
    """Every stored subtree above the leaves hashes from its two stored children, and each level holds as
    many as a tree of `size` leaves has: proofs are built from these rows."""
    counts = dict(session.execute(select(LedgerNode.level, func.count()).group_by(LedgerNode.level)).all())
    level = 0
    while size >> level or counts.get(level):
        held, expected = counts.get(level, 0), size >> level
        if held != expected:
            detail = f"level {level} holds {held} subtree hashes; a tree of {size} leaves has {expected}"
            findings.append(Finding(problem="tree_altered", record=None, detail=detail))
        level += 1
    parent, left, right = aliased(LedgerNode), aliased(LedgerNode), aliased(LedgerNode)
    children = (
        select(parent.level, parent.index, parent.hash, left.hash, right.hash)
        .outerjoin(left, (left.level == parent.level - 1) & (left.index == parent.index * 2))
        .outerjoin(right, (right.level == parent.level - 1) & (right.index == parent.index * 2 + 1))
        .where(parent.level > 0)
        .execution_options(yield_per=10_000)
    )
    for node_level, index, stored, left_hash, right_hash in session.execute(children):
        if left_hash is None or right_hash is None or stored != node_hash(left_hash, right_hash):
            detail = f"the stored subtree hash at level {node_level}, index {index} does not hash from its children"
            findings.append(Finding(problem="tree_altered", record=None, detail=detail))


def _check_head(
    session: Session, origin: str, public: Ed25519PublicKey, roots: list[bytes], findings: list[Finding]
) -> int:
    """The head row matches the leaves and is signed by the ledger key; returns the log's size."""
    try:
        head = read_head(session)
        frontier_root = head.root()
    except (RuntimeError, ValueError):
        findings.append(Finding(problem="tree_altered", record=None, detail="the head row is missing or malformed"))
        return len(roots)
    if len(roots) != head.size:
        detail = f"the head says {head.size} leaves but {len(roots)} are stored"
        findings.append(Finding(problem="tree_altered", record=None, detail=detail))
    elif head.size:
        if frontier_root != roots[-1]:
            detail = "the head's frontier does not match the leaves: the next append would extend another tree"
            findings.append(Finding(problem="tree_altered", record=None, detail=detail))
        signature = head.signature if isinstance(head.signature, bytes) else b""
        try:
            public.verify(signature, head_statement(origin, head.size, roots[-1]))
        except InvalidSignature:
            detail = "the log's head is not signed by the ledger key: leaves were added or changed without it"
            findings.append(Finding(problem="head_unsigned", record=None, detail=detail))
    return head.size


def _check_database_code(session: Session, findings: list[Finding]) -> None:
    """The registry's migrations create no triggers or rules; one found was added by hand, and could change
    a row as the service writes it, which the ledger would then commit to as though the service had."""
    if session.get_bind().dialect.name == "sqlite":
        query = "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = (
            "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal "
            "UNION ALL SELECT rulename, tablename FROM pg_rules WHERE schemaname = current_schema()"
        )
    for name, table in session.execute(text(query)):
        detail = f"{name} on {table}: the registry's migrations create no triggers or rules"
        findings.append(Finding(problem="database_code", record=None, detail=detail))


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


def _check_table(session: Session, table: Table, findings: list[Finding]) -> int:
    """Every current row of an evidence table against the digest its record's latest leaf committed to."""
    committed = latest_digests(session, table.name)
    columns = list(table.primary_key.columns)
    rows = session.connection().execute(select(table).order_by(*columns).execution_options(yield_per=10_000))
    seen = 0
    try:
        for row in rows.mappings():
            seen += 1
            record_id = record_key([row[column.name] for column in columns])
            _check_row(f"{table.name}/{record_id}", committed.pop(record_id, b""), row_content(row), findings)
    except UNREADABLE as error:
        detail = f"a row cannot be read ({type(error).__name__}): it was written past the service"
        findings.append(Finding(problem="unreadable", record=table.name, detail=detail))
        return seen
    for record_id, digest in committed.items():
        if digest is not None and digest != DELETED:
            record = f"{table.name}/{record_id}"
            findings.append(Finding(problem="deleted", record=record, detail="logged but no longer present"))
    return seen


def _check_row(record: str, logged: bytes | None, content: dict[str, object], findings: list[Finding]) -> None:
    """`logged`: the digest of the record's latest leaf; b"" when it has none, None when its opening is gone
    (already named)."""
    if logged == b"":
        findings.append(Finding(problem="unlogged", record=record, detail="present but never logged"))
    elif logged is not None and content_digest(content) != logged:
        if logged == DELETED:
            findings.append(Finding(problem="unlogged", record=record, detail="logged as deleted, yet present"))
        else:
            findings.append(Finding(problem="changed", record=record, detail="differs from its last logged state"))
