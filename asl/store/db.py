"""One SQLite connection, one writer: every query runs in order, and batches commit together.

Callers hand in plain functions `fn(connection, *args)` (the query modules beside this one). They
run one after the other on a worker thread, in the order they were submitted, so a read sees every
write submitted before it. Whatever is queued while a batch runs forms the next batch, which
commits once (group commit): `await db.run(...)` returns only after the commit that made its work
durable, so the server acknowledges nothing it could lose. `await db.query(...)` returns as soon as
its call has run, before the commit: for reads, and for a step whose effect a later `run` makes
durable before anything is acknowledged. `db.submit(...)` queues a write without waiting (history
events recorded from synchronous interpreter code). A commit that fails (a full disk) fails every
later call too: nothing after it could be made durable in order.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import anyio
from anyio.abc import TaskStatus

T = TypeVar("T")
log = logging.getLogger("asl.store")

#: How many queued calls one transaction takes at most (bounds a commit's latency under load).
BATCH = 2000
#: Columns added to schema.sql's tables after a release: a store written before gets them on open.
ADDED_COLUMNS = (("tokens", "handed_out", "REAL"), ("tokens", "heartbeat", "REAL"))


class _Job:
    __slots__ = ("args", "done", "early", "error", "fn", "result")

    def __init__(
        self, fn: Callable[..., Any], args: tuple[Any, ...], done: anyio.Event | None, early: bool = False
    ) -> None:
        self.fn = fn
        self.args = args
        self.done = done
        #: Answer once run, before the commit (`Database.query`).
        self.early = early
        self.result: Any = None
        self.error: BaseException | None = None


class StoreLocked(Exception):
    """Another process serves from the same database file."""


class Database:
    """The server's store: `path` is a file (created with its folder) or `:memory:`.

    A file is locked for as long as it is open: two servers resuming the same executions would run
    each of them twice.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock: Any = None
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._lock = _lock(Path(self.path))
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        # WAL: readers never block the writer; synchronous=FULL: a commit survives power loss too.
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute("PRAGMA foreign_keys=ON")
        schema = resources.files("asl.store").joinpath("schema.sql").read_text(encoding="utf-8")
        self._connection.executescript(schema)
        _add_columns(self._connection)
        self._send, self._receive = anyio.create_memory_object_stream[_Job](math.inf)
        self._closed = False
        self._failure: sqlite3.Error | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(connection, *args)` after everything queued before it; return once committed."""
        result: T = await self._wait(_Job(fn, args, anyio.Event()))
        return result

    async def query(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(connection, *args)` after everything queued before it; return before the commit."""
        result: T = await self._wait(_Job(fn, args, anyio.Event(), early=True))
        return result

    async def _wait(self, job: _Job) -> Any:
        if self._failure is not None:
            raise self._failure
        self._send.send_nowait(job)
        assert job.done is not None
        await job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Queue `fn(connection, *args)` without waiting (it commits with the next batch)."""
        if not self._closed:
            self._send.send_nowait(_Job(fn, args, None))

    async def serve(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """The writer loop; runs until cancelled, then finishes what was queued."""
        task_status.started()
        try:
            while True:
                first = await self._receive.receive()
                await self._run_batch(first)
        finally:
            with anyio.CancelScope(shield=True):
                await self._drain()

    async def _run_batch(self, first: _Job) -> None:
        batch = [first]
        while len(batch) < BATCH:
            try:
                batch.append(self._receive.receive_nowait())
            except anyio.WouldBlock:
                break
        if self._failure is None:
            await anyio.to_thread.run_sync(self._execute, batch)
        if self._failure is None:
            for job in batch:
                if job.early and job.done is not None:
                    job.done.set()
            await anyio.to_thread.run_sync(self._commit, batch)
        for job in batch:
            if self._failure is not None:
                job.error = self._failure
            if job.done is not None:
                job.done.set()

    async def _drain(self) -> None:
        while True:
            try:
                first = self._receive.receive_nowait()
            except (anyio.WouldBlock, anyio.EndOfStream, anyio.ClosedResourceError):
                return
            await self._run_batch(first)

    def _execute(self, batch: list[_Job]) -> None:
        connection = self._connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            for job in batch:
                self._call(connection, job)
        except sqlite3.Error as exc:
            self._fail(exc, len(batch))

    def _call(self, connection: sqlite3.Connection, job: _Job) -> None:
        # A call someone waits for may write several rows: all or nothing. A queued write is one
        # statement, which SQLite already undoes alone when it fails.
        guarded = job.done is not None
        if guarded:
            connection.execute("SAVEPOINT job")
        try:
            job.result = job.fn(connection, *job.args)
        except Exception as exc:
            job.error = exc
            if guarded:
                connection.execute("ROLLBACK TO job")
            else:
                log.error("a queued write failed: %s(%r): %s", job.fn.__name__, job.args[:1], exc)
        if guarded:
            connection.execute("RELEASE job")

    def _commit(self, batch: list[_Job]) -> None:
        try:
            self._connection.execute("COMMIT")
        except sqlite3.Error as exc:
            self._fail(exc, len(batch))

    def _fail(self, error: sqlite3.Error, lost: int) -> None:
        """The store cannot go on in order: undo the open transaction, refuse every later call."""
        if self._connection.in_transaction:
            self._connection.execute("ROLLBACK")
        self._failure = error
        log.error("the store failed; %d queued calls were lost, and it refuses more: %s", lost, error)

    @property
    def failure(self) -> str | None:
        """Why the store refuses calls, or None while it works."""
        return None if self._failure is None else str(self._failure)

    def close(self) -> None:
        """Close the connection (after `serve` has drained the queue) and release the file."""
        self._closed = True
        self._connection.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def _add_columns(connection: sqlite3.Connection) -> None:
    """Bring a store written by an earlier version up to schema.sql (CREATE TABLE IF NOT EXISTS keeps old tables)."""
    for table, column, kind in ADDED_COLUMNS:
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _lock(path: Path) -> Any:
    """Hold an exclusive lock on `<path>.lock` (released when the process ends, however it ends)."""
    import fcntl

    handle = open(f"{path}.lock", "a+")  # noqa: SIM115 - held open for the store's lifetime
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StoreLocked(
            f"{path} is in use by another asl serve; stop it or give --db another file"
        ) from None
    return handle
