import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class LedgerLeaf(Base):
    """One change, as the canonical bytes that were hashed into the tree. Never updated or deleted."""

    __tablename__ = "ledger_leaves"

    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Which record the leaf commits to: never published (the leaf itself carries only the commitment).
    record_type: Mapped[str] = mapped_column(String(40))  # the table
    record_id: Mapped[str] = mapped_column(String(60))  # its primary key
    leaf: Mapped[str] = mapped_column(Text)  # canonical JSON: version, time to the minute, commitment

    __table_args__ = (Index("ix_ledger_leaves_record", "record_type", "record_id"),)


class LedgerSalt(Base):
    """What opens each leaf's commitment: its secret salt and the digest of the row it committed to. Kept
    apart so that the published log reveals nothing: without the salt, a commitment cannot be tested against
    a guessed name and birth date, nor two leaves of one record linked. With both, the audit checks that every
    leaf, not only a record's latest, is filed under the record it committed to."""

    __tablename__ = "ledger_salts"

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    digest: Mapped[bytes | None] = mapped_column(LargeBinary(32))  # SHA-256 of the row's canonical JSON


class LedgerNode(Base):
    """The hash of the complete subtree covering leaves [index·2^level, (index+1)·2^level)."""

    __tablename__ = "ledger_nodes"

    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerHead(Base):
    """The single row holding the log's size and right edge; appends lock it, so leaves get consecutive
    indexes. `frontier` is the hashes of the complete subtrees that make up [0, size), largest first
    (one per set bit of size), so an append or a root needs no other read."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
    # Ed25519 by the ledger key over the size and root (`service.head_statement`), made by every append.
    signature: Mapped[bytes | None] = mapped_column(LargeBinary(64))


class Checkpoint(Base):
    """A signed tree head in the C2SP checkpoint format."""

    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_at: Mapped[dt.datetime]
    note: Mapped[str] = mapped_column(Text)


class Cosignature(Base):
    """A witness's tlog-cosignature/v1 line on one of the registry's checkpoints, as the witness returned it."""

    __tablename__ = "ledger_cosignatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("ledger_checkpoints.id"), index=True)
    witness: Mapped[str] = mapped_column(String(200))  # the witness's key name
    line: Mapped[str] = mapped_column(Text)  # "— name base64(key id ‖ timestamp ‖ signature)"
    received_at: Mapped[dt.datetime]
