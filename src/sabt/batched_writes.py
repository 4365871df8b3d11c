"""Rows written by many requests at once, in batches: one writer thread commits everything waiting in one
transaction.

Under load, one transaction per row makes requests queue for the write (SQLite's single writer, a
PostgreSQL commit each). A request that must not go on before its row is committed awaits `written` (the
identity checks' access log: nothing is answered unlogged); one that need not only hands the row over with
`record` (the places certificates are checked from: a crash loses at most the last moment's rows, and a
verification does not wait for a commit).
"""

import asyncio
import queue
import threading
import time
from typing import Any, Protocol

from sqlalchemy.exc import OperationalError

from .context import Context
from .db import Base

BATCH = 500
WAIT_SECONDS = 30.0


class RowLog(Protocol):
    def record(self, entry: dict[str, Any]) -> None:
        """Hand over `entry` (the columns of one row), to be written now or in a moment."""
        ...


class _Pending:
    """A row handed to the writer, with the future its request awaits, if one does."""

    def __init__(self, entry: dict[str, Any], written: asyncio.Future[None] | None = None) -> None:
        self.entry, self.written = entry, written


def _finish(batch: list[_Pending], error: BaseException | None) -> None:
    """Tell the requests awaiting a batch that their rows are written (or why not), all of a loop's at once:
    one wake-up of the loop per batch rather than one per request."""
    on_loops: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for pending in batch:
        if pending.written is not None:
            on_loops.setdefault(pending.written.get_loop(), []).append(pending.written)
    for loop, futures in on_loops.items():
        loop.call_soon_threadsafe(_settle, futures, error)


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for written in futures:
        if written.done():  # its request gave up waiting
            continue
        if error is None:
            written.set_result(None)
        else:
            written.set_exception(error)


class BatchedWriter:
    def __init__(self, ctx: Context, model: type[Base], *, linger: float = 0.0) -> None:
        """`linger`: how long the writer lets rows gather after the first before it commits, turning a commit
        per row into a commit per moment; a request awaiting its row waits that much longer."""
        self.ctx, self.model, self.linger = ctx, model, linger
        self.waiting: queue.Queue[_Pending] = queue.Queue()
        self.writer: threading.Thread | None = None
        self.starting = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        """Hand the row over and go on: it is committed in a moment."""
        self._start()
        self.waiting.put(_Pending(entry))

    async def written(self, entry: dict[str, Any]) -> None:
        """Hand the row over and return once it is committed (raising what failed the commit), without
        holding a thread of the event loop's server."""
        self._start()
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.put(_Pending(entry, written))
        try:
            await asyncio.wait_for(written, WAIT_SECONDS)
        except TimeoutError:
            raise TimeoutError(f"{self.model.__tablename__} was not written in time") from None

    def _start(self) -> None:
        """The writer thread starts with the first row, so an app that writes none runs none."""
        with self.starting:
            if self.writer is None:
                name = f"{self.model.__tablename__}-writer"
                self.writer = threading.Thread(target=self._write_forever, name=name, daemon=True)
                self.writer.start()

    def _write_forever(self) -> None:
        while True:
            batch = [self.waiting.get()]
            if self.linger:
                time.sleep(self.linger)
            while len(batch) < BATCH:
                try:
                    batch.append(self.waiting.get_nowait())
                except queue.Empty:
                    break
            try:
                self._insert(batch)
            except Exception as failure:
                self._write_one_by_one(batch, failure)
            else:
                _finish(batch, None)

    def _insert(self, batch: list[_Pending]) -> None:
        # As objects, not bulk rows: the database gives each its id, and the ledger commits to the rows.
        with self.ctx.db.transaction() as session:
            session.add_all([self.model(**pending.entry) for pending in batch])

    def _write_one_by_one(self, batch: list[_Pending], failure: Exception) -> None:
        """One row the database refuses must not fail the others' requests: a failed batch is written again a
        row at a time, and only the rows that fail on their own fail their request. A database that is down
        fails every row, as it should: nothing goes on unwritten."""
        if len(batch) == 1 or isinstance(failure, OperationalError):  # the database, not a row, failed
            _finish(batch, failure)
            return
        for pending in batch:
            try:
                self._insert([pending])
            except Exception as own_failure:
                _finish([pending], own_failure)
            else:
                _finish([pending], None)


class DirectWriter:
    """One transaction per row, for use cases called outside a server (the command line, tests)."""

    def __init__(self, ctx: Context, model: type[Base]) -> None:
        self.ctx, self.model = ctx, model

    def record(self, entry: dict[str, Any]) -> None:
        with self.ctx.db.transaction() as session:
            session.add(self.model(**entry))
