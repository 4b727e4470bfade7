"""The `visits` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..sqlite import Connection

SCHEMA = """
-- Visits: taps accepted at our doors (local = 1), and visits of our members elsewhere that
-- the visited place reported to us (local = 0). The evidence compensation claims rest on.
CREATE TABLE IF NOT EXISTS visits (
    id TEXT PRIMARY KEY,                   -- the tl:Visit object id (minted by the visited place)
    report_id TEXT UNIQUE,                 -- the door's report id: a re-sent report is one visit
    grant_id TEXT NOT NULL,
    issuer TEXT NOT NULL,                  -- the member's home place
    member TEXT NOT NULL,
    place TEXT NOT NULL,                   -- the visited place
    door TEXT NOT NULL,
    visited_at REAL NOT NULL,
    local INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS visits_issuer ON visits(issuer, visited_at);
"""


@dataclass(frozen=True)
class Visit:
    id: str
    report_id: str | None  # None for a visit a peer reported to us
    grant_id: str
    issuer: str
    member: str
    place: str
    door: str
    visited_at: float
    local: bool


async def add(db: Connection, visit: Visit) -> bool:
    """Record a visit; False when its id (or its report id) is already recorded."""
    cur = await db.execute(
        "INSERT OR IGNORE INTO visits (id, report_id, grant_id, issuer, member, place, door,"
        " visited_at, local) VALUES (?,?,?,?,?,?,?,?,?)",
        (visit.id, visit.report_id, visit.grant_id, visit.issuer, visit.member, visit.place,
         visit.door, visit.visited_at, int(visit.local)),
    )  # fmt: skip
    return cur.rowcount > 0


async def id_of_report(db: Connection, report_id: str) -> str | None:
    """The visit a door's report became, if it became one."""
    async with db.execute("SELECT id FROM visits WHERE report_id = ?", (report_id,)) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None


# --- moved here from node/ledger (ledger-claims helper): what a claim's check reads ----------


async def reported_to_us(
    db: Connection, visit_ids: Sequence[str]
) -> list[tuple[str, str, str, float]]:
    """(id, place, grant_id, visited_at) of those of `visit_ids` a peer reported to us."""
    marks = ",".join("?" * len(visit_ids)) or "NULL"
    async with db.execute(
        f"SELECT id, place, grant_id, visited_at FROM visits WHERE local = 0 AND id IN ({marks})",
        list(visit_ids),
    ) as cur:
        return [(r[0], r[1], r[2], float(r[3])) for r in await cur.fetchall()]


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def of_member(db: Connection, member: str) -> list[Visit]:
    """A member's visits (at other places, and at home), newest first."""
    async with db.execute(
        "SELECT id, report_id, grant_id, issuer, member, place, door, visited_at, local"
        " FROM visits WHERE member = ? ORDER BY visited_at DESC",
        (member,),
    ) as cur:
        return [Visit(r[0], r[1], r[2], r[3], r[4], r[5], r[6], float(r[7]), bool(r[8]))
                for r in await cur.fetchall()]  # fmt: skip


async def anonymize_member(db: Connection, member: str, marker: str) -> int:
    """An erased member's visits stay (claims rest on them) under `marker`."""
    cur = await db.execute("UPDATE visits SET member = ? WHERE member = ?", (marker, member))
    return cur.rowcount
