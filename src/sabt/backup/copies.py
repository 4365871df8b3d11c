"""SQLite's own tools on registry files: the online backup API, the integrity check, and what a file holds.

Files are opened with the sqlite3 module rather than the registry's engine: a file given to restore may be
anything, an existing one must never be created by opening it, and the registry's engine would switch a
backup to write-ahead logging, which needs files beside it; a backup is one file that stands alone.
"""

import datetime as dt
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from .schemas import RegistryCopy

# The tables that make a SQLite file a Sabt registry whose ledger can prove what it holds.
REGISTRY_TABLES = ("alembic_version", "ledger_head", "ledger_leaves", "ledger_salts", "ledger_checkpoints")
# How long to wait for the registry's lock: a server writing its last transaction finishes within it.
BUSY_SECONDS = 30
# A connection that keeps the registry open longer than this while a restore waits is a server still running.
IN_USE_SECONDS = 1


def open_file(path: Path, *, timeout: float = BUSY_SECONDS) -> sqlite3.Connection:
    """An existing file opened read-only; opening never creates one."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)


@contextmanager
def copy_beside(source: sqlite3.Connection, destination: Path) -> Iterator[sqlite3.Connection]:
    """A complete copy of `source` in a new file beside `destination`, open for the block to check; renamed
    over `destination` when the block finishes and removed if it raises, so `destination` is never a
    partial or unchecked copy."""
    handle, name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".partial")
    os.close(handle)  # mkstemp made it readable by its owner only: it holds personal data
    temporary = Path(name)
    try:
        with closing(sqlite3.connect(temporary)) as copy:
            # In one step: the copy reads one snapshot of the source, which in WAL mode goes on taking writes.
            # Copied in several steps, every write by another connection would start the copy over.
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, with no write-ahead log beside it
            yield copy
        _replace_durably(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def _replace_durably(temporary: Path, destination: Path) -> None:
    with temporary.open("rb") as written:
        os.fsync(written.fileno())
    os.replace(temporary, destination)
    folder = os.open(destination.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)


def integrity_problem(connection: sqlite3.Connection) -> str | None:
    """What `PRAGMA integrity_check` finds wrong, its first few lines joined; None when it says ok."""
    lines = [line for (row,) in connection.execute("PRAGMA integrity_check") for line in str(row).splitlines()]
    if lines == ["ok"]:
        return None
    return "; ".join(line for line in lines if not line.startswith("***"))[:300]


def missing_registry_table(connection: sqlite3.Connection) -> str | None:
    """The first table of a registry that the database lacks, or None."""
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return next((table for table in REGISTRY_TABLES if table not in tables), None)


def schema_revision(connection: sqlite3.Connection) -> str | None:
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def what_it_holds(connection: sqlite3.Connection, path: Path) -> RegistryCopy:
    """The ledger's size and its last checkpoint, read from the log's own rows of a registry file."""
    head = connection.execute("SELECT size FROM ledger_head WHERE id = 1").fetchone()
    last = connection.execute("SELECT size, signed_at FROM ledger_checkpoints ORDER BY id DESC LIMIT 1").fetchone()
    return RegistryCopy(
        path=str(path),
        ledger_size=head[0] if head else 0,
        checkpoint_size=last[0] if last else None,
        checkpoint_at=_stored_moment(last[1]) if last else None,
    )


def _stored_moment(value: str) -> dt.datetime:
    """A moment as the registry stores it in SQLite: in UTC, without its zone."""
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def take_out_of_use(path: Path) -> bool:
    """Fold the registry's write-ahead log into its file and remove it, so that nothing of the old registry
    is left beside a file renamed over it (SQLite would replay an old log onto the new file). False when
    another connection has the registry open: only the last one may end write-ahead logging."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=IN_USE_SECONDS)) as old:
            old.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.OperationalError as error:
        if error.sqlite_errorname in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return False
        raise
    except sqlite3.DatabaseError:
        pass  # not a database at all (the damage being repaired): nothing of it is worth keeping
    for leftover in ("-wal", "-shm"):
        Path(f"{path}{leftover}").unlink(missing_ok=True)
    return True
