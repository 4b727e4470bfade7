"""The `decision_votes` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- The votes a network hosted here took, each as signed, at its arrival (the inbox checks it
-- before answering, so that a late or a non-member's vote is refused with its reason). All
-- are kept: the tally counts each place's latest, the others are replaced.
CREATE TABLE IF NOT EXISTS decision_votes (
    id TEXT PRIMARY KEY,                 -- the Vote's id: a re-delivered vote is taken once
    decision TEXT NOT NULL,
    place TEXT NOT NULL,
    published REAL NOT NULL,
    document TEXT NOT NULL,              -- the signed Vote, byte for byte as it was checked
    received_at REAL NOT NULL
);

CREATE INDEX IF NOT EXISTS decision_votes_decision ON decision_votes(decision);
"""


async def take(
    db: Connection, vote_id: str, decision: str, place: str, published: float,
    document: str, now: float,
) -> None:  # fmt: skip
    await db.execute(
        "INSERT OR IGNORE INTO decision_votes (id, decision, place, published, document,"
        " received_at) VALUES (?,?,?,?,?,?)",
        (vote_id, decision, place, published, document, now),
    )


async def known(db: Connection, vote_id: str) -> bool:
    async with db.execute("SELECT 1 FROM decision_votes WHERE id = ?", (vote_id,)) as cur:
        return await cur.fetchone() is not None


async def of_decision(db: Connection, decision: str) -> list[sqlite3.Row]:
    async with db.execute(
        "SELECT * FROM decision_votes WHERE decision = ? ORDER BY published, id", (decision,)
    ) as cur:
        return await cur.fetchall()
