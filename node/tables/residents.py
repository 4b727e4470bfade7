"""The `residents` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3
import time

from ..sqlite import Connection

SCHEMA = """
-- Residency of a member at this node's place: a Join waits for the place's team to validate
-- it (`pending`) before the member appears in the public residents collection (`accepted`).
CREATE TABLE IF NOT EXISTS residents (
    actor TEXT PRIMARY KEY,
    place TEXT NOT NULL,
    join_id TEXT,                        -- the member's Join, answered by the place's Accept
    state TEXT NOT NULL,                 -- pending | accepted
    created_at REAL NOT NULL,
    accepted_at REAL
);
"""


async def ask(db: Connection, actor: str, place: str, join_id: str) -> None:
    """A member's Join of the place waits for the team (a second Join replaces the first)."""
    await db.execute(
        "INSERT INTO residents (actor, place, join_id, state, created_at)"
        " VALUES (?,?,?,'pending',?) ON CONFLICT(actor) DO UPDATE SET"
        " join_id = excluded.join_id, place = excluded.place",
        (actor, place, join_id, time.time()),
    )


async def admit(db: Connection, actor: str, place: str) -> None:
    """The team validates the member: accepted, with or without a Join waiting."""
    now = time.time()
    await db.execute(
        "INSERT INTO residents (actor, place, join_id, state, created_at, accepted_at)"
        " VALUES (?,?,NULL,'accepted',?,?) ON CONFLICT(actor) DO UPDATE SET"
        " state = 'accepted', accepted_at = excluded.accepted_at",
        (actor, place, now, now),
    )


async def remove(db: Connection, actor: str) -> None:
    await db.execute("DELETE FROM residents WHERE actor = ?", (actor,))


async def find(db: Connection, actor: str) -> sqlite3.Row | None:
    """The member's row, pending or accepted."""
    async with db.execute("SELECT * FROM residents WHERE actor = ?", (actor,)) as cur:
        return await cur.fetchone()


async def place_of(db: Connection, actor: str) -> str | None:
    """The place the member is an accepted resident of."""
    async with db.execute(
        "SELECT place FROM residents WHERE actor = ? AND state = 'accepted'", (actor,)
    ) as cur:
        row = await cur.fetchone()
    return row[0] if row else None


async def is_resident(db: Connection, actor: str) -> bool:
    async with db.execute(
        "SELECT 1 FROM residents WHERE actor = ? AND state = 'accepted'", (actor,)
    ) as cur:
        return await cur.fetchone() is not None


async def state_of_join(db: Connection, actor: str, join_id: object) -> str | None:
    """`pending` or `accepted` for the member's residency asked by this Join, else None."""
    async with db.execute(
        "SELECT state FROM residents WHERE actor = ? AND join_id = ?", (actor, join_id)
    ) as cur:
        row = await cur.fetchone()
    return str(row["state"]) if row else None


async def accepted_count(db: Connection) -> int:
    return await db.integer("SELECT COUNT(*) FROM residents WHERE state = 'accepted'")


async def accepted_page(db: Connection, limit: int, offset: int) -> list[str]:
    """The residents' ids, in the order they were accepted (the residents collection)."""
    async with db.execute(
        "SELECT actor FROM residents WHERE state = 'accepted' ORDER BY accepted_at"
        " LIMIT ? OFFSET ?",
        (limit, offset),
    ) as cur:
        return [row[0] for row in await cur.fetchall()]


async def listing(db: Connection) -> list[sqlite3.Row]:
    """Every resident and request, in the order they came (for the team)."""
    async with db.execute("SELECT * FROM residents ORDER BY created_at") as cur:
        return await cur.fetchall()


async def pending(db: Connection, limit: int) -> list[sqlite3.Row]:
    """Requests waiting for the team, oldest first (the validation queue)."""
    async with db.execute(
        "SELECT * FROM residents WHERE state = 'pending' ORDER BY created_at LIMIT ?", (limit,)
    ) as cur:
        return await cur.fetchall()


async def pending_count(db: Connection) -> int:
    return await db.integer("SELECT COUNT(*) FROM residents WHERE state = 'pending'")
