"""The `visitor_sessions` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- Browsers signed in here by a member of another place, whose home node vouched for their
-- actor id (IndieAuth). Apart from `sessions`: a visitor has no account here and holds no
-- role. The cookie holds a random token; only its SHA-256 is kept (node/people/visitors.py).
CREATE TABLE IF NOT EXISTS visitor_sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    actor TEXT NOT NULL,                 -- the actor id the home node vouched for
    address TEXT NOT NULL,               -- @alice@a.example, as shown in the header
    created_at REAL NOT NULL,
    seen_at REAL NOT NULL,
    closed_at REAL
);
CREATE INDEX IF NOT EXISTS visitor_sessions_by_actor ON visitor_sessions (actor)
    WHERE closed_at IS NULL;
"""


async def add(db: Connection, token_hash: str, actor: str, address: str, now: float) -> int:
    cur = await db.execute(
        "INSERT INTO visitor_sessions (token_hash, actor, address, created_at, seen_at)"
        " VALUES (?,?,?,?,?)",
        (token_hash, actor, address, now, now),
    )
    return int(cur.lastrowid or 0)


async def open_by_hash(db: Connection, token_hash: str) -> sqlite3.Row | None:
    async with db.execute(
        "SELECT * FROM visitor_sessions WHERE token_hash = ? AND closed_at IS NULL",
        (token_hash,),
    ) as cur:
        return await cur.fetchone()


async def seen(db: Connection, session_id: int, now: float) -> None:
    await db.execute("UPDATE visitor_sessions SET seen_at = ? WHERE id = ?", (now, session_id))


async def close(db: Connection, session_id: int, now: float) -> bool:
    cur = await db.execute(
        "UPDATE visitor_sessions SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
        (now, session_id),
    )
    return cur.rowcount > 0


async def close_actor(db: Connection, actor: str, now: float) -> int:
    """Close every open session of a remote actor (their account is gone at home)."""
    cur = await db.execute(
        "UPDATE visitor_sessions SET closed_at = ? WHERE actor = ? AND closed_at IS NULL",
        (now, actor),
    )
    return cur.rowcount
