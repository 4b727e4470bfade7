"""The `event_participants` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3
import time

from ..sqlite import Connection

SCHEMA = """
-- Who takes part in which local event. A Join is accepted while the event has room; the row
-- is what the participants collection lists and what capacity is counted on.
CREATE TABLE IF NOT EXISTS event_participants (
    event_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    join_id TEXT NOT NULL,               -- the Join, which a Leave or an Undo refers to
    created_at REAL NOT NULL,
    PRIMARY KEY (event_id, actor)
);
"""


async def count(db: Connection, event_id: str) -> int:
    """How many take part in the event: what its capacity is counted on."""
    return await db.integer(
        "SELECT COUNT(*) FROM event_participants WHERE event_id = ?", (event_id,)
    )


async def counts(db: Connection, event_ids: list[str]) -> dict[str, int]:
    """How many take part in each of the events (one not listed has no one), in one query."""
    if not event_ids:
        return {}
    marks = ",".join("?" * len(event_ids))
    async with db.execute(
        f"SELECT event_id, COUNT(*) FROM event_participants WHERE event_id IN ({marks})"
        " GROUP BY event_id",
        event_ids,
    ) as cur:
        return {row[0]: row[1] for row in await cur.fetchall()}


async def takes_part(db: Connection, event_id: str, actor: str) -> bool:
    async with db.execute(
        "SELECT 1 FROM event_participants WHERE event_id = ? AND actor = ?", (event_id, actor)
    ) as cur:
        return await cur.fetchone() is not None


async def join(db: Connection, event_id: str, actor: str, join_id: str) -> None:
    """List the actor as taking part (once: a second Join changes nothing)."""
    await db.execute(
        "INSERT OR IGNORE INTO event_participants (event_id, actor, join_id, created_at)"
        " VALUES (?,?,?,?)",
        (event_id, actor, join_id, time.time()),
    )


async def leave(db: Connection, event_id: str, actor: str) -> bool:
    """Take the actor off the event; whether they were taking part."""
    cursor = await db.execute(
        "DELETE FROM event_participants WHERE event_id = ? AND actor = ?", (event_id, actor)
    )
    return cursor.rowcount > 0


async def page(db: Connection, event_id: str, limit: int, offset: int) -> list[str]:
    """The participants' ids, in the order they joined (the participants collection)."""
    async with db.execute(
        "SELECT actor FROM event_participants WHERE event_id = ? ORDER BY created_at"
        " LIMIT ? OFFSET ?",
        (event_id, limit, offset),
    ) as cur:
        return [row[0] for row in await cur.fetchall()]


async def listing(db: Connection, event_id: str) -> list[tuple[str, float]]:
    """(actor, joined at) of every participant, in the order they joined (the team's list)."""
    async with db.execute(
        "SELECT actor, created_at FROM event_participants WHERE event_id = ? ORDER BY created_at",
        (event_id,),
    ) as cur:
        return [(str(r[0]), float(r[1])) for r in await cur.fetchall()]


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def of_actor(db: Connection, actor: str) -> list[sqlite3.Row]:
    """The events an actor takes part in (or asked to): `event_id`, `created_at`."""
    async with db.execute(
        "SELECT event_id, created_at FROM event_participants WHERE actor = ? ORDER BY created_at",
        (actor,),
    ) as cur:
        return await cur.fetchall()


async def forget_actor(db: Connection, actor: str) -> int:
    cur = await db.execute("DELETE FROM event_participants WHERE actor = ?", (actor,))
    return cur.rowcount
