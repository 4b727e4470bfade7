"""SQLite for an asyncio server: statements in place, the lock and the commit in a thread.

A `sqlite3` connection with the async surface the node's code uses (`await db.execute(…)`,
`async with db.execute(…) as cur`, `await cur.fetchone()`), so that a transaction's handlers,
which also await other work, read the same as before. See `store.Store` for why statements run
in place and only taking the write lock and committing go to the connection's own thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Cursor:
    """A finished statement's rows, with the awaitable surface the handlers use."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def fetchone(self) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._cursor.fetchone()
        return row

    async def fetchall(self) -> list[sqlite3.Row]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _Statement:
    """`await db.execute(…)` and `async with db.execute(…) as cur:` alike; the statement has run
    by the time either returns."""

    def __init__(self, run: Callable[[], sqlite3.Cursor]) -> None:
        self._run = run
        self._cursor: Cursor | None = None

    def __await__(self) -> Generator[Any, None, Cursor]:
        return self._finish().__await__()

    async def _finish(self) -> Cursor:
        return Cursor(self._run())

    async def __aenter__(self) -> Cursor:
        self._cursor = Cursor(self._run())
        return self._cursor

    async def __aexit__(self, *exc: object) -> None:
        if self._cursor is not None:
            await self._cursor.close()


class Connection:
    """A `sqlite3` connection with the async surface of the node's code; see `Store` for why
    statements run in place and only the lock and the commit go to the writer thread."""

    def __init__(self, conn: sqlite3.Connection, thread: ThreadPoolExecutor) -> None:
        self._conn = conn
        self._thread = thread
        # The queues (tables a worker works through) that the open transaction made work in:
        # the store wakes their workers once it commits (`Store.wake_on_commit`).
        self.queued: set[str] = set()

    def added_to(self, queue: str) -> None:
        """This transaction made rows of `queue` due: its worker is woken after the commit
        (called by the queue's owner module, so that no caller has to remember it)."""
        self.queued.add(queue)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> _Statement:
        return _Statement(lambda: self._conn.execute(sql, tuple(params)))

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> _Statement:
        return _Statement(lambda: self._conn.executemany(sql, (tuple(r) for r in rows)))

    async def integer(self, sql: str, params: Iterable[Any] = ()) -> int:
        """The first column of the first row as an int (a `COUNT(*)`, a `SUM`), 0 if none."""
        row = self._conn.execute(sql, tuple(params)).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    async def executescript(self, script: str) -> None:
        self._conn.executescript(script)

    @asynccontextmanager
    async def savepoint(self, name: str) -> AsyncIterator[None]:
        """A part of the transaction that fails alone: an error inside rolls back what it did,
        and is raised on for the caller to record; the rest of the transaction still commits."""
        self._conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except Exception:
            self._conn.execute(f"ROLLBACK TO {name}")
            self._conn.execute(f"RELEASE {name}")
            raise
        self._conn.execute(f"RELEASE {name}")

    async def begin(self) -> None:
        """Take the write lock: at once when free, else wait for it in the writer thread (the
        CLI may hold it a moment) so that the event loop never waits on another process."""
        try:
            self._conn.execute("PRAGMA busy_timeout=0")
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                return
            finally:
                self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
        await self._in_thread(self._conn.execute, "BEGIN IMMEDIATE")

    async def commit(self) -> None:
        await self._in_thread(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()
        self.queued.clear()

    async def close(self) -> None:
        await self._in_thread(self._conn.close)
        self._thread.shutdown(wait=False)

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, *args)


class GroupCommit(Protocol):
    """`store.Store.execute`: one statement, durable when it returns (its rowcount), committed
    with the others that arrived meanwhile. Owner functions on a hot path take it, so that they
    need not import the store, which imports them."""

    async def __call__(self, sql: str, params: Iterable[Any] = ()) -> int: ...


class Database(Protocol):
    """What a part holds of the store when it only reads and writes through the tables' owners
    (`store.Store` is the one): a connection for reads, and transactions."""

    @property
    def reads(self) -> Connection: ...

    def write(self) -> AbstractAsyncContextManager[Connection]: ...


IN_LIST = 500  # ids bound in one `IN (…)`: older SQLite builds bind at most 999 parameters


def in_lists(ids: Iterable[str]) -> Iterator[tuple[list[str], str]]:
    """`ids`, each once, in groups that fit one `IN (…)`, each with its `?,?,…` (pure): an
    owner's query over many ids runs once per group."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), IN_LIST):
        group = wanted[start : start + IN_LIST]
        yield group, ",".join("?" * len(group))


BUSY_TIMEOUT_MS = 10_000  # a writer waits this long for the other process before failing


async def connect(path: Path) -> Connection:
    def opened() -> sqlite3.Connection:
        # isolation_level=None: transactions are opened explicitly by Store.write().
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        # The wait first: switching a file made before WAL to WAL takes the lock that another
        # process starting at the same moment may hold, and without a timeout fails at once.
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        # Each received activity is applied in a savepoint, whose undo copies of the pages it
        # touches went to a temporary file: a write and a file opened per activity, a third
        # of the inbox worker's SQLite time (bench/inbox.py). They are small and never need
        # to outlive the transaction, so they stay in memory.
        conn.execute("PRAGMA temp_store=MEMORY")
        return conn

    # One thread per connection: a connection's fsyncs and lock waits happen one at a time.
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sqlite-{path.name}")
    conn = await asyncio.get_running_loop().run_in_executor(thread, opened)
    return Connection(conn, thread)
