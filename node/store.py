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

import aiosqlite

from . import migrations
from .access.schema import SCHEMA as ACCESS_SCHEMA
from .knocking import SCHEMA as KNOCKING_SCHEMA
from .ledger.schema import SCHEMA as LEDGER_SCHEMA
from .query.schema import DOMAIN_SCHEMAS

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
    """One read connection and one write connection to the node's SQLite file.

    Writes from the many coroutines of one process go through `write()`, one transaction at a
    time, so that a transaction never sees another's half-done work.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._reader: aiosqlite.Connection | None = None
        self._writer: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self.upgraded: list[migrations.Migration] = []  # the steps the last open() applied

    async def open(self) -> Store:
        """Open the file, creating it or upgrading it to this code's schema version first; a
        file newer than the code raises `ConfigError` and is left untouched."""
        self._writer = await _connect(self.path)
        try:
            self.upgraded = await migrations.upgrade(self._writer, SCHEMAS, self.path)
        except BaseException:
            await self._writer.close()
            self._writer = None
            raise
        self._reader = await _connect(self.path)
        return self

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        assert self._writer is not None, "store is not open"
        async with self._lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.rollback()
                raise
            await self._writer.commit()

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One statement, committed on its own (no BEGIN/COMMIT round trips); returns rowcount.

        For the inbox's hot path: a single INSERT is atomic and durable by itself."""
        assert self._writer is not None, "store is not open"
        async with self._lock:
            cursor = await self._writer.execute(sql, tuple(params))
            count = cursor.rowcount
            await cursor.close()
            return count

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


async def _connect(path: Path) -> aiosqlite.Connection:
    # isolation_level=None: transactions are opened explicitly by Store.write().
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=FULL")
    await conn.execute("PRAGMA busy_timeout=10000")
    await conn.execute("PRAGMA foreign_keys=ON")
    return conn
