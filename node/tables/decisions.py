"""The `decisions` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- Proposals of networks and their results. For a network hosted here (`hosted` 1) this is
-- the crash-safe state of the close: a proposal stays 'open' until the one transaction that
-- stores its result, applies it and queues its announcement commits, so a node that stops
-- at the close closes it at its next start. For a network the place belongs to (`hosted` 0),
-- the copy announced by the Group, so that the team sees what there is to vote on.
CREATE TABLE IF NOT EXISTS decisions (
    id TEXT PRIMARY KEY,                 -- the decision's URL (the proposal's id)
    network TEXT NOT NULL,
    offer_id TEXT UNIQUE,                -- the proposer's Offer: an Offer opens one proposal
    proposal TEXT NOT NULL,              -- JSON: the proposal's terms, as opened
    closes REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',  -- open -> closed
    result TEXT,                         -- JSON: the Decision published at the close
    hosted INTEGER NOT NULL,
    updated_at REAL NOT NULL
);

CREATE INDEX IF NOT EXISTS decisions_open ON decisions(state, closes);
"""


async def open_proposal(
    db: Connection, proposal: dict[str, Any], network: str, closes: float,
    offer_id: str | None, hosted: bool, now: float,
) -> bool:  # fmt: skip
    """False when it is known already (a re-sent Offer, a re-delivered announcement)."""
    cursor = await db.execute(
        "INSERT OR IGNORE INTO decisions (id, network, offer_id, proposal, closes, hosted,"
        " updated_at) VALUES (?,?,?,?,?,?,?)",
        (proposal["id"], network, offer_id, json.dumps(proposal), closes, int(hosted), now),
    )
    return bool(cursor.rowcount)


async def find(db: Connection, decision_id: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM decisions WHERE id = ?", (decision_id,)) as cur:
        return await cur.fetchone()


async def by_offer(db: Connection, offer_id: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM decisions WHERE offer_id = ?", (offer_id,)) as cur:
        return await cur.fetchone()


async def due(db: Connection, now: float) -> list[sqlite3.Row]:
    """Hosted proposals whose close has passed, the earliest first (membership changes of an
    earlier decision hold for a later one)."""
    async with db.execute(
        "SELECT * FROM decisions WHERE hosted = 1 AND state = 'open' AND closes <= ?"
        " ORDER BY closes, id",
        (now,),
    ) as cur:
        return await cur.fetchall()


async def next_close(db: Connection) -> float | None:
    async with db.execute(
        "SELECT MIN(closes) FROM decisions WHERE hosted = 1 AND state = 'open'"
    ) as cur:
        row = await cur.fetchone()
    return None if row is None or row[0] is None else float(row[0])


async def close(db: Connection, decision_id: str, result: dict[str, Any], now: float) -> bool:
    """Store the result; False when another pass closed it first."""
    cursor = await db.execute(
        "UPDATE decisions SET state = 'closed', result = ?, updated_at = ?"
        " WHERE id = ? AND state = 'open'",
        (json.dumps(result), now, decision_id),
    )
    return bool(cursor.rowcount)


async def listing(db: Connection, network: str | None = None) -> list[sqlite3.Row]:
    async with db.execute(
        "SELECT * FROM decisions WHERE ? IS NULL OR network = ? ORDER BY closes DESC, id",
        (network, network),
    ) as cur:
        return await cur.fetchall()


async def of_networks(db: Connection, networks: list[str]) -> list[sqlite3.Row]:
    """`listing` of the decisions of these networks only, the latest to close first."""
    marks = ",".join("?" * len(networks))
    async with db.execute(
        f"SELECT * FROM decisions WHERE network IN ({marks}) ORDER BY closes DESC, id",
        networks,
    ) as cur:
        return await cur.fetchall()


async def count_of(db: Connection, network: str) -> int:
    return await db.integer("SELECT COUNT(*) FROM decisions WHERE network = ?", (network,))


async def page_of(db: Connection, network: str, limit: int, offset: int) -> list[str]:
    async with db.execute(
        "SELECT id FROM decisions WHERE network = ? ORDER BY closes DESC, id LIMIT ? OFFSET ?",
        (network, limit, offset),
    ) as cur:
        return [str(r[0]) for r in await cur.fetchall()]
