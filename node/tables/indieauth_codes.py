"""The `indieauth_codes` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- The codes the home node hands a visited place when a member says yes (IndieAuth): only the
-- SHA-256 of each, bound to the client, its redirect URI and its PKCE challenge; each serves
-- once, before `expires_at` (node/people/indieauth.py). A spent or expired row is useless;
-- `forget_handle` takes a member's away (erasure of their account).
CREATE TABLE IF NOT EXISTS indieauth_codes (
    id INTEGER PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    handle TEXT NOT NULL,  -- no foreign key: an account's erasure is not held up by old codes
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    -- Set by the one redemption that succeeds: a second finds it used.
    used_at REAL
);
"""


async def add(
    db: Connection, code_hash: str, handle: str, client_id: str, redirect_uri: str,
    code_challenge: str, now: float, expires_at: float,
) -> None:  # fmt: skip
    await db.execute(
        "INSERT INTO indieauth_codes (code_hash, handle, client_id, redirect_uri,"
        " code_challenge, created_at, expires_at) VALUES (?,?,?,?,?,?,?)",
        (code_hash, handle, client_id, redirect_uri, code_challenge, now, expires_at),
    )


async def by_hash(db: Connection, code_hash: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM indieauth_codes WHERE code_hash = ?", (code_hash,)) as cur:
        return await cur.fetchone()


async def use(db: Connection, code_id: int, now: float) -> bool:
    """Mark the code used, once: False when it already was (two redemptions at once)."""
    cur = await db.execute(
        "UPDATE indieauth_codes SET used_at = ? WHERE id = ? AND used_at IS NULL", (now, code_id)
    )
    return cur.rowcount > 0


async def expire(db: Connection, code_id: int, now: float) -> None:
    """Make a code useless at once (a redemption that failed its checks: no second try)."""
    await db.execute(
        "UPDATE indieauth_codes SET expires_at = MIN(expires_at, ?) WHERE id = ?", (now, code_id)
    )


async def forget_handle(db: Connection, handle: str) -> int:
    """Every code of a member, gone (their account is erased); how many there were."""
    cur = await db.execute("DELETE FROM indieauth_codes WHERE handle = ?", (handle,))
    return cur.rowcount
