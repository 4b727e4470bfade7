"""The `embed_sites` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import time

from ..sqlite import Connection

SCHEMA = """
-- The sites allowed to show the place's widgets (/embed/…) in a frame: one origin per row
-- (`https://a.example`). No row: any site may (the widgets show only public data). A setting
-- of the place's team, not public actor data; read at each widget request, so a change
-- applies without restarting the node.
CREATE TABLE IF NOT EXISTS embed_sites (
    origin TEXT PRIMARY KEY,
    added_at REAL NOT NULL
);
"""


async def every(db: Connection) -> list[str]:
    """The allowed origins, in alphabetical order ([] when any site may frame the widgets)."""
    async with db.execute("SELECT origin FROM embed_sites ORDER BY origin") as cur:
        return [str(row[0]) for row in await cur.fetchall()]


async def replace(db: Connection, origins: list[str]) -> None:
    """Make `origins` the whole list ([]: any site again)."""
    await db.execute("DELETE FROM embed_sites")
    now = time.time()
    await db.executemany(
        "INSERT OR IGNORE INTO embed_sites (origin, added_at) VALUES (?, ?)",
        [(origin, now) for origin in origins],
    )
