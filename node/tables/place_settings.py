"""The `place_settings` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import time

from ..sqlite import Connection

SCHEMA = """
-- Settings of the place's team that are not public actor data, by name (`map`: whether the
-- network page shows a map, whose tiles visitors' browsers fetch from OpenStreetMap). Read at
-- each request, so a change applies without restarting the node.
CREATE TABLE IF NOT EXISTS place_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    changed_at REAL NOT NULL
);
"""

MAP = "map"


async def value(db: Connection, name: str) -> str | None:
    async with db.execute("SELECT value FROM place_settings WHERE name = ?", (name,)) as cur:
        row = await cur.fetchone()
    return None if row is None else str(row[0])


async def put(db: Connection, name: str, setting: str) -> None:
    await db.execute(
        "INSERT INTO place_settings (name, value, changed_at) VALUES (?, ?, ?)"
        " ON CONFLICT(name) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at",
        (name, setting, time.time()),
    )
