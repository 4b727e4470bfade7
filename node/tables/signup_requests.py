"""The `signup_requests` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- Requests to join the place sent from its public page `/adhesion`, until the team accepts
-- (the member's account is made and a one-time link handed over) or refuses them. The way to
-- reach the person and their message are emptied once decided: the team no longer needs them.
CREATE TABLE IF NOT EXISTS signup_requests (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    handle TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',  -- an e-mail address or a phone number, optional
    message TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    -- 'pending', 'accepted' or 'refused'
    state TEXT NOT NULL DEFAULT 'pending',
    decided_at REAL,
    decided_by TEXT,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS signup_requests_state ON signup_requests(state, created_at);
"""


async def add(
    db: Connection, name: str, handle: str, contact: str, message: str, now: float
) -> int:
    cur = await db.execute(
        "INSERT INTO signup_requests (name, handle, contact, message, created_at)"
        " VALUES (?,?,?,?,?)",
        (name, handle, contact, message, now),
    )
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


async def pending(db: Connection) -> list[sqlite3.Row]:
    """The requests waiting for the team, oldest first."""
    async with db.execute(
        "SELECT * FROM signup_requests WHERE state = 'pending' ORDER BY created_at, id"
    ) as cur:
        return list(await cur.fetchall())


async def pending_count(db: Connection) -> int:
    async with db.execute("SELECT count(*) FROM signup_requests WHERE state = 'pending'") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def handle_asked(db: Connection, handle: str) -> bool:
    """Whether a request still waiting wishes this handle."""
    async with db.execute(
        "SELECT 1 FROM signup_requests WHERE state = 'pending' AND handle = ?", (handle,)
    ) as cur:
        return await cur.fetchone() is not None


async def find_pending(db: Connection, request_id: int) -> sqlite3.Row | None:
    async with db.execute(
        "SELECT * FROM signup_requests WHERE id = ? AND state = 'pending'", (request_id,)
    ) as cur:
        return await cur.fetchone()


async def decide(
    db: Connection, request_id: int, state: str, by: str, reason: str, now: float
) -> bool:
    """Mark a waiting request decided, once, emptying its contact and message: False when it
    was decided already."""
    cur = await db.execute(
        "UPDATE signup_requests SET state = ?, decided_at = ?, decided_by = ?, reason = ?,"
        " contact = '', message = '' WHERE id = ? AND state = 'pending'",
        (state, now, by, reason, request_id),
    )
    return cur.rowcount > 0


async def forget_handle(db: Connection, handle: str) -> int:
    """A member's erasure: their request, with the name it gave, goes too."""
    cur = await db.execute("DELETE FROM signup_requests WHERE handle = ?", (handle,))
    return cur.rowcount
