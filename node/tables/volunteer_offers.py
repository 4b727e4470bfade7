"""The `volunteer_offers` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3
import time

from ..sqlite import Connection

SCHEMA = """
-- Offers to help with a volunteer call (the member's Offer activity), kept at both ends: the
-- calling place's node (to confirm and record hours) and the volunteer's home node (their
-- page shows the state and the hours the place recorded). Idempotent by the Offer's id.
CREATE TABLE IF NOT EXISTS volunteer_offers (
    id TEXT PRIMARY KEY,                 -- the Offer activity's id
    call TEXT NOT NULL,
    place TEXT NOT NULL,                 -- the calling place, the only one that may confirm
    volunteer TEXT NOT NULL,             -- the member who offered (local or remote)
    message TEXT NOT NULL,
    state TEXT NOT NULL,                 -- offered | confirmed
    hours REAL,                          -- hours done, as the place recorded them
    offered_at REAL NOT NULL,
    confirmed_at REAL
);
CREATE INDEX IF NOT EXISTS volunteer_offers_call ON volunteer_offers(call);
CREATE INDEX IF NOT EXISTS volunteer_offers_volunteer ON volunteer_offers(volunteer);

-- Who may see a member's volunteer hours on their page: public, network (default), private.
CREATE TABLE IF NOT EXISTS volunteer_hours_shown (
    handle TEXT PRIMARY KEY,
    visibility TEXT NOT NULL
);
"""


async def offered(
    db: Connection, offer_id: str, call: str, place: str, volunteer: str, message: str
) -> None:
    """An offer arrived or was sent; the same Offer again changes nothing."""
    await db.execute(
        "INSERT INTO volunteer_offers (id, call, place, volunteer, message, state, offered_at)"
        " VALUES (?,?,?,?,?,'offered',?) ON CONFLICT(id) DO NOTHING",
        (offer_id, call, place, volunteer, message, time.time()),
    )


async def get(db: Connection, offer_id: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM volunteer_offers WHERE id = ?", (offer_id,)) as cur:
        return await cur.fetchone()


async def confirm(db: Connection, offer_id: str, hours: float | None) -> None:
    """The place confirmed the volunteer; `hours`, when given, replace the recorded ones."""
    await db.execute(
        "UPDATE volunteer_offers SET state = 'confirmed',"
        " confirmed_at = COALESCE(confirmed_at, ?), hours = COALESCE(?, hours) WHERE id = ?",
        (time.time(), hours, offer_id),
    )


async def of_call(db: Connection, call: str) -> list[sqlite3.Row]:
    async with db.execute(
        "SELECT * FROM volunteer_offers WHERE call = ? ORDER BY offered_at", (call,)
    ) as cur:
        return await cur.fetchall()


async def of_volunteer(db: Connection, volunteer: str) -> list[sqlite3.Row]:
    """The volunteer's offers, latest first, each with its call's name (`call_name`, NULL
    when the call is no longer kept)."""
    async with db.execute(
        "SELECT o.*, c.name AS call_name FROM volunteer_offers o"
        " LEFT JOIN volunteer_calls c ON c.id = o.call"
        " WHERE o.volunteer = ? ORDER BY o.offered_at DESC",
        (volunteer,),
    ) as cur:
        return await cur.fetchall()


async def hours_of(db: Connection, volunteer: str) -> float:
    """The volunteer's hours done, every confirmed offer summed."""
    async with db.execute(
        "SELECT COALESCE(SUM(hours), 0) FROM volunteer_offers"
        " WHERE volunteer = ? AND state = 'confirmed'",
        (volunteer,),
    ) as cur:
        row = await cur.fetchone()
    return float(row[0]) if row else 0.0


async def set_shown(db: Connection, handle: str, visibility: str) -> None:
    await db.execute(
        "INSERT INTO volunteer_hours_shown (handle, visibility) VALUES (?,?)"
        " ON CONFLICT(handle) DO UPDATE SET visibility = excluded.visibility",
        (handle, visibility),
    )


async def shown(db: Connection, handle: str) -> str:
    """Who may see the member's hours; `network` until they choose."""
    async with db.execute(
        "SELECT visibility FROM volunteer_hours_shown WHERE handle = ?", (handle,)
    ) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else "network"


async def forget_volunteer(db: Connection, volunteer: str, handle: str) -> None:
    """An erased member: their offers and their choice go (node/people/erasure.py)."""
    await db.execute("DELETE FROM volunteer_offers WHERE volunteer = ?", (volunteer,))
    await db.execute("DELETE FROM volunteer_hours_shown WHERE handle = ?", (handle,))
