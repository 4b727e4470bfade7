"""The `taps` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from dataclasses import dataclass

from ..sqlite import Connection

SCHEMA = """
-- Every tap a door reported, accepted or refused: what the team sees, and what makes a
-- report sent twice (after a network cut) count once.
CREATE TABLE IF NOT EXISTS taps (
    report_id TEXT PRIMARY KEY,
    door TEXT NOT NULL,
    decided_at REAL NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    grant_id TEXT,
    issuer TEXT,
    member TEXT,
    received_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Tap:
    report_id: str
    door: str
    decided_at: float
    decision: str  # "accept" | "refuse"
    reason: str
    grant_id: str | None
    issuer: str | None
    member: str | None
    received_at: float


async def record(db: Connection, tap: Tap) -> bool:
    """Record a door's report; False when that report id was already recorded."""
    cur = await db.execute(
        "INSERT OR IGNORE INTO taps (report_id, door, decided_at, decision, reason,"
        " grant_id, issuer, member, received_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (tap.report_id, tap.door, tap.decided_at, tap.decision, tap.reason, tap.grant_id,
         tap.issuer, tap.member, tap.received_at),
    )  # fmt: skip
    return cur.rowcount > 0


# --- the team's dashboard (issue 14) ---------------------------------------------------------


async def since(db: Connection, moment: float) -> list[Tap]:
    """Every tap decided at our doors since `moment`, latest first: today's visitors."""
    async with db.execute(
        "SELECT report_id, door, decided_at, decision, reason, grant_id, issuer, member,"
        " received_at FROM taps WHERE decided_at >= ? ORDER BY decided_at DESC",
        (moment,),
    ) as cur:
        return [Tap(*row) for row in await cur.fetchall()]


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def anonymize_member(db: Connection, member: str, marker: str) -> int:
    cur = await db.execute("UPDATE taps SET member = ? WHERE member = ?", (marker, member))
    return cur.rowcount


async def recent(db: Connection, limit: int) -> list[Tap]:
    """The latest `limit` taps reported, the latest first."""
    async with db.execute(
        "SELECT report_id, door, decided_at, decision, reason, grant_id, issuer, member,"
        " received_at FROM taps ORDER BY received_at DESC LIMIT ?",
        (limit,),
    ) as cur:
        return [Tap(*r) for r in await cur.fetchall()]


async def last_by_door(db: Connection) -> dict[str, float]:
    """Door name -> when its latest tap report arrived."""
    async with db.execute("SELECT door, MAX(received_at) FROM taps GROUP BY door") as cur:
        return {str(r[0]): float(r[1]) for r in await cur.fetchall()}
