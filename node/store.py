"""The node's SQLite file: schema, and one writer at a time.

Every state that must survive a crash is a row here: an activity received but not yet applied
(`inbox_queue`), a delivery not yet made (`deliveries`). WAL mode lets the CLI and the server
use the same file at once; `busy_timeout` makes a writer wait for the other instead of failing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from . import migrations, tables
from .sqlite import Connection, connect

SCHEMAS = tables.SCHEMAS


class Store:
    """The node's SQLite file: one connection that writes, one that reads.

    Writes from the many coroutines of one process go through `write()`, one transaction at a
    time, so that a transaction never sees another's half-done work.

    Why not a thread hop per statement (as aiosqlite does): a statement inside a transaction
    only touches SQLite's page cache and the WAL file's OS buffers, which takes microseconds,
    less than the hop itself. What waits on the disk is the commit's fsync, and what may wait on
    another process is taking the write lock: those two run in the writer thread, so a unit of
    work costs one hop (two when the CLI holds the lock), whatever its number of statements.
    Reads run where they are asked: WAL readers never wait for the writer.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._reader: Connection | None = None
        self._writer: Connection | None = None
        self._lock = asyncio.Lock()
        # Single statements waiting for the group commit (see `execute`), and its task.
        self._grouped: list[tuple[str, tuple[Any, ...], asyncio.Future[int]]] = []
        self._committer: asyncio.Task[None] | None = None
        self.upgraded: list[migrations.Migration] = []  # the steps the last open() applied
        self._wakers: dict[str, list[Callable[[], None]]] = {}

    def wake_on_commit(self, queue: str, wake: Callable[[], None]) -> None:
        """Call `wake` after each commit of a transaction that made rows of `queue` due (its
        owner module says so: `Connection.added_to`). The one place where a worker learns of
        new work in its own process; another process's rows are found by the worker's poll."""
        self._wakers.setdefault(queue, []).append(wake)

    async def open(self) -> Store:
        """Open the file, creating it or upgrading it to this code's schema version first; a
        file newer than the code raises `ConfigError` and is left untouched."""
        self._writer = await connect(self.path)
        try:
            self.upgraded = await migrations.upgrade(self._writer, SCHEMAS, self.path)
        except BaseException:
            await self._writer.close()
            self._writer = None
            raise
        self._reader = await connect(self.path)
        return self

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Connection]:
        """One transaction: everything done with the connection commits, or nothing does."""
        assert self._writer is not None, "store is not open"
        async with self._lock:
            await self._writer.begin()
            try:
                yield self._writer
            except BaseException:
                await self._writer.rollback()
                raise
            await self._writer.commit()
            queued, self._writer.queued = self._writer.queued, set()
        for queue in queued:
            for wake in self._wakers.get(queue, ()):
                wake()

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One statement, durable when this returns; its rowcount.

        For the inbox's hot path. Statements that arrive while a commit is on the disk wait
        for the next one and share it (group commit): under load, one fsync and one thread hop
        serve every request that came meanwhile, instead of one each; alone, a statement is
        committed at once."""
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._grouped.append((sql, tuple(params), done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_grouped())
        return await done

    async def _commit_grouped(self) -> None:
        assert self._writer is not None, "store is not open"
        while self._grouped:
            group, self._grouped = self._grouped, []
            results: list[int | BaseException] = []
            try:
                async with self.write() as db:
                    for sql, params, _ in group:
                        try:
                            cursor = await db.execute(sql, params)
                            results.append(cursor.rowcount)
                        except sqlite3.Error as exc:  # that statement alone; the others commit
                            results.append(exc)
            except BaseException as exc:
                for _, _, done in group:
                    if not done.done():
                        done.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for (_, _, done), result in zip(group, results, strict=True):
                if done.done():
                    continue
                if isinstance(result, BaseException):
                    done.set_exception(result)
                else:
                    done.set_result(result)

    @property
    def reads(self) -> Connection:
        """The connection for reads outside a transaction: what owner functions in `tables`
        take when the caller is not inside `write()`. WAL readers never wait for the writer."""
        assert self._reader is not None, "store is not open"
        return self._reader
