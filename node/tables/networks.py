"""The `networks` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- The networks (Group actors) this node knows: one it hosts (`handle` set: the Group is a
-- local actor), or one its place asked to join or belongs to. `rules` and `members` are the
-- network's as last announced (for a hosted one, as decided here).
CREATE TABLE IF NOT EXISTS networks (
    id TEXT PRIMARY KEY,                 -- the Group actor's id
    handle TEXT,                         -- the local Group's handle; NULL: hosted elsewhere
    rules TEXT NOT NULL DEFAULT '{}',    -- JSON: rule name -> value, changed only by decision
    members TEXT NOT NULL DEFAULT '[]',  -- JSON: the member places, as the Group announced them
    place_state TEXT,                    -- our place: NULL (not asked, or left) | asked | member
    join_id TEXT,                        -- our place's Join, answered when it is admitted
    updated_at REAL NOT NULL
);
"""


async def add_hosted(
    db: Connection, network_id: str, handle: str, rules: dict[str, Any], now: float
) -> None:
    await db.execute(
        "INSERT INTO networks (id, handle, rules, members, place_state, updated_at)"
        " VALUES (?,?,?,?,?,?)",
        (network_id, handle, json.dumps(rules), "[]", None, now),
    )


async def find(db: Connection, network_id: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM networks WHERE id = ?", (network_id,)) as cur:
        return await cur.fetchone()


async def hosted(db: Connection) -> list[sqlite3.Row]:
    async with db.execute("SELECT * FROM networks WHERE handle IS NOT NULL") as cur:
        return await cur.fetchall()


async def every_network(db: Connection) -> list[sqlite3.Row]:
    async with db.execute("SELECT * FROM networks ORDER BY id") as cur:
        return await cur.fetchall()


async def asked(db: Connection, network_id: str, join_id: str, now: float) -> None:
    """Our place asked to join: remembered so that the Group's announcements are taken."""
    await db.execute(
        "INSERT INTO networks (id, place_state, join_id, updated_at) VALUES (?,?,?,?)"
        " ON CONFLICT (id) DO UPDATE SET join_id = excluded.join_id, updated_at ="
        " excluded.updated_at, place_state = COALESCE(networks.place_state, 'asked')"
        " WHERE networks.place_state IS NOT 'member'",
        (network_id, "asked", join_id, now),
    )


async def set_place_state(db: Connection, network_id: str, state: str | None, now: float) -> None:
    """Our place's state in a network; None: it left (or never asked)."""
    await db.execute(
        "UPDATE networks SET place_state = ?, updated_at = ? WHERE id = ?",
        (state, now, network_id),
    )


async def set_members(db: Connection, network_id: str, members: list[str], now: float) -> None:
    await db.execute(
        "UPDATE networks SET members = ?, updated_at = ? WHERE id = ?",
        (json.dumps(sorted(members)), now, network_id),
    )


async def set_rules(db: Connection, network_id: str, rules: dict[str, Any], now: float) -> None:
    await db.execute(
        "UPDATE networks SET rules = ?, updated_at = ? WHERE id = ?",
        (json.dumps(rules, sort_keys=True), now, network_id),
    )
