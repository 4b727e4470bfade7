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
    revoked_at REAL,
    -- What the token may do: 'all' (the account's client, as before scopes) or 'door' (read
    -- the trust bundle, enrol the door, report its taps: a door's token, nothing else).
    scope TEXT NOT NULL DEFAULT 'all',
    -- A door's enrolment: its name and the Ed25519 public key it made (multibase), bound once
    -- to the token; tap reports through this token must carry this key's signature.
    door TEXT,
    door_key TEXT,
    enrolled_at REAL
);
"""


@dataclass(frozen=True)
class TokenInfo:
    id: int
    handle: str
    label: str
    created_at: float
    revoked_at: float | None
    scope: str = "all"
    door: str | None = None
    door_key: str | None = None
    enrolled_at: float | None = None


@dataclass(frozen=True)
class Holder:
    """Who holds an active token, and what it may do."""

    token_id: int
    handle: str
    scope: str
    door: str | None
    door_key: str | None


_COLUMNS = "id, handle, label, created_at, revoked_at, scope, door, door_key, enrolled_at"


async def add(
    db: Connection, handle: str, token_hash: str, label: str, now: float, scope: str = "all"
) -> None:
    await db.execute(
        "INSERT INTO tokens (handle, token_hash, label, created_at, scope) VALUES (?,?,?,?,?)",
        (handle, token_hash, label, now, scope),
    )


async def holder(db: Connection, token_hash: str) -> Holder | None:
    """Who holds an active token; None for an unknown or revoked one."""
    async with db.execute(
        "SELECT id, handle, scope, door, door_key FROM tokens"
        " WHERE token_hash = ? AND revoked_at IS NULL",
        (token_hash,),
    ) as cur:
        row = await cur.fetchone()
    return Holder(int(row[0]), str(row[1]), str(row[2]), row[3], row[4]) if row else None


async def listing(db: Connection) -> list[TokenInfo]:
    async with db.execute(f"SELECT {_COLUMNS} FROM tokens ORDER BY id") as cur:
        return [TokenInfo(*r) for r in await cur.fetchall()]


async def enrol_door(db: Connection, token_id: int, door: str, door_key: str, now: float) -> bool:
    """Bind a door's name and key to its token, once: False when the token already holds
    another key (a stolen token cannot swap the door's key for its own)."""
    cur = await db.execute(
        "UPDATE tokens SET door = ?, door_key = ?, enrolled_at = ?"
        " WHERE id = ? AND revoked_at IS NULL AND (door_key IS NULL OR door_key = ?)",
        (door, door_key, now, token_id, door_key),
    )
    return cur.rowcount > 0


async def door_keys(db: Connection, handle: str) -> list[tuple[str, str]]:
    """(door name, multibase key) of the account's enrolled doors whose token is active, in
    the order they were enrolled: what the place publishes for its peers."""
    async with db.execute(
        "SELECT door, door_key FROM tokens WHERE handle = ? AND door_key IS NOT NULL"
        " AND revoked_at IS NULL ORDER BY enrolled_at, id",
        (handle,),
    ) as cur:
        return [(str(r[0]), str(r[1])) for r in await cur.fetchall()]


async def revoke(db: Connection, token_id: int, now: float) -> bool:
    """False when there is no active token with that number."""
    cur = await db.execute(
        "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now, token_id)
    )
    return cur.rowcount > 0


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def forget_handle(db: Connection, handle: str) -> int:
    """An erased member's bearer tokens (their C2S clients' access) removed."""
    cur = await db.execute("DELETE FROM tokens WHERE handle = ?", (handle,))
    return cur.rowcount
