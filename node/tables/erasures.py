"""The `erasures` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- Members who erased their account. The actor id stays taken (a new member never inherits an
-- erased one's id, which other places may still hold in their books). The marker that stands
-- for them in the records the place must keep (visits, claims, credit accounts, badges) is
-- not kept here: beside the handle, it would name them in those records again.
CREATE TABLE IF NOT EXISTS erasures (
    actor_id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    delete_id TEXT NOT NULL,               -- the Delete of the actor sent to the network
    erased_at REAL NOT NULL
);
"""

# Migration 4 (`node.migrations`): the marker column goes. SQLite drops no UNIQUE column, so the
# table is made again without it (nothing refers to it).
MIGRATION = """
CREATE TABLE erasures_without_marker (
    actor_id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    delete_id TEXT NOT NULL,
    erased_at REAL NOT NULL
);
INSERT INTO erasures_without_marker (actor_id, handle, delete_id, erased_at)
    SELECT actor_id, handle, delete_id, erased_at FROM erasures;
DROP TABLE erasures;
ALTER TABLE erasures_without_marker RENAME TO erasures;
"""


async def add(db: Connection, actor_id: str, handle: str, delete_id: str, at: float) -> None:
    await db.execute(
        "INSERT INTO erasures (actor_id, handle, delete_id, erased_at) VALUES (?,?,?,?)",
        (actor_id, handle, delete_id, at),
    )


async def of_handle(db: Connection, handle: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM erasures WHERE handle = ?", (handle,)) as cur:
        return await cur.fetchone()
