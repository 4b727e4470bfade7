"""The `backfills` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3
import time

from ..sqlite import Connection

QUEUE = "backfills"  # what `Connection.added_to` names: the backfill worker's queue

SCHEMA = """
-- Reading a followed place's outbox once our Follow is accepted, so that what it published
-- before is in the shared agenda too. Network I/O: a row per place, taken by the backfill
-- worker, so that a restart resumes it and the inbox transaction never waits on the network.
-- One server process runs the workers, so a row needs no lease.
CREATE TABLE IF NOT EXISTS backfills (
    actor TEXT PRIMARY KEY,              -- the followed place
    state TEXT NOT NULL,                 -- new -> done | failed
    attempts INTEGER NOT NULL DEFAULT 0, -- a place's server may be down for a while: retried
    next_attempt_at REAL NOT NULL,       -- with backoff, so a dead server is not hammered
    last_error TEXT,                     -- why the last attempt failed, for the operator
    items INTEGER NOT NULL DEFAULT 0,    -- how many activities the last pass queued
    created_at REAL NOT NULL,
    finished_at REAL
);

CREATE INDEX IF NOT EXISTS backfills_due ON backfills(state, next_attempt_at);
"""


async def request(db: Connection, actor: str) -> None:
    """Queue (again) a read of a followed place's outbox, due at once."""
    now = time.time()
    await db.execute(
        "INSERT INTO backfills (actor, state, next_attempt_at, created_at) VALUES (?,'new',?,?)"
        " ON CONFLICT(actor) DO UPDATE SET state = 'new', attempts = 0, last_error = NULL,"
        " next_attempt_at = excluded.next_attempt_at",
        (actor, now, now),
    )
    db.added_to(QUEUE)


async def due(db: Connection, now: float) -> list[sqlite3.Row]:
    """The reads waiting whose time has come, the longest due first."""
    async with db.execute(
        "SELECT * FROM backfills WHERE state = 'new' AND next_attempt_at <= ?"
        " ORDER BY next_attempt_at",
        (now,),
    ) as cur:
        return await cur.fetchall()


async def failed(
    db: Connection, actor: str, reason: str, retry: bool, next_attempt_at: float
) -> None:
    """An attempt failed for `reason`: tried again at `next_attempt_at` if `retry`, else set
    aside (`failed`) until the operator queues it again."""
    await db.execute(
        "UPDATE backfills SET attempts = attempts + 1, last_error = ?, state = ?,"
        " next_attempt_at = ? WHERE actor = ?",
        (reason, "new" if retry else "failed", next_attempt_at, actor),
    )


async def done(db: Connection, actor: str, items: int, finished_at: float) -> None:
    """The place's outbox was read and `items` activities queued."""
    await db.execute(
        "UPDATE backfills SET state = 'done', items = ?, last_error = NULL,"
        " finished_at = ? WHERE actor = ?",
        (items, finished_at, actor),
    )


async def listing(db: Connection) -> list[sqlite3.Row]:
    """Every read, in the order first asked (for the operator)."""
    async with db.execute("SELECT * FROM backfills ORDER BY created_at") as cur:
        return await cur.fetchall()
