"""The `network_members` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- The member places of the networks hosted here, and the places that asked to join one.
-- A place becomes a member only by a decision; the founder when it creates the network, and
-- the founding second member by `network admit` (see node/governance/network.py). A place
-- that leaves (its `Leave`) loses its row: it may ask again, as any place.
CREATE TABLE IF NOT EXISTS network_members (
    network TEXT NOT NULL,               -- the Group actor's id
    place TEXT NOT NULL,                 -- the place's actor id
    state TEXT NOT NULL,                 -- asked | member
    join_id TEXT,                        -- its Join, answered with an Accept when admitted
    asked_at REAL,
    since REAL,                          -- when it became a member
    PRIMARY KEY (network, place)
);
"""


async def ask(db: Connection, network: str, place: str, join_id: str, now: float) -> None:
    """A Join: recorded once per place; a member's new Join changes nothing."""
    await db.execute(
        "INSERT INTO network_members (network, place, state, join_id, asked_at)"
        " VALUES (?,?,'asked',?,?) ON CONFLICT (network, place) DO UPDATE SET"
        " join_id = excluded.join_id, asked_at = excluded.asked_at WHERE state = 'asked'",
        (network, place, join_id, now),
    )


async def admit(db: Connection, network: str, place: str, now: float) -> str | None:
    """Make `place` a member; returns its Join's id, if it sent one."""
    async with db.execute(
        "SELECT join_id FROM network_members WHERE network = ? AND place = ?", (network, place)
    ) as cur:
        row = await cur.fetchone()
    await db.execute(
        "INSERT INTO network_members (network, place, state, since) VALUES (?,?,'member',?)"
        " ON CONFLICT (network, place) DO UPDATE SET state = 'member', since = excluded.since",
        (network, place, now),
    )
    return str(row[0]) if row and row[0] else None


async def members(db: Connection, network: str) -> list[str]:
    async with db.execute(
        "SELECT place FROM network_members WHERE network = ? AND state = 'member' ORDER BY place",
        (network,),
    ) as cur:
        return [str(r[0]) for r in await cur.fetchall()]


async def requests(db: Connection, network: str) -> list[sqlite3.Row]:
    async with db.execute(
        "SELECT * FROM network_members WHERE network = ? AND state = 'asked' ORDER BY asked_at",
        (network,),
    ) as cur:
        return await cur.fetchall()


async def remove(db: Connection, network: str, place: str) -> str | None:
    """`place` leaves (a member) or withdraws its request (asked): the state it had, None if
    it had none. A place that left may ask to join again."""
    async with db.execute(
        "DELETE FROM network_members WHERE network = ? AND place = ? RETURNING state",
        (network, place),
    ) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row is not None else None
