"""The `door_policy` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from dataclasses import dataclass

from ..sqlite import Connection

SCHEMA = """
-- The place's rules for its own doors: one row (id 1), absent until a team sets one, so a
-- node created before this table reads the defaults. Travels to the doors in the trust bundle.
CREATE TABLE IF NOT EXISTS door_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    card_required INTEGER NOT NULL DEFAULT 0, -- 1: a grant is honoured only with its own card
                                              -- (a QR code alone, a photo of it, is refused)
    updated_at REAL NOT NULL,
    -- 1: a door whose bundle is too old (its node unreachable for days) still lets the place's
    -- own members in; the others are refused (`stale_bundle`) either way.
    stale_own_members INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class Rules:
    card_required: bool
    stale_own_members: bool


async def get(db: Connection) -> Rules | None:
    """The place's rules; None until a team has set one."""
    async with db.execute(
        "SELECT card_required, stale_own_members FROM door_policy WHERE id = 1"
    ) as cur:
        row = await cur.fetchone()
    return Rules(card_required=bool(row[0]), stale_own_members=bool(row[1])) if row else None


async def set_card_required(db: Connection, required: bool, now: float) -> None:
    await db.execute(
        "INSERT INTO door_policy (id, card_required, updated_at) VALUES (1, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET card_required = excluded.card_required,"
        " updated_at = excluded.updated_at",
        (int(required), now),
    )


async def set_stale_own_members(db: Connection, allowed: bool, now: float) -> None:
    await db.execute(
        "INSERT INTO door_policy (id, card_required, updated_at, stale_own_members)"
        " VALUES (1, 0, ?, ?) ON CONFLICT(id) DO UPDATE SET"
        " stale_own_members = excluded.stale_own_members, updated_at = excluded.updated_at",
        (now, int(allowed)),
    )
