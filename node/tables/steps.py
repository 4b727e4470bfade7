"""The `steps` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- Improvement steps of commons that this node holds (its own, and those its followed places
-- published), parsed once: a step's totals are computed from rows, never by re-reading JSON.
-- A step is final once published (issue 15: pledges are counted against the budget it had).
CREATE TABLE IF NOT EXISTS steps (
    id TEXT PRIMARY KEY,                   -- the Step's id, on its home node
    author TEXT NOT NULL,                  -- the place that published it: its home
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    budget_cents INTEGER NOT NULL,         -- the sum of its budget lines
    closes REAL,                           -- endTime (POSIX); NULL: open-ended
    received_at REAL NOT NULL
);
"""


async def add(
    db: Connection, step_id: str, author: str, name: str, currency: str, budget_cents: int,
    closes: float | None, now: float,
) -> None:  # fmt: skip
    """Keep a step; the first copy stands (a step delivered twice, or backfilled, is one)."""
    await db.execute(
        "INSERT OR IGNORE INTO steps (id, author, name, currency, budget_cents, closes,"
        " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (step_id, author, name, currency, budget_cents, closes, now),
    )


async def get(db: Connection, step_id: str) -> Any:
    """The step's row (id, author, name, currency, budget_cents, closes), or None."""
    async with db.execute(
        "SELECT id, author, name, currency, budget_cents, closes FROM steps WHERE id = ?",
        (step_id,),
    ) as cur:
        return await cur.fetchone()


async def every(db: Connection) -> list[Any]:
    """Every step this node holds (the observatory's and the team's lists), by name."""
    async with db.execute(
        "SELECT id, author, name, currency, budget_cents, closes FROM steps ORDER BY name, id"
    ) as cur:
        return list(await cur.fetchall())
