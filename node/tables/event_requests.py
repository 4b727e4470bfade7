"""The `event_requests` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3
import time

from ..sqlite import Connection

SCHEMA = """
-- Joins of a `restricted` event (Mobilizon's joinMode) waiting for the event's host to answer
-- them with Accept or Reject. Kept apart from the participants so that capacity and the
-- participants collection only ever count accepted people.
CREATE TABLE IF NOT EXISTS event_requests (
    event_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    join_id TEXT NOT NULL UNIQUE,        -- the Join that the host's Accept or Reject answers
    message TEXT,                        -- Mobilizon's participationMessage, for the team
    created_at REAL NOT NULL,
    PRIMARY KEY (event_id, actor)
);
"""


async def ask(db: Connection, event_id: str, actor: str, join_id: str, message: str | None) -> None:
    """Keep a Join waiting for the host's answer (a second Join replaces the first)."""
    await db.execute(
        "INSERT INTO event_requests (event_id, actor, join_id, message, created_at)"
        " VALUES (?,?,?,?,?) ON CONFLICT(event_id, actor) DO UPDATE SET"
        " join_id = excluded.join_id, message = excluded.message",
        (event_id, actor, join_id, message, time.time()),
    )


async def withdraw(db: Connection, event_id: str, actor: str) -> bool:
    """The actor's request is no longer waiting (answered or taken back); whether it was."""
    cursor = await db.execute(
        "DELETE FROM event_requests WHERE event_id = ? AND actor = ?", (event_id, actor)
    )
    return cursor.rowcount > 0


async def is_pending(db: Connection, event_id: str, actor: str, join_id: object) -> bool:
    """Whether this very Join of the actor still waits for an answer."""
    async with db.execute(
        "SELECT 1 FROM event_requests WHERE event_id = ? AND actor = ? AND join_id = ?",
        (event_id, actor, join_id),
    ) as cur:
        return await cur.fetchone() is not None


async def pending(db: Connection, event_id: str | None = None) -> list[sqlite3.Row]:
    """The requests waiting, with their event's `name`, oldest first; of one event or all."""
    async with db.execute(
        "SELECT r.*, json_extract(o.document, '$.name') AS name FROM event_requests r"
        " JOIN objects o ON o.id = r.event_id WHERE (? IS NULL OR r.event_id = ?)"
        " ORDER BY r.created_at",
        (event_id, event_id),
    ) as cur:
        return await cur.fetchall()


# A host answers a Join waiting here or, to take back a participation, one already accepted
# (`event_participants`): these two find it in either table.


async def join_of(db: Connection, event_id: str, actor: str) -> str | None:
    """The id of the actor's Join of the event, pending or accepted."""
    async with db.execute(
        "SELECT join_id FROM event_requests WHERE event_id = ? AND actor = ?"
        " UNION ALL SELECT join_id FROM event_participants WHERE event_id = ? AND actor = ?",
        (event_id, actor, event_id, actor),
    ) as cur:
        row = await cur.fetchone()
    return row[0] if row else None


async def answerable(
    db: Connection, join_id: str | None, event_id: str | None, actor: str | None
) -> tuple[str, str | None] | None:
    """A Join, pending or accepted, by its id or by its event and actor: (the Join's id, the
    event's author)."""
    async with db.execute(
        "SELECT r.join_id, o.attributed_to FROM (SELECT event_id, actor, join_id FROM"
        " event_requests UNION ALL SELECT event_id, actor, join_id FROM"
        " event_participants) r JOIN objects o ON o.id = r.event_id"
        " WHERE r.join_id = ? OR (r.event_id = ? AND r.actor = ?)",
        (join_id, event_id, actor),
    ) as cur:
        row = await cur.fetchone()
    return (row[0], row[1]) if row else None


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def of_actor(db: Connection, actor: str) -> list[sqlite3.Row]:
    """The events an actor takes part in (or asked to): `event_id`, `created_at`."""
    async with db.execute(
        "SELECT event_id, created_at FROM event_requests WHERE actor = ? ORDER BY created_at",
        (actor,),
    ) as cur:
        return await cur.fetchall()


async def forget_actor(db: Connection, actor: str) -> int:
    cur = await db.execute("DELETE FROM event_requests WHERE actor = ?", (actor,))
    return cur.rowcount
