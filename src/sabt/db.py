"""Engines, sessions and the unit of work.

Every use case runs in one transaction: `with ctx.db.transaction() as session:` commits when the block
ends normally and rolls back when it raises. On SQLite, write transactions begin IMMEDIATE so that two
writers queue for the lock instead of failing halfway; reads use a separate, deferred engine.
"""

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    TypeDecorator,
    any_,
    bindparam,
    create_engine,
    event,
    exc,
    false,
    inspect,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session, sessionmaker

from .metrics import watch_pool

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


T = TypeVar("T")
LARGEST_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: a larger one in a request is refused early


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment stored in UTC and always read back with its zone: SQLite keeps no zone, and a naive moment in
    an answer would not be the date-time the API documents."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, _dialect: Dialect) -> dt.datetime | None:
        return value.astimezone(dt.UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: dt.datetime | None, _dialect: Dialect) -> dt.datetime | None:
        return aware(value) if value is not None else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # All moments are stored in UTC with their zone (SQLite drops the zone: `UtcDateTime` restores it).
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UtcDateTime()}


def aware(moment: dt.datetime) -> dt.datetime:
    """A stored moment with its UTC zone restored (SQLite returns it without one)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# A position in PostgreSQL's write-ahead log, as `pg_current_wal_lsn()` writes it.
WAL_POSITION = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")


@dataclass
class ReadPosition:
    """Read-your-writes for one caller when reads go to a standby: `after` is the primary's log position the
    caller's reads must see (its last write, carried from its previous answer), `written` the position after
    this request's own writes, for its answer to carry on. Standbys that have not replayed `after` yet are
    not read: the primary is."""

    after: str | None = None
    written: str | None = None


_read_position: ContextVar[ReadPosition | None] = ContextVar("sabt_read_position", default=None)


@contextmanager
def reading_after(after: str | None) -> Iterator[ReadPosition]:
    """Within the block, this caller's reads see `after` (a WAL position) and every write the block makes."""
    position = ReadPosition(after=after if after and WAL_POSITION.fullmatch(after) else None)
    token = _read_position.set(position)
    try:
        yield position
    finally:
        _read_position.reset(token)


@dataclass(frozen=True)
class Database:
    url: str
    writer: sessionmaker[Session]
    reader: sessionmaker[Session]
    engines: tuple[Engine, ...]
    latest_reads: Engine
    writes: Engine
    replicated: bool  # reads go to standbys (`read_url`)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed if the block finishes, rolled back if it raises."""
        with self.writer() as session, session.begin():
            yield session
        self._remember_written()

    @contextmanager
    def snapshot(self, *, primary: bool = False) -> Iterator[Session]:
        """A read-only session; anything written in it is rolled back. It may read a replica that lags a
        moment behind, unless `primary` (for what must be current, such as whether a token is revoked), or
        unless the caller has written since (see `ReadPosition`)."""
        # SQLite has no replica, and its writer would take the write lock: read with the reader there.
        factory = self.writer if primary and not self.is_sqlite else self.reader
        with factory() as session, session.begin():
            current = not self.replicated or factory is self.writer or _has_replayed(session)
            if current:
                yield session
                session.rollback()
        if not current:
            with self.writer() as session, session.begin():
                yield session
                session.rollback()

    def _remember_written(self) -> None:
        position = _read_position.get()
        if not self.replicated or position is None:
            return
        with self.writes.connect() as connection:  # any connection to the primary is past the commit
            position.written = position.after = connection.exec_driver_sql("SELECT pg_current_wal_lsn()::text").scalar()

    @contextmanager
    def latest(self) -> Iterator[Connection]:
        """A Core connection to the primary in which every statement reads the latest commit, for a hot path
        of a few indexed reads where a session's bookkeeping costs more than the queries. For reads only:
        on PostgreSQL each statement commits on its own."""
        # Autocommit on both: no BEGIN and ROLLBACK around the reads (round trips on PostgreSQL, a statement
        # each on SQLite), and each read sees the latest commit (in WAL mode SQLite reads take no lock).
        with self.latest_reads.connect() as connection:  # returned to the pool rolled back
            yield connection

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()


# What PostgreSQL answers while a primary goes or a standby is promoted: a connection lost or refused (08),
# the server shutting down or starting (57P01–57P03), and a server that is no longer (or not yet) the
# primary (25006, a write in a read-only transaction).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "25006")


def database_unavailable(error: exc.DBAPIError) -> bool:
    """Whether `error` says the database could not be reached or written just now, rather than that the
    statement was wrong: the caller may try again in a moment."""
    if error.connection_invalidated:
        return True
    if not isinstance(error, exc.OperationalError | exc.InternalError):
        return False
    state = getattr(error.orig, "sqlstate", "")  # psycopg's; None when no server answered at all
    return state is None or (isinstance(state, str) and state.startswith(_UNAVAILABLE_STATES))


def _has_replayed(session: Session) -> bool:
    """Whether the standby this session reads has replayed the caller's last write (on the primary itself,
    where there is nothing to replay, always)."""
    position = _read_position.get()
    if position is None or position.after is None:
        return True
    replayed = session.execute(
        text("SELECT coalesce(pg_last_wal_replay_lsn() >= CAST(:after AS pg_lsn), true)"), {"after": position.after}
    )
    return bool(replayed.scalar())


def open_database(url: str, *, read_url: str | None = None) -> Database:
    """`read_url`: a replica that read-only use cases read from (they may see it a moment behind)."""
    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)
        writer = _sqlite_engine(url, begin="BEGIN IMMEDIATE")
        reader = _sqlite_engine(url, begin="BEGIN")
        latest_reads = _sqlite_engine(url, begin=None)
        engines: tuple[Engine, ...] = (writer, reader, latest_reads)
    else:
        writer = _postgresql_engine(url)
        # A standby promoted in a failover keeps the reads' connections it had: renewed every minute, they
        # spread over the standbys again.
        reader = _postgresql_engine(read_url, pool_recycle=READER_RECYCLE_SECONDS) if read_url else writer
        engines = (writer, reader) if read_url else (writer,)
        latest_reads = writer.execution_options(isolation_level="AUTOCOMMIT")
    watch_pool(writer, "writer")
    if reader is not writer:
        watch_pool(reader, "reader")
    return Database(
        url=url,
        writer=sessionmaker(writer, expire_on_commit=False),
        reader=sessionmaker(reader, expire_on_commit=False),
        engines=engines,
        latest_reads=latest_reads,
        writes=writer,
        replicated=bool(read_url) and not url.startswith("sqlite"),
    )


@dataclass(frozen=True)
class StandbyLag:
    """How far a standby is behind the primary, as the primary sees it (`pg_stat_replication`)."""

    name: str
    sync_state: str  # sync, potential, async, quorum
    replay_seconds: float  # 0 once it has replayed everything the primary sent
    replay_bytes: int


def standby_lag(db: Database) -> list[StandbyLag]:
    """Each standby streaming from the primary, and how far behind it replays; none for SQLite."""
    if db.is_sqlite:
        return []
    query = text(
        "SELECT application_name, sync_state, coalesce(extract(epoch FROM replay_lag), 0),"
        " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)"
        " FROM pg_stat_replication ORDER BY application_name"
    )
    with db.latest_reads.connect() as connection:
        rows = connection.execute(query).all()
    return [StandbyLag(str(name), str(state), float(seconds), int(behind)) for name, state, seconds, behind in rows]


def _ensure_sqlite_directory(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)


def _sqlite_engine(url: str, *, begin: str | None) -> Engine:
    """`begin`: the statement that opens each transaction; None for autocommit, each statement on its own."""
    # Enough pooled connections for every worker thread: one opened and closed per request past the pool
    # costs more than the request's reads.
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=40, max_overflow=10)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling defers it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    if begin is not None:

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql(begin)

    return engine


IDLE_PING_SECONDS = 5.0
# Per engine: a server process holds a writer's pool and its event loop's (`LoopReads`), up to 40 connections.
POSTGRESQL_POOL = {"pool_size": 10, "max_overflow": 10}


READER_RECYCLE_SECONDS = 60


def _postgresql_engine(url: str, **options: Any) -> Engine:
    return _ping_when_idle(create_engine(url, **POSTGRESQL_POOL, **options))


def _ping_when_idle(engine: Engine) -> Engine:
    """Ping a pooled connection before use only when it has been idle a while.

    SQLAlchemy's pool_pre_ping pings on every checkout, a round trip before each transaction; a connection
    just opened, or returned moments ago, is taken as alive. One found dead is replaced before use; one that
    dies within the moment fails its statement, and SQLAlchemy then replaces the pool's connections."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool discards it and checks out another
            raise exc.DisconnectionError("the pooled connection is gone") from error

    return engine


@dataclass
class WrittenRows:
    """The rows one transaction wrote, by table: the primary keys inserted or updated, those deleted, and
    whether rows went in whose keys are not known (bulk rows whose ids the database chose)."""

    changed: set[tuple[Any, ...]]
    deleted: set[tuple[Any, ...]]
    keys_unknown: bool = False


_WRITTEN = "sabt.written_rows"


def take_written_rows(session: Session) -> dict[str, WrittenRows]:
    """What the session's transaction has written since it began (or since the last take), by table: for the
    ledger to commit to when the transaction commits."""
    written: dict[str, WrittenRows] = session.info.pop(_WRITTEN, {})
    return written


def _rows_of(session: Session, table: Table) -> WrittenRows:
    written: dict[str, WrittenRows] = session.info.setdefault(_WRITTEN, {})
    return written.setdefault(table.name, WrittenRows(set(), set()))


def _remember_inserted(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    names = [column.name for column in table.primary_key.columns]
    entry = _rows_of(session, table)
    if any(name not in rows[0] for name in names):
        entry.keys_unknown = True
        return
    entry.changed.update(tuple(row[name] for name in names) for row in rows)


@event.listens_for(Session, "after_flush")
def _remember_flushed(session: Session, _context: Any) -> None:
    """Every row the unit of work inserted, updated or deleted (still listed in `new`, `dirty` and `deleted`
    after the flush), by primary key."""
    for instance in [*session.new, *session.dirty]:
        if instance in session.dirty and not session.is_modified(instance, include_collections=False):
            continue
        mapper = inspect(instance).mapper
        _rows_of(session, mapper.local_table).changed.add(tuple(mapper.primary_key_from_instance(instance)))
    for instance in session.deleted:
        mapper = inspect(instance).mapper
        _rows_of(session, mapper.local_table).deleted.add(tuple(mapper.primary_key_from_instance(instance)))


@event.listens_for(Session, "after_rollback")
def _forget_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


class LoopReads:
    """`Database.latest` for a server's event loop: the few indexed reads of a partner's check, run without
    handing the request to a worker thread. On SQLite they run on the loop itself (a local file read takes
    microseconds, less than the hand-over); on PostgreSQL through psycopg's asyncio connection, so that the
    loop serves other requests while a read waits on the network. Either way the reads are ordinary code
    on a `Connection` (SQLAlchemy's `run_sync`). One per event loop: its connections belong to that loop."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.engine: AsyncEngine | None = None
        if not database.is_sqlite:
            self.engine = create_async_engine(database.url, isolation_level="AUTOCOMMIT", **POSTGRESQL_POOL)
            _ping_when_idle(self.engine.sync_engine)

    async def run(self, reads: Callable[[Connection], T]) -> T:
        if self.engine is None:
            with self.database.latest() as connection:
                return reads(connection)
        async with self.engine.connect() as connection:
            return await connection.run_sync(reads)

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()


COPY_THRESHOLD = 64  # below this many rows, one INSERT … VALUES is as fast as COPY


def take_from_counter(session: Session, model: type[Base], *, key: dict[str, Any], column: str, start: int) -> int:
    """The next value of a counter row (created holding `start` if missing), taken with one
    `UPDATE … RETURNING`: concurrent takers on PostgreSQL queue on the row; SQLite's write transaction
    already holds the database lock."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(model).values(**key, **{column: start}).on_conflict_do_nothing())
    counter = getattr(model, column)
    found = [getattr(model, name) == value for name, value in key.items()]
    taken: int = session.execute(
        update(model).where(*found).values({column: counter + 1}).returning(counter)
    ).scalar_one()
    return taken - 1


def serialize(session: Session, *names: str) -> None:
    """Hold a lock of each name until the transaction ends, so that transactions naming the same one run one
    after the other (a PostgreSQL advisory lock, taken in one order so that two cannot wait on each other);
    SQLite's write transactions run one at a time already."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in sorted(set(names)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name})


def bulk_insert(db: Session | Connection, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows in the caller's transaction: COPY on PostgreSQL, executemany elsewhere. In a session,
    the rows are remembered as written (see `take_written_rows`)."""
    if not rows:
        return
    table = model.__table__
    assert isinstance(table, Table)
    if isinstance(db, Session):
        _remember_inserted(db, table, rows)
    connection = db if isinstance(db, Connection) else db.connection()
    if connection.dialect.name != "postgresql" or len(rows) < COPY_THRESHOLD:
        connection.execute(table.insert(), list(rows))
        return
    columns = list(rows[0])
    json_columns = {column.name for column in table.columns if isinstance(column.type, JSON)}
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c] for c in columns]
            )


def one_of(
    session: Session, column: ColumnElement[str] | InstrumentedAttribute[str], values: Collection[str]
) -> ColumnElement[bool]:
    """`column IN values` for thousands of values. On PostgreSQL one array parameter (`= ANY`): compiling
    one bind per value costs more than running the query."""
    if not values:
        return false()
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
    return column.in_(list(values))
