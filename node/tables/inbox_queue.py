"""The `inbox_queue` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..queues import InboxState
from ..sqlite import Connection, GroupCommit

QUEUE = "inbox_queue"  # what `Connection.added_to` names: the inbox worker's queue

SCHEMA = """
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
"""


async def enqueue(
    commit: GroupCommit, activity_id: str, document: str, received_at: float, target: str | None
) -> bool:
    """A signed POST's activity, durable when this returns; False when its id was queued
    already (a retry, a replay), which changes nothing.

    The inbox's hot path: one statement through the store's group commit (`Store.execute`),
    so that requests arriving together share one commit."""
    return (
        await commit(
            "INSERT OR IGNORE INTO inbox_queue (activity_id, document, received_at, target,"
            " state) VALUES (?,?,?,?,?)",
            (activity_id, document, received_at, target, InboxState.NEW),
        )
        == 1
    )


async def enqueue_vouched(
    db: Connection, activity_id: str, document: str, received_at: float
) -> None:
    """An activity that came otherwise than by a signed POST (published here for a local
    recipient, read from a followed place's outbox), queued once per id, in the caller's
    transaction."""
    await db.execute(
        "INSERT OR IGNORE INTO inbox_queue (activity_id, document, received_at, state)"
        " VALUES (?,?,?,?)",
        (activity_id, document, received_at, InboxState.NEW),
    )
    db.added_to(QUEUE)


async def take_batch(db: Connection, now: float, limit: int) -> list[sqlite3.Row]:
    """Up to `limit` rows due by `now`, in the order they arrived."""
    async with db.execute(
        "SELECT * FROM inbox_queue WHERE state = ? AND next_attempt_at <= ?"
        " ORDER BY received_at LIMIT ?",
        (InboxState.NEW, now, limit),
    ) as cur:
        return await cur.fetchall()


async def state_of(db: Connection, activity_id: str) -> str | None:
    async with db.execute(
        "SELECT state FROM inbox_queue WHERE activity_id = ?", (activity_id,)
    ) as cur:
        row = await cur.fetchone()
    return row[0] if row else None


async def mark_applied(db: Connection, activity_id: str) -> bool:
    """Mark a new row applied, in the transaction that applies it; False when it is not new
    (another batch applied it first), and then there is nothing to apply."""
    cursor = await db.execute(
        "UPDATE inbox_queue SET state = ?, last_error = NULL WHERE activity_id = ? AND state = ?",
        (InboxState.NEW.to(InboxState.APPLIED), activity_id, InboxState.NEW),
    )
    return cursor.rowcount == 1


async def attempt_failed(
    db: Connection, activity_id: str, reason: str, *, retry: bool, next_attempt_at: float
) -> None:
    """An attempt to apply failed: due again at `next_attempt_at` when `retry`, else set
    aside for the operator with its reason."""
    await db.execute(
        "UPDATE inbox_queue SET attempts = attempts + 1, last_error = ?,"
        " state = ?, next_attempt_at = ? WHERE activity_id = ?",
        (
            reason,
            InboxState.NEW.to(InboxState.NEW if retry else InboxState.FAILED),
            next_attempt_at,
            activity_id,
        ),
    )


async def set_aside(db: Connection, limit: int) -> list[sqlite3.Row]:
    """The latest `limit` activities set aside (failed to apply), with their reason: what a
    peer sent that this node took but could not apply."""
    async with db.execute(
        "SELECT activity_id, received_at, attempts, last_error,"
        " json_extract(document, '$.type') AS type, json_extract(document, '$.actor') AS actor"
        " FROM inbox_queue WHERE state = ? ORDER BY received_at DESC LIMIT ?",
        (InboxState.FAILED, limit),
    ) as cur:
        return await cur.fetchall()


async def state_counts(db: Connection) -> dict[str, int]:
    """How many rows in each state (what is waiting to be applied: `new`)."""
    async with db.execute("SELECT state, COUNT(*) FROM inbox_queue GROUP BY state") as cur:
        return {str(r[0]): int(r[1]) for r in await cur.fetchall()}
