"""The `revocations` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Revocations: our own (also in grants.revoked_at) and those peers announced.
CREATE TABLE IF NOT EXISTS revocations (
    issuer TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    revoked_at REAL NOT NULL,
    PRIMARY KEY (issuer, grant_id)
);
"""


async def add(db: Connection, issuer: str, grant_id: str, revoked_at: float) -> None:
    """Record a revocation; one already known keeps its first time."""
    await db.execute(
        "INSERT OR IGNORE INTO revocations (issuer, grant_id, revoked_at) VALUES (?,?,?)",
        (issuer, grant_id, revoked_at),
    )


async def pairs(db: Connection) -> frozenset[tuple[str, str]]:
    """(issuer, grant id) of every revoked grant known here."""
    async with db.execute("SELECT issuer, grant_id FROM revocations") as cur:
        return frozenset((r[0], r[1]) for r in await cur.fetchall())
