"""The `step_pledges` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Signed pledges (tl:Pledge) whose proof this node checked, parsed into the fields a step's
-- totals read (the pure `commons.cofinancing.totals`). Kept whatever their step: a pledge
-- may arrive before the step it funds. One row per pledge id: of two versions, the one the
-- totals would keep (later `published`, then larger amount, then place), so that the row is
-- the same on every node whatever order the copies arrived in.
CREATE TABLE IF NOT EXISTS step_pledges (
    id TEXT PRIMARY KEY,                   -- the Pledge's id, on the pledging place's node
    place TEXT NOT NULL,                   -- attributedTo: the place (or partner) pledging
    step TEXT NOT NULL,                    -- funds
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    published REAL NOT NULL,               -- the pledge's own date, signed with it
    received_at REAL NOT NULL
);

CREATE INDEX IF NOT EXISTS step_pledges_step ON step_pledges(step);
"""

Row = tuple[str, str, str, int, str, float]  # id, place, step, amount_cents, currency, published


async def add(db: Connection, pledge: Row, now: float) -> bool:
    """Keep a pledge, or its version the totals would keep; False when nothing changed."""
    cur = await db.execute(
        "INSERT INTO step_pledges (id, place, step, amount_cents, currency, published,"
        " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET place = excluded.place, step = excluded.step,"
        " amount_cents = excluded.amount_cents, currency = excluded.currency,"
        " published = excluded.published"
        " WHERE (excluded.published, excluded.amount_cents, excluded.place)"
        " > (step_pledges.published, step_pledges.amount_cents, step_pledges.place)",
        (*pledge, now),
    )
    return cur.rowcount > 0


async def for_step(db: Connection, step_id: str) -> list[Row]:
    async with db.execute(
        "SELECT id, place, step, amount_cents, currency, published FROM step_pledges"
        " WHERE step = ?",
        (step_id,),
    ) as cur:
        return [(r[0], r[1], r[2], int(r[3]), r[4], float(r[5])) for r in await cur.fetchall()]


async def known(db: Connection, pledge_id: str) -> bool:
    async with db.execute("SELECT 1 FROM step_pledges WHERE id = ?", (pledge_id,)) as cur:
        return await cur.fetchone() is not None


async def every(db: Connection) -> list[Row]:
    """Every pledge this node holds, whatever its step (the observatory's totals)."""
    async with db.execute(
        "SELECT id, place, step, amount_cents, currency, published FROM step_pledges"
    ) as cur:
        return [(r[0], r[1], r[2], int(r[3]), r[4], float(r[5])) for r in await cur.fetchall()]
