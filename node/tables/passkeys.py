"""The `passkeys` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- Members' passkeys (WebAuthn credentials), beside their password (node/people/passkeys.py).
-- The public key is the COSE key the authenticator gave at registration; the sign count is
-- the last the authenticator reported (one going backwards betrays a cloned authenticator).
CREATE TABLE IF NOT EXISTS passkeys (
    id INTEGER PRIMARY KEY,
    credential_id BLOB NOT NULL UNIQUE,
    handle TEXT NOT NULL REFERENCES accounts(handle),
    public_key BLOB NOT NULL,
    sign_count INTEGER NOT NULL DEFAULT 0,
    -- What the browser said the authenticator speaks (usb, nfc, ble, internal, hybrid),
    -- comma-separated: given back to it when asking for this key.
    transports TEXT NOT NULL DEFAULT '',
    -- The member's name for it ("téléphone", "clé USB"), shown in their list.
    label TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    last_used_at REAL
);
CREATE INDEX IF NOT EXISTS passkeys_by_handle ON passkeys (handle);
"""


async def add(
    db: Connection, credential_id: bytes, handle: str, public_key: bytes, sign_count: int,
    transports: str, label: str, now: float,
) -> bool:  # fmt: skip
    """A new passkey; False when that credential is already registered (to anyone)."""
    cur = await db.execute(
        "INSERT OR IGNORE INTO passkeys (credential_id, handle, public_key, sign_count,"
        " transports, label, created_at) VALUES (?,?,?,?,?,?,?)",
        (credential_id, handle, public_key, sign_count, transports, label, now),
    )
    return cur.rowcount > 0


async def by_credential(db: Connection, credential_id: bytes) -> sqlite3.Row | None:
    async with db.execute(
        "SELECT * FROM passkeys WHERE credential_id = ?", (credential_id,)
    ) as cur:
        return await cur.fetchone()


async def of_handle(db: Connection, handle: str) -> list[sqlite3.Row]:
    async with db.execute(
        "SELECT * FROM passkeys WHERE handle = ? ORDER BY created_at, id", (handle,)
    ) as cur:
        return list(await cur.fetchall())


async def used(db: Connection, passkey_id: int, old_count: int, new_count: int, now: float) -> bool:
    """Record a sign-in with the key, unless another one moved its count meanwhile."""
    cur = await db.execute(
        "UPDATE passkeys SET sign_count = ?, last_used_at = ? WHERE id = ? AND sign_count = ?",
        (new_count, now, passkey_id, old_count),
    )
    return cur.rowcount > 0


async def remove(db: Connection, handle: str, passkey_id: int) -> bool:
    """Remove one of the member's own passkeys; False when it is not theirs (or gone)."""
    cur = await db.execute("DELETE FROM passkeys WHERE id = ? AND handle = ?", (passkey_id, handle))
    return cur.rowcount > 0


async def remove_all(db: Connection, handle: str) -> int:
    """End every passkey of the account; how many ended."""
    cur = await db.execute("DELETE FROM passkeys WHERE handle = ?", (handle,))
    return cur.rowcount


async def count(db: Connection, handle: str) -> int:
    async with db.execute("SELECT COUNT(*) FROM passkeys WHERE handle = ?", (handle,)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def forget_handle(db: Connection, handle: str) -> int:
    cur = await db.execute("DELETE FROM passkeys WHERE handle = ?", (handle,))
    return cur.rowcount
