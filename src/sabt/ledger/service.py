"""Appending to the ledger, proving what it holds, signing its head, and auditing the registry against it.

Every row of an evidence table (`coverage.py`) that a transaction inserts, changes or deletes becomes one
leaf when the transaction commits, in the same transaction: a feature writes its rows and the ledger
commits to them, so no write path can forget to. A leaf is public and names nobody: the time to the
minute and a salted SHA-256 commitment to the record's name and every column of its row. The salt, the
record's name and the row stay in the registry's database.

Each append ends with the log's new head (size and root) signed by the ledger key through the key store,
a key the database does not hold: a database writer who appends a leaf, or changes one, cannot sign the
head that covers it, and the audit names the head as unsigned.
"""

import base64
import datetime as dt
import decimal
import enum
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Table, and_, event, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from ..clock import Clock
from ..context import Context
from ..db import Base, Database, WrittenRows, bulk_insert, take_written_rows
from ..keys import Signer
from .coverage import STATEMENTS as STATEMENT_TYPES
from .coverage import is_evidence
from .errors import LedgerIntegrity, LedgerNoLeaf, LedgerNoRecord, LedgerSizes
from .merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    SubtreeHashes,
    complete_subtrees,
    consistency_proof,
    fold_subtrees,
    inclusion_proof,
    leaf_hash,
    node_hash,
)
from .models import Checkpoint, Cosignature, LedgerHead, LedgerLeaf, LedgerNode, LedgerSalt
from .note import checkpoint_body, sign_note, verifier_key
from .schemas import CheckpointOut, ConsistencyOut, InclusionOut, RecordProofOut

LEAF_VERSION = 2
# How long a caller is told to wait when the ledger raises an alarm: an operator must look first.
ALARM_SECONDS = 300
log = logging.getLogger("sabt.ledger")
LEDGER_KEY = "ledger"
WRITER = "sabt.ledger_writer"


@dataclass(frozen=True)
class Change:
    """One record as it stands after a transaction: a row of an evidence table, or None once deleted."""

    record_type: str  # the table, e.g. "persons"
    record_id: str  # its primary key, parts joined by "/"
    content: dict[str, Any] | None


@dataclass(frozen=True)
class LedgerWriter:
    """What a committing session needs to append: the key that signs the head, the log's name, the time."""

    signer: Signer
    origin: str
    clock: Clock

    @cached_property
    def public_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.signer.public_key())

    def trusted_head(self, session: Session) -> "Head":
        """The head row, locked, once its signature is checked: the service extends or signs only a log its
        own key signed, never one a database writer appended to."""
        head = read_head(session, lock=True)
        if head.size == 0 and head.signature is None:
            return head
        signature = head.signature if isinstance(head.signature, bytes) else b""
        try:
            self.public_key.verify(signature, head_statement(self.origin, head.size, head.root()))
        except (InvalidSignature, ValueError):
            log.critical("the ledger head is not signed by the ledger key: the log was changed past the service")
            raise LedgerIntegrity(seconds=ALARM_SECONDS) from None
        return head


def install(database: Database, writer: LedgerWriter) -> None:
    """Make every write transaction of `database` append its evidence rows to the log when it commits."""
    database.writer.configure(info={WRITER: writer})


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def content_digest(content: dict[str, Any] | None) -> bytes:
    return hashlib.sha256(canonical(content)).digest()


def commitment(salt: bytes, record: str, content: dict[str, Any] | None) -> str:
    return opened_commitment(salt, record, content_digest(content))


def opened_commitment(salt: bytes, record: str, digest: bytes) -> str:
    """SHA-256(salt ‖ record ‖ LF ‖ SHA-256(row)): the record's name and row, bound under the leaf's salt."""
    return hashlib.sha256(salt + record.encode() + b"\n" + digest).hexdigest()


def head_statement(origin: str, size: int, root: bytes) -> bytes:
    """What the head signature covers; its first line keeps it from ever reading as a checkpoint note."""
    return f"sabt-ledger-head/v1\n{origin}\n{size}\n{base64.b64encode(root).decode()}\n".encode()


def row_content(row: Mapping[Any, Any]) -> dict[str, Any]:
    """Every column of a row as JSON values, so that the commitment binds the whole row."""
    return {str(name): _json_value(value) for name, value in row.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def record_key(key: Sequence[Any]) -> str:
    return "/".join(str(part) for part in key)


STATEMENTS = "sabt.ledger_statements"


def log_statement(session: Session, statement: Change) -> None:
    """Commit, with the caller's transaction, to something the registry published that is not a row of a
    table (a voter roll's digest), so that the publisher can later prove what it published."""
    if statement.record_type not in STATEMENT_TYPES:
        raise ValueError(f"{statement.record_type} is not a kind of statement the ledger knows (coverage.py)")
    session.info.setdefault(STATEMENTS, []).append(statement)


@event.listens_for(Session, "before_commit")
def _append_what_was_written(session: Session) -> None:
    session.flush()
    written = take_written_rows(session)
    statements: list[Change] = session.info.pop(STATEMENTS, [])
    evidence = {name: rows for name, rows in written.items() if is_evidence(name)}
    if not evidence and not statements:
        return
    writer: LedgerWriter | None = session.info.get(WRITER)
    if writer is None:
        raise RuntimeError(f"evidence ({', '.join(sorted(evidence))}) written in a session without the ledger")
    changes = [change for name in sorted(evidence) for change in _changes(session, name, evidence[name])]
    append(session, [*changes, *statements], writer=writer)


def _changes(session: Session, name: str, rows: WrittenRows) -> list[Change]:
    """The rows as they stand now, read back with the types the audit reads them with."""
    if rows.keys_unknown:
        raise RuntimeError(f"rows of {name} were written without their keys, so the ledger cannot log them")
    table = Base.metadata.tables[name]
    keys = sorted(rows.changed | rows.deleted)
    found = dict(_rows_by_key(session, table, keys))
    changes = []
    for key in keys:
        if key in found:
            changes.append(Change(name, record_key(key), found[key]))
        elif key in rows.deleted:
            changes.append(Change(name, record_key(key), None))
        else:  # a savepoint whose flush failed records nothing: only the database itself removes such a row
            log.critical("%s/%s was written in this transaction and is gone at commit", name, record_key(key))
            raise LedgerIntegrity(seconds=ALARM_SECONDS)
    return changes


Key = tuple[Any, ...]


def _rows_by_key(session: Session, table: Table, keys: list[Key]) -> Iterator[tuple[Key, dict[str, Any]]]:
    columns = list(table.primary_key.columns)
    connection = session.connection()
    # A single-column key compares as a plain value; a composite one as a row value (both databases take it).
    single = len(columns) == 1
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        condition = columns[0].in_([key[0] for key in chunk]) if single else tuple_(*columns).in_(chunk)
        for row in connection.execute(select(table).where(condition)).mappings():
            yield tuple(row[column.name] for column in columns), row_content(row)


def append(session: Session, changes: Iterable[Change], *, writer: LedgerWriter) -> list[int]:
    """Append one leaf per change, in order, inside the caller's transaction, and sign the new head;
    returns the leaves' indexes."""
    pending = list(changes)
    if not pending:
        return []
    head = writer.trusted_head(session)
    frontier = head.subtrees()
    at = writer.clock.now().astimezone(dt.UTC).replace(second=0, microsecond=0).isoformat()
    leaves, salts, nodes, indexes = [], [], [], []
    randomness = os.urandom(16 * len(pending))  # one call for the batch: a system call per leaf costs more
    for offset, change in enumerate(pending):
        index = head.size + offset
        salt = randomness[16 * offset : 16 * offset + 16]
        record, digest = f"{change.record_type}/{change.record_id}", content_digest(change.content)
        text = canonical({"v": LEAF_VERSION, "at": at, "commitment": opened_commitment(salt, record, digest)})
        leaves.append(
            {"index": index, "record_type": change.record_type, "record_id": change.record_id, "leaf": text.decode()}
        )
        salts.append({"leaf_index": index, "salt": salt, "digest": digest})
        nodes.extend(_push(frontier, index, leaf_hash(text)))
        indexes.append(index)
    connection = session.connection()  # the log's own rows are not evidence rows to log again
    bulk_insert(connection, LedgerLeaf, leaves)
    bulk_insert(connection, LedgerSalt, salts)
    bulk_insert(connection, LedgerNode, nodes)
    size = head.size + len(pending)
    root = fold_subtrees([hash_ for _, hash_ in frontier])
    head_table = cast(Table, LedgerHead.__table__)
    connection.execute(
        update(head_table)
        .where(head_table.c.id == 1)
        .values(
            size=size,
            frontier=b"".join(hash_ for _, hash_ in frontier),
            signature=writer.signer.sign(head_statement(writer.origin, size, root)),
        )
    )
    return indexes


def _push(frontier: list[tuple[int, bytes]], index: int, hash_: bytes) -> list[dict[str, Any]]:
    """Add a leaf to the right edge; returns every complete subtree it completes (the leaf included)."""
    level, position = 0, index
    created = [{"level": 0, "index": index, "hash": hash_}]
    while frontier and frontier[-1][0] == level:
        _, left = frontier.pop()
        hash_, level, position = node_hash(left, hash_), level + 1, position >> 1
        created.append({"level": level, "index": position, "hash": hash_})
    frontier.append((level, hash_))
    return created


@dataclass(frozen=True)
class Head:
    size: int
    frontier: bytes  # the complete subtrees making up [0, size), largest first (one per set bit of size)
    signature: bytes | None  # Ed25519 over `head_statement`; None while the log is empty

    def subtrees(self) -> list[tuple[int, bytes]]:
        levels = [level for level, _ in complete_subtrees(0, self.size)]
        hashes = [self.frontier[i : i + HASH_SIZE] for i in range(0, len(self.frontier), HASH_SIZE)]
        return list(zip(levels, hashes, strict=True))

    def root(self) -> bytes:
        return fold_subtrees([hash_ for _, hash_ in self.subtrees()]) if self.size else EMPTY_ROOT


def read_head(session: Session, *, lock: bool = False) -> Head:
    """The head row, read with Core (appends update it with Core). `lock`: FOR UPDATE on PostgreSQL; SQLite's
    write transaction already holds the database lock."""
    table = LedgerHead.__table__
    query = select(table.c.size, table.c.frontier, table.c.signature).where(table.c.id == 1)
    row = session.connection().execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise RuntimeError("the ledger head row is missing; run `sabt db upgrade`")
    return Head(row.size, row.frontier, row.signature)


class _Subtrees:
    """MTH(D[start:end]) for aligned ranges, from stored complete-subtree hashes.

    `prefetch` reads every node a proof will need in one query: which ranges a proof visits depends only
    on the sizes and the index, never on the hashes, so a dry run with placeholder hashes lists them.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[int, int], bytes] = {}

    def prefetch(self, build: Callable[[SubtreeHashes], object], *ranges: tuple[int, int]) -> None:
        visited = list(ranges)

        def placeholder(start: int, end: int) -> bytes:
            visited.append((start, end))
            return bytes(HASH_SIZE)

        build(placeholder)
        wanted = {key for start, end in visited for key in complete_subtrees(start, end)} - self.cache.keys()
        if wanted:
            # One condition per level (level = L AND index IN …) lets SQLite use the primary key too.
            by_level: dict[int, list[int]] = {}
            for level, index in wanted:
                by_level.setdefault(level, []).append(index)
            condition = or_(
                *(and_(LedgerNode.level == level, LedgerNode.index.in_(indexes)) for level, indexes in by_level.items())
            )
            rows = self.session.execute(select(LedgerNode.level, LedgerNode.index, LedgerNode.hash).where(condition))
            self.cache.update({(level, index): hash_ for level, index, hash_ in rows})

    def node(self, level: int, index: int) -> bytes:
        if (level, index) not in self.cache:
            row = self.session.get(LedgerNode, (level, index))
            if row is None:
                raise RuntimeError(f"ledger node ({level}, {index}) is missing")
            self.cache[level, index] = row.hash
        return self.cache[level, index]

    def __call__(self, start: int, end: int) -> bytes:
        return fold_subtrees([self.node(level, index) for level, index in complete_subtrees(start, end)])


def inclusion(ctx: Context, *, index: int, tree_size: int | None = None) -> InclusionOut:
    """Leaf `index` with its inclusion proof in the tree of `tree_size` (default: the current tree)."""
    with ctx.db.snapshot() as session:
        size = read_head(session).size
        tree_size = size if tree_size is None else tree_size
        if not 0 <= index < tree_size <= size:
            raise LedgerNoLeaf(field="index", index=index, size=tree_size)
        return _inclusion(session, index, tree_size)


def _inclusion(session: Session, index: int, tree_size: int) -> InclusionOut:
    leaf = session.get(LedgerLeaf, index)
    assert leaf is not None  # index < size
    subtrees = _Subtrees(session)
    subtrees.prefetch(lambda hashes: inclusion_proof(index, tree_size, hashes), (0, tree_size))
    proof = inclusion_proof(index, tree_size, subtrees)
    return InclusionOut(
        index=index,
        leaf=leaf.leaf,
        leaf_hash=leaf_hash(leaf.leaf.encode()).hex(),
        tree_size=tree_size,
        root=subtrees(0, tree_size).hex(),
        proof=[p.hex() for p in proof],
    )


def record_proof(ctx: Context, *, record: str) -> RecordProofOut:
    """The latest leaf of a record (`persons/12`, `events/70`) with its proof in the current tree and what
    opens its commitment (the salt and the row), for the record's holder or an auditor: never public."""
    record_type, _, record_id = record.partition("/")
    with ctx.db.snapshot() as session:
        index = session.scalar(
            select(func.max(LedgerLeaf.index)).where(
                LedgerLeaf.record_type == record_type, LedgerLeaf.record_id == record_id
            )
        )
        if index is None:
            raise LedgerNoRecord(field="record", record=record)
        size = read_head(session).size
        proof = _inclusion(session, index, size)
        salt = session.scalar(select(LedgerSalt.salt).where(LedgerSalt.leaf_index == index))
        content = _current_content(session, record_type, record_id)
        return RecordProofOut(**proof.model_dump(), record=record, salt=(salt or b"").hex(), content=content)


def _current_content(session: Session, record_type: str, record_id: str) -> dict[str, Any] | None:
    """The row a record names, as it stands; None once deleted, or for a statement that is not a row."""
    table = Base.metadata.tables.get(record_type)
    if table is None:
        return None
    columns = list(table.primary_key.columns)
    parts = record_id.split("/", len(columns) - 1)
    try:
        key = tuple(column.type.python_type(part) for column, part in zip(columns, parts, strict=True))
    except ValueError:  # a key the log's own rows no longer spell as the table does
        return None
    return next((content for _, content in _rows_by_key(session, table, [key])), None)


def consistency(ctx: Context, *, old_size: int, new_size: int | None = None) -> ConsistencyOut:
    with ctx.db.snapshot() as session:
        size = read_head(session).size
        new_size = size if new_size is None else new_size
        if not 0 < old_size <= new_size <= size:
            raise LedgerSizes(field="old_size", old=old_size, new=new_size, size=size)
        subtrees = _Subtrees(session)
        subtrees.prefetch(lambda hashes: consistency_proof(old_size, new_size, hashes), (0, old_size), (0, new_size))
        proof = consistency_proof(old_size, new_size, subtrees)
        return ConsistencyOut(
            old_size=old_size,
            new_size=new_size,
            old_root=subtrees(0, old_size).hex(),
            new_root=subtrees(0, new_size).hex(),
            proof=[p.hex() for p in proof],
        )


def ledger_signer(ctx: Context) -> Signer:
    return Signer(ctx.keys, LEDGER_KEY)


def ledger_writer(ctx: Context) -> LedgerWriter:
    return LedgerWriter(ledger_signer(ctx), ctx.settings.ledger_origin, ctx.clock)


def sign_checkpoint(ctx: Context, *, only_if_grown: bool = False) -> CheckpointOut | None:
    """Sign the current tree head and keep the note. With `only_if_grown`, skip when nothing was added."""
    with ctx.db.transaction() as session:
        # Every server process signs on its own timer: holding the head's row makes a second signer wait
        # and then find the checkpoint the first one signed.
        head = ledger_writer(ctx).trusted_head(session)
        if only_if_grown:
            last = session.scalar(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1))
            if last is not None and last.size == head.size:
                return None
        now, root, signer = ctx.now(), head.root(), ledger_signer(ctx)  # the root is the signed head's
        body = checkpoint_body(ctx.settings.ledger_origin, head.size, root, now)
        note = sign_note(body, ctx.settings.ledger_origin, signer.sign, signer.public_key())
        row = Checkpoint(size=head.size, root=root, signed_at=now, note=note)
        session.add(row)
        session.flush()  # its id, for the witnesses' cosignatures
        return CheckpointOut(id=row.id, size=head.size, root=root.hex(), note=note)


def latest_checkpoint(ctx: Context) -> CheckpointOut:
    with ctx.db.snapshot() as session:
        row = session.scalar(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1))
        latest = CheckpointOut(id=row.id, size=row.size, root=row.root.hex(), note=row.note) if row else None
    if latest is None:
        created = sign_checkpoint(ctx)
        assert created is not None
        return created
    return latest


def public_key(ctx: Context) -> str:
    """The verifier key of the log's checkpoints and head, creating the key on first use."""
    return verifier_key(ctx.settings.ledger_origin, ledger_signer(ctx).public_key())


def stored_public_key(ctx: Context) -> str | None:
    """The verifier key, or None when the key store holds no ledger key (the audit creates none)."""
    raw = ctx.keys.public_key(LEDGER_KEY)
    return verifier_key(ctx.settings.ledger_origin, raw) if raw else None


def latest_digests(session: Session, record_type: str) -> dict[str, bytes | None]:
    """For each record of a type (a table), the digest its latest leaf committed to (None when the opening
    is gone: the audit has already named that leaf)."""
    latest = (
        select(LedgerLeaf.record_id, func.max(LedgerLeaf.index).label("index"))
        .where(LedgerLeaf.record_type == record_type)
        .group_by(LedgerLeaf.record_id)
        .subquery()
    )
    rows = session.execute(
        select(latest.c.record_id, LedgerSalt.digest).outerjoin(LedgerSalt, LedgerSalt.leaf_index == latest.c.index)
    )
    return {record_id: digest for record_id, digest in rows}


@dataclass(frozen=True)
class StoredLeaf:
    index: int
    leaf: str
    record: str
    node: bytes | None  # the stored level-0 hash; None when the node row is gone
    salt: bytes | None  # None when the opening is gone
    digest: bytes | None


def stored_leaves(session: Session) -> Iterator[StoredLeaf]:
    """Every leaf in order with its stored level-0 hash and what opens it."""
    columns = (LedgerLeaf.index, LedgerLeaf.leaf, LedgerLeaf.record_type, LedgerLeaf.record_id, LedgerNode.hash)
    rows = session.execute(
        select(*columns, LedgerSalt.salt, LedgerSalt.digest)
        .outerjoin(LedgerNode, (LedgerNode.level == 0) & (LedgerNode.index == LedgerLeaf.index))
        .outerjoin(LedgerSalt, LedgerSalt.leaf_index == LedgerLeaf.index)
        .order_by(LedgerLeaf.index)
        .execution_options(yield_per=10_000)
    )
    for index, leaf, record_type, record_id, node, salt, digest in rows:
        yield StoredLeaf(index, leaf, f"{record_type}/{record_id}", node, salt, digest)


def checkpoints(session: Session) -> list[Checkpoint]:
    return list(session.scalars(select(Checkpoint).order_by(Checkpoint.id)))


def head_size(session: Session) -> int:
    return read_head(session).size


@dataclass(frozen=True)
class LedgerState:
    """What an operator watches of the ledger: how large it is, and how recently it was signed and witnessed."""

    size: int
    checkpoint_size: int | None  # None before the first checkpoint
    checkpoint_signed_at: dt.datetime | None
    cosigned_at: dt.datetime | None  # the latest cosignature any witness returned
    key_present: bool  # the key store holds the ledger key (a new registry makes it at its first write)


def ledger_state(ctx: Context) -> LedgerState:
    with ctx.db.snapshot(primary=True) as session:
        size = session.scalar(select(LedgerHead.size)) or 0
        checkpoint = session.execute(
            select(Checkpoint.size, Checkpoint.signed_at).order_by(Checkpoint.id.desc()).limit(1)
        ).first()
        cosigned_at = session.scalar(select(Cosignature.received_at).order_by(Cosignature.id.desc()).limit(1))
    return LedgerState(
        size=size,
        checkpoint_size=checkpoint.size if checkpoint else None,
        checkpoint_signed_at=checkpoint.signed_at if checkpoint else None,
        cosigned_at=cosigned_at,
        key_present=ctx.keys.public_key(LEDGER_KEY) is not None,
    )
