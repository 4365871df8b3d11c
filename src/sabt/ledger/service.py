"""Appending to the ledger, proving what it holds, signing its head, and auditing the registry against it.

Each change becomes a leaf: canonical JSON naming the kind of change, the record, its revision, the acting
user, the time and a salted SHA-256 commitment to the record's content. The salt stays in the registry's
database; the published log carries only the commitment. Appends happen inside the caller's transaction
and lock the head row, so the registry change and its leaf commit (or roll back) together.
"""

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..context import Context
from ..core.errors import InvalidInput, NotFound
from ..db import bulk_insert
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
from .models import Checkpoint, LedgerHead, LedgerLeaf, LedgerNode, LedgerSalt
from .note import checkpoint_body, sign_note, verifier_key
from .schemas import CheckpointOut, ConsistencyOut, InclusionOut
from .signing import load_or_create_key

LEAF_VERSION = 1


@dataclass(frozen=True)
class Change:
    """One change to one record, as a feature describes it to the ledger."""

    kind: str  # e.g. "event.register", "person.correct"
    record_type: str  # e.g. "person"
    record_id: str
    revision: int
    actor_id: int | None
    content: dict[str, Any]  # what the commitment binds; never published


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def commitment(salt: bytes, content: dict[str, Any]) -> str:
    return hashlib.sha256(salt + canonical(content)).hexdigest()


def append(session: Session, changes: Iterable[Change], *, at: dt.datetime) -> list[int]:
    """Append one leaf per change, in order, inside the caller's transaction; returns their indexes."""
    pending = list(changes)
    if not pending:
        return []
    head = _locked_head(session)
    frontier = _unpack_frontier(head)
    leaves, salts, nodes, indexes = [], [], [], []
    randomness = os.urandom(16 * len(pending))  # one call for the batch: a system call per leaf costs more
    for offset, change in enumerate(pending):
        index = head.size + offset
        salt = randomness[16 * offset : 16 * offset + 16]
        text = canonical({
            "v": LEAF_VERSION, "kind": change.kind, "record": f"{change.record_type}/{change.record_id}",
            "revision": change.revision, "actor": change.actor_id, "at": at.isoformat(),
            "commitment": commitment(salt, change.content),
        }).decode()  # fmt: skip
        leaves.append({"index": index, "record_type": change.record_type, "record_id": change.record_id,
                       "leaf": text})  # fmt: skip
        salts.append({"leaf_index": index, "salt": salt})
        nodes.extend(_push(frontier, index, leaf_hash(text.encode())))
        indexes.append(index)
    bulk_insert(session, LedgerLeaf, leaves)
    bulk_insert(session, LedgerSalt, salts)
    bulk_insert(session, LedgerNode, nodes)
    head.size += len(pending)
    head.frontier = b"".join(hash_ for _, hash_ in frontier)
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


def _locked_head(session: Session) -> LedgerHead:
    # FOR UPDATE on PostgreSQL; SQLite's write transaction already holds the database lock.
    head = session.get(LedgerHead, 1, with_for_update=True)
    if head is None:
        raise RuntimeError("the ledger head row is missing; run `sabt db upgrade`")
    return head


def _unpack_frontier(head: LedgerHead) -> list[tuple[int, bytes]]:
    levels = [level for level, _ in complete_subtrees(0, head.size)]
    hashes = [head.frontier[i : i + HASH_SIZE] for i in range(0, len(head.frontier), HASH_SIZE)]
    return list(zip(levels, hashes, strict=True))


def _head(session: Session) -> tuple[int, bytes]:
    return _size_and_root(session.get(LedgerHead, 1))


def _size_and_root(head: LedgerHead | None) -> tuple[int, bytes]:
    if head is None or head.size == 0:
        return 0, EMPTY_ROOT
    return head.size, fold_subtrees([hash_ for _, hash_ in _unpack_frontier(head)])


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
            condition = or_(*(and_(LedgerNode.level == level, LedgerNode.index.in_(indexes))
                              for level, indexes in by_level.items()))  # fmt: skip
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
        size, _ = _head(session)
        tree_size = size if tree_size is None else tree_size
        if not 0 <= index < tree_size <= size:
            raise NotFound("ledger.no_leaf", field="index", index=index, size=tree_size)
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


def record_inclusion(ctx: Context, *, record: str) -> InclusionOut:
    """The latest leaf of a record (`person/12`, `event/70`) with its proof in the current tree."""
    record_type, _, record_id = record.partition("/")
    with ctx.db.snapshot() as session:
        index = session.scalar(select(func.max(LedgerLeaf.index)).where(
            LedgerLeaf.record_type == record_type, LedgerLeaf.record_id == record_id))  # fmt: skip
        if index is None:
            raise NotFound("ledger.no_record", field="record", record=record)
        size, _ = _head(session)
        return _inclusion(session, index, size)


def consistency(ctx: Context, *, old_size: int, new_size: int | None = None) -> ConsistencyOut:
    with ctx.db.snapshot() as session:
        size, _ = _head(session)
        new_size = size if new_size is None else new_size
        if not 0 < old_size <= new_size <= size:
            raise InvalidInput("ledger.sizes", field="old_size", old=old_size, new=new_size, size=size)
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


@dataclass(frozen=True)
class FileSigner:
    """The checkpoint signer: an Ed25519 key file in the data directory (a PKCS#11 signer can replace it)."""

    name: str
    key_path: Path

    def sign(self, body: str) -> str:
        return sign_note(body, self.name, load_or_create_key(self.key_path))

    def verifier(self) -> str:
        return verifier_key(self.name, load_or_create_key(self.key_path).public_key())


@lru_cache(maxsize=8)
def signer_for(settings: Settings) -> FileSigner:
    return FileSigner(settings.ledger_origin, settings.ledger_key_file())


def sign_checkpoint(ctx: Context, *, only_if_grown: bool = False) -> CheckpointOut | None:
    """Sign the current tree head and keep the note. With `only_if_grown`, skip when nothing was added."""
    with ctx.db.transaction() as session:
        # Every server process signs on its own timer: holding the head's row makes a second signer wait
        # and then find the checkpoint the first one signed.
        size, root = _size_and_root(_locked_head(session))
        if only_if_grown:
            last = session.scalar(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1))
            if last is not None and last.size == size:
                return None
        now = ctx.now()
        note = signer_for(ctx.settings).sign(checkpoint_body(ctx.settings.ledger_origin, size, root, now))
        session.add(Checkpoint(size=size, root=root, signed_at=now, note=note))
        return CheckpointOut(size=size, root=root.hex(), note=note)


def latest_checkpoint(ctx: Context) -> CheckpointOut:
    with ctx.db.snapshot() as session:
        row = session.scalar(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1))
        latest = CheckpointOut(size=row.size, root=row.root.hex(), note=row.note) if row else None
    if latest is None:
        created = sign_checkpoint(ctx)
        assert created is not None
        return created
    return latest


def public_key(ctx: Context) -> str:
    return signer_for(ctx.settings).verifier()


class RecordSource(Protocol):
    """A feature's records as the audit sees them: every current row's id and committed content."""

    record_type: str

    def current(self, session: Session) -> Iterator[tuple[str, dict[str, Any]]]: ...


def latest_commitments(session: Session, record_type: str) -> dict[str, tuple[str, bytes]]:
    """For each record of a type, the commitment of its latest leaf and that leaf's salt."""
    latest = (select(LedgerLeaf.record_id, func.max(LedgerLeaf.index).label("index"))
              .where(LedgerLeaf.record_type == record_type).group_by(LedgerLeaf.record_id).subquery())  # fmt: skip
    rows = session.execute(
        select(latest.c.record_id, LedgerLeaf.leaf, LedgerSalt.salt)
        .join(LedgerLeaf, LedgerLeaf.index == latest.c.index)
        .join(LedgerSalt, LedgerSalt.leaf_index == latest.c.index)
    )
    return {record_id: (json.loads(leaf)["commitment"], salt) for record_id, leaf, salt in rows}


def stored_leaves(session: Session) -> Iterator[tuple[int, str, bytes | None]]:
    """Every leaf in order with its stored level-0 hash (None when the node row is gone)."""
    rows = session.execute(
        select(LedgerLeaf.index, LedgerLeaf.leaf, LedgerNode.hash)
        .outerjoin(LedgerNode, (LedgerNode.level == 0) & (LedgerNode.index == LedgerLeaf.index))
        .order_by(LedgerLeaf.index)
        .execution_options(yield_per=10_000)
    )
    return ((index, leaf, stored) for index, leaf, stored in rows)


def checkpoints(session: Session) -> list[Checkpoint]:
    return list(session.scalars(select(Checkpoint).order_by(Checkpoint.id)))


def head_size(session: Session) -> int:
    return _head(session)[0]
