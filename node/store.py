"""The node's SQLite file: schema, and one writer at a time.

Every state that must survive a crash is a row here: an activity received but not yet applied
(`inbox_queue`), a delivery not yet made (`deliveries`). WAL mode lets the CLI and the server
use the same file at once; `busy_timeout` makes a writer wait for the other instead of failing.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from . import migrations
from .access.schema import SCHEMA as ACCESS_SCHEMA
from .knocking import SCHEMA as KNOCKING_SCHEMA
from .ledger.schema import SCHEMA as LEDGER_SCHEMA
from .query.schema import DOMAIN_SCHEMAS
from .sqlite import Connection, connect

SCHEMA = """
-- Settings of the file itself, by key. (The schema version is PRAGMA user_version: migrations.py.)
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Actors that live on this node: the place and its members, with their private keys.
CREATE TABLE IF NOT EXISTS local_actors (
    handle TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,                -- Organization (the place) or Person (a member)
    name TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    manually_approves INTEGER NOT NULL DEFAULT 0,
    rsa_private_pem TEXT NOT NULL,
    ed25519_private_pem TEXT NOT NULL,
    created_at REAL NOT NULL
);

-- Client-to-server tokens, stored as SHA-256 hashes so that a copy of the file grants nothing.
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL REFERENCES local_actors(handle),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    revoked_at REAL
);

-- Remote actors as last fetched: their inboxes and the key their signatures must verify with.
CREATE TABLE IF NOT EXISTS remote_actors (
    id TEXT PRIMARY KEY,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    followers TEXT,
    key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    document TEXT NOT NULL,
    fetched_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS remote_actors_key ON remote_actors(key_id);

-- Every activity this node minted or accepted, local or remote, by id.
CREATE TABLE IF NOT EXISTS activities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    object_id TEXT,
    document TEXT NOT NULL,
    local INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS activities_actor ON activities(actor, created_at);

-- Objects (notes, events, …) by id; a deleted one keeps its row as a Tombstone.
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    attributed_to TEXT,
    document TEXT NOT NULL,
    local INTEGER NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    deleted_at REAL
);

-- Received activities waiting to be applied. The primary key is what makes a duplicate
-- activity id (a retry, a replay) accepted once and applied once.
CREATE TABLE IF NOT EXISTS inbox_queue (
    activity_id TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    received_at REAL NOT NULL,
    target TEXT,                         -- handle whose inbox it was posted to; NULL: shared inbox
    state TEXT NOT NULL DEFAULT 'new',   -- new -> applied | failed
    attempts INTEGER NOT NULL DEFAULT 0, -- applying can fail on a transient fetch: retried
    next_attempt_at REAL NOT NULL DEFAULT 0, -- with backoff, so a dead sender is not hammered
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS inbox_queue_state ON inbox_queue(state);

-- What each local actor's inbox shows its owner.
CREATE TABLE IF NOT EXISTS inbox_items (
    owner TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (owner, activity_id)
);
CREATE INDEX IF NOT EXISTS inbox_items_owner ON inbox_items(owner, received_at);

-- Follow relations in both directions, local or remote on either side.
CREATE TABLE IF NOT EXISTS follows (
    follower TEXT NOT NULL,
    followee TEXT NOT NULL,
    activity_id TEXT NOT NULL,           -- the Follow, which Accept/Reject/Undo refer to
    state TEXT NOT NULL,                 -- pending | accepted
    created_at REAL NOT NULL,
    PRIMARY KEY (follower, followee)
);
CREATE INDEX IF NOT EXISTS follows_activity ON follows(activity_id);

-- Likes and Announces, undone by deleting the row.
CREATE TABLE IF NOT EXISTS reactions (
    activity_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    object_id TEXT NOT NULL
);

-- One row per (activity, target inbox): the durable delivery queue.
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    activity_id TEXT NOT NULL,
    inbox TEXT NOT NULL,
    signer TEXT NOT NULL,                -- handle of the local actor whose key signs the POST
    state TEXT NOT NULL DEFAULT 'pending', -- pending -> delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    -- when to try next: exponential backoff with jitter, or the peer's Retry-After
    next_attempt_at REAL NOT NULL,
    -- a worker that took the row owns it until then; after a crash the lease runs out and the
    -- row is taken again, so nothing is lost (a peer may see a retry: ids make that harmless)
    locked_until REAL,
    last_error TEXT,                     -- why the last attempt failed, shown to the operator
    created_at REAL NOT NULL,
    finished_at REAL,
    UNIQUE (activity_id, inbox)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt_at);
"""


# The core's tables, then one schema per domain package. A change to a table that already
# exists also needs a step in `migrations.py`: CREATE … IF NOT EXISTS leaves old files as they are.
SCHEMAS = [SCHEMA, ACCESS_SCHEMA, KNOCKING_SCHEMA, LEDGER_SCHEMA, *DOMAIN_SCHEMAS]


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

    async def one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        assert self._reader is not None, "store is not open"
        async with self._reader.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        assert self._reader is not None, "store is not open"
        async with self._reader.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def document(self, table: str, id_: str) -> dict[str, Any] | None:
        row = await self.one(f"SELECT document FROM {table} WHERE id = ?", (id_,))
        return json.loads(row["document"]) if row else None
