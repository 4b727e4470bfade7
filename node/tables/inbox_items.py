"""The `inbox_items` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- What each local actor's inbox shows its owner.
CREATE TABLE IF NOT EXISTS inbox_items (
    owner TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (owner, activity_id)
);

CREATE INDEX IF NOT EXISTS inbox_items_owner ON inbox_items(owner, received_at);
"""


async def add(db: Connection, owner: str, activity_id: str, received_at: float) -> None:
    await db.execute(
        "INSERT OR IGNORE INTO inbox_items (owner, activity_id, received_at) VALUES (?,?,?)",
        (owner, activity_id, received_at),
    )


# The owner's inbox collection, a page at a time (the newest first).


async def count(db: Connection, owner: str) -> int:
    return await db.integer(
        "SELECT COUNT(*) FROM inbox_items i JOIN activities a ON a.id = i.activity_id"
        " WHERE i.owner = ?",
        (owner,),
    )


async def page(db: Connection, owner: str, limit: int, offset: int) -> list[str]:
    """The activities' documents, as stored."""
    async with db.execute(
        "SELECT a.document FROM inbox_items i JOIN activities a ON a.id = i.activity_id"
        " WHERE i.owner = ? ORDER BY i.received_at DESC, a.id LIMIT ? OFFSET ?",
        (owner, limit, offset),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def forget_owner(db: Connection, owner: str) -> int:
    cur = await db.execute("DELETE FROM inbox_items WHERE owner = ?", (owner,))
    return cur.rowcount
