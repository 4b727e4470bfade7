"""The `erasures` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- Members who erased their account. The actor id stays taken (a new member never inherits an
-- erased one's id, which other places may still hold in their books); `marker` is what stands
-- for them in the records the place must keep (visits, claims, credit accounts, badges).
CREATE TABLE IF NOT EXISTS erasures (
    actor_id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    marker TEXT NOT NULL UNIQUE,           -- urn:interlieux:erased:<random>: no name in it
    delete_id TEXT NOT NULL,               -- the Delete of the actor sent to the network
    erased_at REAL NOT NULL
);
"""


async def add(
    db: Connection, actor_id: str, handle: str, marker: str, delete_id: str, at: float
) -> None:
    await db.execute(
        "INSERT INTO erasures (actor_id, handle, marker, delete_id, erased_at) VALUES (?,?,?,?,?)",
        (actor_id, handle, marker, delete_id, at),
    )


async def of_handle(db: Connection, handle: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM erasures WHERE handle = ?", (handle,)) as cur:
        return await cur.fetchone()
