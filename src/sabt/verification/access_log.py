"""Writing the access log: every check is committed before its answer leaves.

Under load, one transaction per check makes the checks queue for the write (SQLite's single writer, a
PostgreSQL commit each). `GroupCommitLog` keeps the guarantee and batches the work: each request hands its
entry to one writer thread and waits; the writer commits everything waiting in one transaction and wakes
them all.
"""

import queue
import threading
from typing import Any, Protocol

from ..context import Context
from ..db import bulk_insert
from .models import IdentityCheck

BATCH = 500
WAIT_SECONDS = 30.0


class AccessLog(Protocol):
    def record(self, entry: dict[str, Any]) -> None:
        """Return once `entry` (the columns of an IdentityCheck) is committed; raise if it could not be."""
        ...


class _Pending:
    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry
        self.done = threading.Event()
        self.error: BaseException | None = None


class GroupCommitLog:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.waiting: queue.Queue[_Pending] = queue.Queue()
        self.writer: threading.Thread | None = None
        self.starting = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        self._start()
        pending = _Pending(entry)
        self.waiting.put(pending)
        if not pending.done.wait(WAIT_SECONDS):
            raise TimeoutError("the access log was not written in time; the check is not answered")
        if pending.error is not None:
            raise pending.error

    def _start(self) -> None:
        """The writer thread starts with the first check, so an app that answers none runs none."""
        with self.starting:
            if self.writer is None:
                self.writer = threading.Thread(target=self._write_forever, name="access-log-writer", daemon=True)
                self.writer.start()

    def _write_forever(self) -> None:
        while True:
            batch = [self.waiting.get()]
            while len(batch) < BATCH:
                try:
                    batch.append(self.waiting.get_nowait())
                except queue.Empty:
                    break
            error: BaseException | None = None
            try:
                with self.ctx.db.core_transaction() as connection:
                    bulk_insert(connection, IdentityCheck, [pending.entry for pending in batch])
            except Exception as failure:  # every waiting request fails with it: nothing is answered unlogged
                error = failure
            for pending in batch:
                pending.error = error
                pending.done.set()
