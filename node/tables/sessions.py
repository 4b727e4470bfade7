"""The `sessions` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- Signed-in browsers. The cookie holds a random token; only its SHA-256 is kept, so that a
-- copy of the file opens no session. A session ends when closed (sign-out, a new password,
-- the team), when idle too long, or at its absolute end (node/people/sessions.py).
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    handle TEXT NOT NULL REFERENCES accounts(handle),
    created_at REAL NOT NULL,
    -- Updated at most once in a while (not on every page: a write per page is not worth it).
    seen_at REAL NOT NULL,
    closed_at REAL,
    -- The browser, as it said (for a later "my sessions" list), cut short.
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_by_handle ON sessions (handle) WHERE closed_at IS NULL;
"""


async def add(db: Connection, token_hash: str, handle: str, now: float, user_agent: str) -> int:
    cur = await db.execute(
        "INSERT INTO sessions (token_hash, handle, created_at, seen_at, user_agent)"
        " VALUES (?,?,?,?,?)",
        (token_hash, handle, now, now, user_agent),
    )
    return int(cur.lastrowid or 0)


async def open_by_hash(db: Connection, token_hash: str) -> sqlite3.Row | None:
    """The session of a token, if it was not closed (expiry is the caller's rule)."""
    async with db.execute(
        "SELECT * FROM sessions WHERE token_hash = ? AND closed_at IS NULL", (token_hash,)
    ) as cur:
        return await cur.fetchone()


async def seen(db: Connection, session_id: int, now: float) -> None:
    await db.execute("UPDATE sessions SET seen_at = ? WHERE id = ?", (now, session_id))


async def close(db: Connection, session_id: int, now: float) -> bool:
    cur = await db.execute(
        "UPDATE sessions SET closed_at = ? WHERE id = ? AND closed_at IS NULL", (now, session_id)
    )
    return cur.rowcount > 0


async def close_all(db: Connection, handle: str, now: float) -> int:
    """Close every open session of an account; how many were open."""
    cur = await db.execute(
        "UPDATE sessions SET closed_at = ? WHERE handle = ? AND closed_at IS NULL", (now, handle)
    )
    return cur.rowcount


async def open_count(db: Connection, handle: str) -> int:
    return await db.integer(
        "SELECT COUNT(*) FROM sessions WHERE handle = ? AND closed_at IS NULL", (handle,)
    )


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def of_handle(db: Connection, handle: str) -> list[sqlite3.Row]:
    """Every session of an account, newest first, without its token's hash."""
    async with db.execute(
        "SELECT id, created_at, seen_at, closed_at, user_agent FROM sessions WHERE handle = ?"
        " ORDER BY created_at DESC",
        (handle,),
    ) as cur:
        return await cur.fetchall()


async def forget_handle(db: Connection, handle: str) -> int:
    cur = await db.execute("DELETE FROM sessions WHERE handle = ?", (handle,))
    return cur.rowcount


# --- "my sessions" on /moi: a member sees their open sessions and closes some -------------


async def open_of_handle(db: Connection, handle: str) -> list[sqlite3.Row]:
    """An account's sessions not closed (expiry is the caller's rule), last seen first."""
    async with db.execute(
        "SELECT id, created_at, seen_at, user_agent FROM sessions"
        " WHERE handle = ? AND closed_at IS NULL ORDER BY seen_at DESC, id DESC",
        (handle,),
    ) as cur:
        return await cur.fetchall()


async def close_of_handle(db: Connection, session_id: int, handle: str, now: float) -> bool:
    """Close one session, only if it is the account's own and still open."""
    cur = await db.execute(
        "UPDATE sessions SET closed_at = ? WHERE id = ? AND handle = ? AND closed_at IS NULL",
        (now, session_id, handle),
    )
    return cur.rowcount > 0


async def close_others(db: Connection, handle: str, keep: int, now: float) -> int:
    """Close every open session of an account but `keep`; how many were closed."""
    cur = await db.execute(
        "UPDATE sessions SET closed_at = ? WHERE handle = ? AND id != ? AND closed_at IS NULL",
        (now, handle, keep),
    )
    return cur.rowcount
