"""The `visits` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

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


# --- moved here from node/ledger (ledger-claims helper): what a claim's check reads ----------

from collections.abc import Sequence  # noqa: E402

from ..sqlite import Connection  # noqa: E402


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
