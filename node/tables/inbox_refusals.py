"""The `inbox_refusals` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection, GroupCommit

KEPT = 500  # refusals kept: enough to diagnose a peer over days, never a growing table

SCHEMA = f"""
-- The inbox's latest refusals (a POST answered 4xx: bad signature, not the sender's own
-- object, malformed), for the team diagnosing a peer whose activities do not arrive. Only
-- the last {KEPT} are kept: the trigger drops older rows as new ones come.
CREATE TABLE IF NOT EXISTS inbox_refusals (
    id INTEGER PRIMARY KEY,
    refused_at REAL NOT NULL,
    status INTEGER NOT NULL,              -- the HTTP status the sender got
    origin TEXT NOT NULL,                 -- the server the signature's key id names
    key_id TEXT NOT NULL,                 -- the key id the request claimed
    activity_id TEXT,                     -- when the body could be read
    type TEXT,
    reason TEXT NOT NULL                  -- the refusal's reason, as logged
);

CREATE TRIGGER IF NOT EXISTS inbox_refusals_bounded AFTER INSERT ON inbox_refusals
BEGIN DELETE FROM inbox_refusals WHERE id <= NEW.id - {KEPT}; END;
"""


async def record(
    commit: GroupCommit,
    refused_at: float,
    status: int,
    origin: str,
    key_id: str,
    activity_id: str | None,
    activity_type: str | None,
    reason: str,
) -> None:
    """One refusal, through the store's group commit (`Store.execute`): the inbox's path."""
    await commit(
        "INSERT INTO inbox_refusals (refused_at, status, origin, key_id, activity_id, type,"
        " reason) VALUES (?,?,?,?,?,?,?)",
        (refused_at, status, origin, key_id, activity_id, activity_type, reason),
    )


async def recent(db: Connection, limit: int) -> list[sqlite3.Row]:
    """The latest `limit` refusals, the latest first."""
    async with db.execute("SELECT * FROM inbox_refusals ORDER BY id DESC LIMIT ?", (limit,)) as cur:
        return await cur.fetchall()
