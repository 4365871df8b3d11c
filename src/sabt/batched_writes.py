"""Rows written by many requests at once, in batches: one writer thread commits everything waiting in one
transaction.

Under load, one transaction per row makes requests queue for the write (SQLite's single writer, a
PostgreSQL commit each). A `BatchedWriter` that `waits` keeps the guarantee that each row is committed
before its request goes on (the identity checks' access log: nothing is answered unlogged); one that does
not wait only hands the row over (the places certificates are checked from: a crash loses at most the last
moment's rows, and a verification does not wait for a commit).
"""

import queue
import threading
import time
from typing import Any, Protocol

from .context import Context
from .db import Base, bulk_insert

BATCH = 500
WAIT_SECONDS = 30.0


class RowLog(Protocol):
    def record(self, entry: dict[str, Any]) -> None:
        """Hand over `entry` (the columns of one row); a writer that waits returns once it is committed."""
        ...


class _Pending:
    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry
        self.done = threading.Event()
        self.error: BaseException | None = None


class BatchedWriter:
    def __init__(self, ctx: Context, model: type[Base], *, wait: bool, linger: float = 0.0) -> None:
        """`linger`: how long the writer lets rows gather after the first before it commits; only for a
        writer that does not wait, where it turns a commit per row into a commit per moment."""
        self.ctx, self.model, self.wait, self.linger = ctx, model, wait, linger
        self.waiting: queue.Queue[_Pending] = queue.Queue()
        self.writer: threading.Thread | None = None
        self.starting = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        self._start()
        pending = _Pending(entry)
        self.waiting.put(pending)
        if not self.wait:
            return
        if not pending.done.wait(WAIT_SECONDS):
            raise TimeoutError(f"{self.model.__tablename__} was not written in time")
        if pending.error is not None:
            raise pending.error

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
            error: BaseException | None = None
            try:
                with self.ctx.db.core_transaction() as connection:
                    bulk_insert(connection, self.model, [pending.entry for pending in batch])
            except Exception as failure:  # every waiting request fails with it: nothing goes on unwritten
                error = failure
            for pending in batch:
                pending.error = error
                pending.done.set()


class DirectWriter:
    """One transaction per row, for use cases called outside a server (the command line, tests)."""

    def __init__(self, ctx: Context, model: type[Base]) -> None:
        self.ctx, self.model = ctx, model

    def record(self, entry: dict[str, Any]) -> None:
        with self.ctx.db.core_transaction() as connection:
            bulk_insert(connection, self.model, [entry])
