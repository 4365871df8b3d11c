import datetime as dt

from sqlalchemy import BigInteger, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class LedgerLeaf(Base):
    """One change, as the canonical bytes that were hashed into the tree. Never updated or deleted."""

    __tablename__ = "ledger_leaves"

    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(40))
    leaf: Mapped[str] = mapped_column(Text)  # canonical JSON: kind, record, revision, actor, time, commitment

    __table_args__ = (Index("ix_ledger_leaves_record", "record_type", "record_id"),)


class LedgerSalt(Base):
    """The secret salt of each leaf's commitment. Kept apart so that the published log reveals nothing:
    without the salt, a commitment cannot be tested against a guessed name and birth date."""

    __tablename__ = "ledger_salts"

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    salt: Mapped[bytes] = mapped_column(LargeBinary(16))


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


class Checkpoint(Base):
    """A signed tree head in the C2SP checkpoint format."""

    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_at: Mapped[dt.datetime]
    note: Mapped[str] = mapped_column(Text)
