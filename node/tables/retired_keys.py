"""The `retired_keys` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Ed25519 keys a local actor used before its last rotation: still published (and so still
-- trusted by doors) so that grants signed with them stay valid until they expire.
CREATE TABLE IF NOT EXISTS retired_keys (
    key_id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    public_multibase TEXT NOT NULL,
    retired_at REAL NOT NULL
);
"""


async def add(
    db: Connection, key_id: str, handle: str, public_multibase: str, retired_at: float
) -> None:
    await db.execute(
        "INSERT INTO retired_keys (key_id, handle, public_multibase, retired_at) VALUES (?,?,?,?)",
        (key_id, handle, public_multibase, retired_at),
    )


async def of_handle(db: Connection, handle: str) -> list[tuple[str, str]]:
    """(key id, multibase) of the actor's retired Ed25519 keys, newest first."""
    async with db.execute(
        "SELECT key_id, public_multibase FROM retired_keys WHERE handle = ?"
        " ORDER BY retired_at DESC",
        (handle,),
    ) as cur:
        return [(r[0], r[1]) for r in await cur.fetchall()]
