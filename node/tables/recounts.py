"""The `recounts` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- This node's recount of a published decision result (`governance.recount`), kept so that the
-- verification page checks the signatures of a result once, not at every visit: a result is
-- immutable, and `digest` (SHA-256 of its canonical JSON) names exactly what was recounted.
-- Only complete recounts are kept (every place's key was read); one made without a key, for
-- a fetch refused by the rate limit, is made again at the next visit.
CREATE TABLE IF NOT EXISTS recounts (
    digest TEXT PRIMARY KEY,
    decision TEXT NOT NULL,
    report TEXT NOT NULL,                -- JSON: what `decision verify` prints
    checked_at REAL NOT NULL
);
"""


async def find(db: Connection, digest: str) -> tuple[dict[str, Any], float] | None:
    """The kept report and when it was made."""
    async with db.execute(
        "SELECT report, checked_at FROM recounts WHERE digest = ?", (digest,)
    ) as cur:
        row = await cur.fetchone()
    return (json.loads(row[0]), float(row[1])) if row else None


async def keep(
    db: Connection, digest: str, decision: str, report: dict[str, Any], now: float
) -> None:
    await db.execute(
        "INSERT OR IGNORE INTO recounts (digest, decision, report, checked_at) VALUES (?,?,?,?)",
        (digest, decision, json.dumps(report), now),
    )
