"""The `profile_fields` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- A local member's profile, field by field, each with who may see it:
-- public (anyone), network (the places this node federates with), private (this node only).
CREATE TABLE IF NOT EXISTS profile_fields (
    handle TEXT NOT NULL,
    field TEXT NOT NULL,                 -- skill | availability | projects
    value TEXT NOT NULL,                 -- JSON
    visibility TEXT NOT NULL,
    PRIMARY KEY (handle, field)
);
"""


async def put(db: Connection, handle: str, field: str, value: str, visibility: str) -> None:
    """Set a field's value (JSON text) and who may see it."""
    await db.execute(
        "INSERT INTO profile_fields (handle, field, value, visibility) VALUES (?,?,?,?)"
        " ON CONFLICT(handle, field) DO UPDATE SET value = excluded.value,"
        " visibility = excluded.visibility",
        (handle, field, value, visibility),
    )


async def set_visibility(db: Connection, handle: str, field: str, visibility: str) -> None:
    """Change who may see a field the member already filled (nothing when it is empty)."""
    await db.execute(
        "UPDATE profile_fields SET visibility = ? WHERE handle = ? AND field = ?",
        (visibility, handle, field),
    )


async def of(db: Connection, handle: str) -> list[sqlite3.Row]:
    """Every field of the member (field, value, visibility), private ones included: the
    caller picks what its reader may see."""
    async with db.execute(
        "SELECT field, value, visibility FROM profile_fields WHERE handle = ?", (handle,)
    ) as cur:
        return await cur.fetchall()


async def remove(db: Connection, handle: str, field: str) -> None:
    """Empty a field: the member cleared it (nobody sees an empty value, at any level)."""
    await db.execute("DELETE FROM profile_fields WHERE handle = ? AND field = ?", (handle, field))


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def forget_handle(db: Connection, handle: str) -> int:
    cur = await db.execute("DELETE FROM profile_fields WHERE handle = ?", (handle,))
    return cur.rowcount
