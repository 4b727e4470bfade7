"""The `step_supports` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Places' supports of improvement steps: each a `Like` of the step signed by the place
-- (`commons.step_support`), checked against the place's key, kept at every node that holds
-- it. An `Undo` marks its Like undone, also when it arrives first (the Like then stays undone):
-- the supporters are the same whatever order the copies arrived in.
CREATE TABLE IF NOT EXISTS step_supports (
    id TEXT PRIMARY KEY,                   -- the Like's id, on the supporting place's node
    step TEXT NOT NULL,
    place TEXT NOT NULL,                   -- the Like's actor
    published REAL NOT NULL,               -- the Like's own date, signed with it
    undone INTEGER NOT NULL DEFAULT 0,     -- 1 once its signed Undo was seen
    received_at REAL NOT NULL
);

CREATE INDEX IF NOT EXISTS step_supports_step ON step_supports(step);
"""

Row = tuple[str, str, str, float, bool]  # id, step, place, published, undone


async def add(db: Connection, like_id: str, step: str, place: str, published: float,
              now: float) -> bool:  # fmt: skip
    """Keep a support; False when its id was seen before (kept, or undone already)."""
    cur = await db.execute(
        "INSERT OR IGNORE INTO step_supports (id, step, place, published, undone, received_at)"
        " VALUES (?, ?, ?, ?, 0, ?)",
        (like_id, step, place, published, now),
    )
    return cur.rowcount > 0


async def undo(db: Connection, like_id: str, step: str, place: str, published: float,
               now: float) -> bool:  # fmt: skip
    """Mark the place's support undone (kept undone if the Like comes later); False when it
    was undone before. Only the place's own support: an Undo names its Like's actor."""
    cur = await db.execute(
        "INSERT INTO step_supports (id, step, place, published, undone, received_at)"
        " VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (id) DO UPDATE SET undone = 1"
        " WHERE step_supports.undone = 0 AND step_supports.place = excluded.place",
        (like_id, step, place, published, now),
    )
    return cur.rowcount > 0


async def for_step(db: Connection, step: str) -> list[Row]:
    async with db.execute(
        "SELECT id, step, place, published, undone FROM step_supports WHERE step = ?", (step,)
    ) as cur:
        return [(r[0], r[1], r[2], float(r[3]), bool(r[4])) for r in await cur.fetchall()]


async def standing(db: Connection, step: str, place: str) -> list[str]:
    """The ids of the place's supports of the step that were not undone, oldest first."""
    async with db.execute(
        "SELECT id FROM step_supports WHERE step = ? AND place = ? AND undone = 0"
        " ORDER BY published, id",
        (step, place),
    ) as cur:
        return [str(r[0]) for r in await cur.fetchall()]
