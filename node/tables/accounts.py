"""The `accounts` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- A member's way in to the place's pages: one row per local Person who was invited. The
-- password is an Argon2id hash (NULL until the member chooses one from their invitation);
-- passkeys will sit in a table of their own beside this one.
CREATE TABLE IF NOT EXISTS accounts (
    handle TEXT PRIMARY KEY REFERENCES local_actors(handle),
    password_hash TEXT,
    -- What the team lets the account do besides being a member: admin, team, door, as a
    -- comma-separated list (read on every request, so a change holds at once).
    roles TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    password_set_at REAL
);
"""


async def by_handle(db: Connection, handle: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM accounts WHERE handle = ?", (handle,)) as cur:
        return await cur.fetchone()


async def add(db: Connection, handle: str, roles: str, now: float) -> bool:
    """A new account without a password; False when the handle already has one."""
    cur = await db.execute(
        "INSERT OR IGNORE INTO accounts (handle, roles, created_at) VALUES (?,?,?)",
        (handle, roles, now),
    )
    return cur.rowcount > 0


async def set_roles(db: Connection, handle: str, roles: str) -> bool:
    cur = await db.execute("UPDATE accounts SET roles = ? WHERE handle = ?", (roles, handle))
    return cur.rowcount > 0


async def set_password(db: Connection, handle: str, password_hash: str, now: float) -> bool:
    cur = await db.execute(
        "UPDATE accounts SET password_hash = ?, password_set_at = ? WHERE handle = ?",
        (password_hash, now, handle),
    )
    return cur.rowcount > 0


async def replace_hash(db: Connection, handle: str, old: str, new: str) -> None:
    """A stronger hash of the same password (new Argon2 parameters), unless it changed since."""
    await db.execute(
        "UPDATE accounts SET password_hash = ? WHERE handle = ? AND password_hash = ?",
        (new, handle, old),
    )


# --- the team's members page (issue 14) ------------------------------------------------------


async def listing(db: Connection) -> list[sqlite3.Row]:
    """Every account with its member's name, by handle."""
    async with db.execute(
        "SELECT a.handle, a.roles, a.password_hash IS NOT NULL AS has_password, a.created_at,"
        " l.name FROM accounts a JOIN local_actors l ON l.handle = a.handle ORDER BY a.handle"
    ) as cur:
        return await cur.fetchall()


async def count_holding(db: Connection, role: str) -> int:
    """How many accounts hold `role` as stored (a comma-separated list)."""
    return await db.integer(
        "SELECT COUNT(*) FROM accounts WHERE ',' || roles || ',' LIKE ?", (f"%,{role},%",)
    )


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def remove(db: Connection, handle: str) -> bool:
    """The account gone (its sessions, passkeys and invitations first: they refer to it)."""
    cur = await db.execute("DELETE FROM accounts WHERE handle = ?", (handle,))
    return cur.rowcount > 0
