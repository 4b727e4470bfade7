"""The `surveys` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- Needs surveys and censuses. Hosted here (`hosted` 1): published by our place or by a
-- network hosted here; the answers are taken against this row (its close). Received
-- (`hosted` 0): a survey our place was asked to answer, so that the team sees it.
CREATE TABLE IF NOT EXISTS surveys (
    id TEXT PRIMARY KEY,                 -- the Survey object's id (on its author's node)
    author TEXT NOT NULL,                -- the place or the network (Group) that asks
    kind TEXT NOT NULL,                  -- survey | census (a census never closes)
    document TEXT NOT NULL,              -- JSON: the Survey as published (its questions)
    closes REAL,                         -- NULL: a standing census
    hosted INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
"""


async def keep(
    db: Connection, survey: dict[str, Any], author: str, kind: str, closes: float | None,
    hosted: bool, now: float,
) -> None:  # fmt: skip
    """Insert, or replace the document of a survey its author changed (a census's items)."""
    await db.execute(
        "INSERT INTO surveys (id, author, kind, document, closes, hosted, updated_at)"
        " VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET document = excluded.document,"
        " closes = excluded.closes, updated_at = excluded.updated_at"
        " WHERE surveys.author = excluded.author",
        (survey["id"], author, kind, json.dumps(survey), closes, int(hosted), now),
    )


async def find(db: Connection, survey_id: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM surveys WHERE id = ?", (survey_id,)) as cur:
        row: sqlite3.Row | None = await cur.fetchone()
        return row


async def listing(
    db: Connection, hosted: bool | None = None, kind: str | None = None
) -> list[sqlite3.Row]:
    """Newest first; `hosted`/`kind` None: any."""
    async with db.execute(
        "SELECT * FROM surveys WHERE (? IS NULL OR hosted = ?) AND (? IS NULL OR kind = ?)"
        " ORDER BY updated_at DESC, id",
        (hosted, None if hosted is None else int(hosted), kind, kind),
    ) as cur:
        return await cur.fetchall()
