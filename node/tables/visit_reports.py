"""The `visit_reports` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from collections.abc import Sequence

from ..sqlite import Connection

SCHEMA = """
-- When the home place first heard of each visit of its members that a peer reported (the
-- Create of the tl:Visit the visited place sends at tap time). A claim line is paid only for
-- a visit heard of within the report window after the tap (issue 10: a visit made up later and
-- dated back arrives late), so the first hearing is kept, never updated. A copy of the visit's
-- grant, place and time as the `visits` row holds them, so that the one-visit-per-stay rule
-- reads one table.
CREATE TABLE IF NOT EXISTS visit_reports (
    visit_id TEXT PRIMARY KEY,             -- the tl:Visit id (a `visits` row with local = 0)
    place TEXT NOT NULL,                   -- the visited place that reported it
    grant_id TEXT NOT NULL,
    visited_at REAL NOT NULL,              -- the tap, as reported
    received_at REAL NOT NULL              -- when we first heard of it
);

CREATE INDEX IF NOT EXISTS visit_reports_grant ON visit_reports(grant_id, place, visited_at);
"""


async def record(db: Connection, visit_id: str, place: str, received_at: float) -> bool:
    """The first time we hear of a visit `place` reported, if we kept it as one of our
    members' visits (`visits`, local = 0); False when it was heard of before, or not kept."""
    cur = await db.execute(
        "INSERT OR IGNORE INTO visit_reports (visit_id, place, grant_id, visited_at, received_at)"
        " SELECT id, place, grant_id, visited_at, ? FROM visits"
        " WHERE id = ? AND local = 0 AND place = ?",
        (received_at, visit_id, place),
    )
    return cur.rowcount > 0


async def received_at(db: Connection, visit_ids: Sequence[str]) -> dict[str, float]:
    """visit id -> when we first heard of it, for those of `visit_ids` we heard of."""
    marks = ",".join("?" * len(visit_ids)) or "NULL"
    async with db.execute(
        f"SELECT visit_id, received_at FROM visit_reports WHERE visit_id IN ({marks})",
        list(visit_ids),
    ) as cur:
        return {str(r[0]): float(r[1]) for r in await cur.fetchall()}


async def around(
    db: Connection, place: str, grant_ids: Sequence[str], start: float, end: float
) -> list[tuple[str, str, str, float, float]]:
    """(visit id, place, grant, visited_at, received_at) of the visits `place` reported for
    `grant_ids` with a tap in [start, end)."""
    marks = ",".join("?" * len(grant_ids)) or "NULL"
    async with db.execute(
        "SELECT visit_id, place, grant_id, visited_at, received_at FROM visit_reports"
        f" WHERE place = ? AND grant_id IN ({marks}) AND visited_at >= ? AND visited_at < ?",
        (place, *grant_ids, start, end),
    ) as cur:
        return [(r[0], r[1], r[2], float(r[3]), float(r[4])) for r in await cur.fetchall()]
