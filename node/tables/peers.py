"""The `peers` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Places whose grants this place honours (and that it follows, to hear of revocations).
CREATE TABLE IF NOT EXISTS peers (
    actor_id TEXT PRIMARY KEY,
    added_at REAL NOT NULL,
    visit_rate TEXT NOT NULL DEFAULT '0',   -- agreed price per visit (compensation), decimal
    currency TEXT NOT NULL DEFAULT 'EUR'
);
"""


# --- moved here from node/ledger (ledger-claims helper): the terms agreed with peers ---------

from ..sqlite import Connection  # noqa: E402


async def agreed_terms(db: Connection, actor_id: str) -> tuple[str, str] | None:
    """(visit rate as a decimal text, currency) agreed with a peer; None: not a peer."""
    async with db.execute(
        "SELECT visit_rate, currency FROM peers WHERE actor_id = ?", (actor_id,)
    ) as cur:
        row = await cur.fetchone()
    return (str(row[0]), str(row[1])) if row is not None else None


async def every_peer(db: Connection) -> list[str]:
    async with db.execute("SELECT actor_id FROM peers") as cur:
        return [str(r[0]) for r in await cur.fetchall()]
