"""The `place_details` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
import time
from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- The place's own details shown on its actor (address, geo, opening hours, offers): JSON.
CREATE TABLE IF NOT EXISTS place_details (
    handle TEXT PRIMARY KEY,
    details TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""


async def of(db: Connection, handle: str) -> dict[str, Any]:
    """The place's details ({} when it has none yet)."""
    async with db.execute("SELECT details FROM place_details WHERE handle = ?", (handle,)) as cur:
        row = await cur.fetchone()
    found: dict[str, Any] = json.loads(row[0]) if row else {}
    return found


async def put(db: Connection, handle: str, details: dict[str, Any]) -> None:
    """Replace the place's details with `details` (merged by the caller)."""
    await db.execute(
        "INSERT INTO place_details (handle, details, updated_at) VALUES (?,?,?)"
        " ON CONFLICT(handle) DO UPDATE SET details = excluded.details,"
        " updated_at = excluded.updated_at",
        (handle, json.dumps(details, ensure_ascii=False), time.time()),
    )
