"""The `tokens` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from dataclasses import dataclass

from ..sqlite import Connection

SCHEMA = """
-- Client-to-server tokens, stored as SHA-256 hashes so that a copy of the file grants nothing.
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL REFERENCES local_actors(handle),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    revoked_at REAL
);
"""


@dataclass(frozen=True)
class TokenInfo:
    id: int
    handle: str
    label: str
    created_at: float
    revoked_at: float | None


async def add(db: Connection, handle: str, token_hash: str, label: str, now: float) -> None:
    await db.execute(
        "INSERT INTO tokens (handle, token_hash, label, created_at) VALUES (?,?,?,?)",
        (handle, token_hash, label, now),
    )


async def holder(db: Connection, token_hash: str) -> str | None:
    """The handle an active token belongs to; None for an unknown or revoked one."""
    async with db.execute(
        "SELECT handle FROM tokens WHERE token_hash = ? AND revoked_at IS NULL", (token_hash,)
    ) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None


async def listing(db: Connection) -> list[TokenInfo]:
    async with db.execute(
        "SELECT id, handle, label, created_at, revoked_at FROM tokens ORDER BY id"
    ) as cur:
        return [TokenInfo(*r) for r in await cur.fetchall()]


async def revoke(db: Connection, token_id: int, now: float) -> bool:
    """False when there is no active token with that number."""
    cur = await db.execute(
        "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now, token_id)
    )
    return cur.rowcount > 0
