"""The `reactions` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Likes and Announces, undone by deleting the row.
CREATE TABLE IF NOT EXISTS reactions (
    activity_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    object_id TEXT NOT NULL
);
"""


async def add(
    db: Connection, activity_id: str, type_: str | None, actor: str | None, object_id: str | None
) -> None:
    """A Like or Announce, once per activity id."""
    await db.execute(
        "INSERT OR IGNORE INTO reactions (activity_id, type, actor, object_id) VALUES (?,?,?,?)",
        (activity_id, type_, actor, object_id),
    )


async def remove(db: Connection, activity_id: str | None, actor: str | None) -> None:
    """Undo a reaction; only its own actor's Undo removes it."""
    await db.execute(
        "DELETE FROM reactions WHERE activity_id = ? AND actor = ?", (activity_id, actor)
    )


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def forget_actor(db: Connection, actor: str) -> int:
    cur = await db.execute("DELETE FROM reactions WHERE actor = ?", (actor,))
    return cur.rowcount
