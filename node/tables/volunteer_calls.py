"""The `volunteer_calls` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3
import time

from ..sqlite import Connection

SCHEMA = """
-- Volunteer calls this node holds: its place's own, and those of places it follows (received
-- with their Create or Update), parsed from the document for listing and matching.
CREATE TABLE IF NOT EXISTS volunteer_calls (
    id TEXT PRIMARY KEY,
    place TEXT NOT NULL,                 -- the calling place (the object's author)
    name TEXT NOT NULL,
    document TEXT NOT NULL,              -- JSON, as published
    start_at REAL NOT NULL,              -- POSIX seconds
    end_at REAL NOT NULL,
    needed INTEGER NOT NULL,             -- volunteersNeeded
    kept_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS volunteer_calls_end ON volunteer_calls(end_at);
"""

# A call its author deleted: the objects table keeps its Tombstone (node/objects.py).
_LIVE = (
    "NOT EXISTS (SELECT 1 FROM objects o WHERE o.id = volunteer_calls.id AND o.type = 'Tombstone')"
)


async def keep(
    db: Connection,
    call_id: str,
    place: str,
    name: str,
    document: str,
    start_at: float,
    end_at: float,
    needed: int,
) -> None:
    """Keep a call as published or received; a later Update replaces it."""
    await db.execute(
        "INSERT INTO volunteer_calls (id, place, name, document, start_at, end_at, needed,"
        " kept_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
        " name = excluded.name, document = excluded.document, start_at = excluded.start_at,"
        " end_at = excluded.end_at, needed = excluded.needed, kept_at = excluded.kept_at"
        " WHERE volunteer_calls.place = excluded.place",
        (call_id, place, name, document, start_at, end_at, needed, time.time()),
    )


async def get(db: Connection, call_id: str) -> sqlite3.Row | None:
    """The call, unless its author deleted it."""
    async with db.execute(
        f"SELECT * FROM volunteer_calls WHERE id = ? AND {_LIVE}", (call_id,)
    ) as cur:
        return await cur.fetchone()


async def current(
    db: Connection, now: float, limit: int, place: str | None = None
) -> list[sqlite3.Row]:
    """Calls not yet over, soonest first; only `place`'s when given."""
    async with db.execute(
        "SELECT * FROM volunteer_calls WHERE end_at > ? AND (? IS NULL OR place = ?)"
        f" AND {_LIVE} ORDER BY start_at LIMIT ?",
        (now, place, place, limit),
    ) as cur:
        return await cur.fetchall()


async def of_place(db: Connection, place: str, limit: int) -> list[sqlite3.Row]:
    """Every call of `place`, latest start first (the team's list, past calls included)."""
    async with db.execute(
        f"SELECT * FROM volunteer_calls WHERE place = ? AND {_LIVE} ORDER BY start_at DESC LIMIT ?",
        (place, limit),
    ) as cur:
        return await cur.fetchall()
