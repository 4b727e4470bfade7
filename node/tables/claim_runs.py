"""The `claim_runs` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Monthly claims the node's scheduler has already sent, so that a restart sends none twice.
CREATE TABLE IF NOT EXISTS claim_runs (
    period TEXT PRIMARY KEY,
    ran_at REAL NOT NULL
);
"""


async def done(db: Connection, period: str) -> bool:
    async with db.execute("SELECT 1 FROM claim_runs WHERE period = ?", (period,)) as cur:
        return await cur.fetchone() is not None


async def mark_done(db: Connection, period: str, when: float) -> None:
    await db.execute(
        "INSERT OR IGNORE INTO claim_runs (period, ran_at) VALUES (?,?)", (period, when)
    )


async def listing(db: Connection, limit: int) -> list[tuple[str, float]]:
    """(period, when it ran) of the latest `limit` monthly runs, the latest first."""
    async with db.execute(
        "SELECT period, ran_at FROM claim_runs ORDER BY period DESC LIMIT ?", (limit,)
    ) as cur:
        return [(str(r[0]), float(r[1])) for r in await cur.fetchall()]
