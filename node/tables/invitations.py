"""The `invitations` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- One-time links the team hands a member to choose a password (`/invitation/<token>`). Only the
-- token's SHA-256 is kept. A link serves once, until it expires; a newer link for the same
-- account replaces the older ones.
CREATE TABLE IF NOT EXISTS invitations (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    handle TEXT NOT NULL REFERENCES accounts(handle),
    -- 'join': the account has no password yet; 'reset': it has one, which the link replaces
    -- (and every open session of the account is closed).
    purpose TEXT NOT NULL DEFAULT 'join',
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL,
    -- Set when a newer link replaced this one before it served.
    withdrawn_at REAL
);
"""


async def add(
    db: Connection, token_hash: str, handle: str, purpose: str, now: float, expires_at: float
) -> None:
    await db.execute(
        "UPDATE invitations SET withdrawn_at = ?"
        " WHERE handle = ? AND used_at IS NULL AND withdrawn_at IS NULL",
        (now, handle),
    )
    await db.execute(
        "INSERT INTO invitations (token_hash, handle, purpose, created_at, expires_at)"
        " VALUES (?,?,?,?,?)",
        (token_hash, handle, purpose, now, expires_at),
    )


async def withdraw(db: Connection, handle: str, now: float) -> int:
    """Withdraw the account's links that have not served yet; how many."""
    cur = await db.execute(
        "UPDATE invitations SET withdrawn_at = ?"
        " WHERE handle = ? AND used_at IS NULL AND withdrawn_at IS NULL",
        (now, handle),
    )
    return cur.rowcount


async def valid(db: Connection, token_hash: str, now: float) -> sqlite3.Row | None:
    """The invitation of a token if it may still serve: not used, not replaced, not expired."""
    async with db.execute(
        "SELECT * FROM invitations WHERE token_hash = ? AND used_at IS NULL"
        " AND withdrawn_at IS NULL AND expires_at > ?",
        (token_hash, now),
    ) as cur:
        return await cur.fetchone()


async def use(db: Connection, invitation_id: int, now: float) -> bool:
    """Mark the invitation used, once: False when it already served, or no longer may."""
    cur = await db.execute(
        "UPDATE invitations SET used_at = ? WHERE id = ? AND used_at IS NULL"
        " AND withdrawn_at IS NULL AND expires_at > ?",
        (now, invitation_id, now),
    )
    return cur.rowcount > 0


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def forget_handle(db: Connection, handle: str) -> int:
    cur = await db.execute("DELETE FROM invitations WHERE handle = ?", (handle,))
    return cur.rowcount
