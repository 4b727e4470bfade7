"""The `door_contacts` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection, GroupCommit

SCHEMA = """
-- When each door token last fetched the trust bundle: the team's "last seen" of a door
-- (a reader asks every 20 s by default; one that stopped asking is off or cut from the
-- network, and decides from an ageing bundle). One row per token, overwritten.
CREATE TABLE IF NOT EXISTS door_contacts (
    token_id INTEGER PRIMARY KEY,        -- tokens.id of the door's token
    bundle_at REAL NOT NULL              -- when the bundle was last served to it
);
"""


async def bundle_served(commit: GroupCommit, token_id: int, now: float) -> None:
    """The bundle was served to this token now. Through the store's group commit
    (`Store.execute`): doors polling together share one commit."""
    await commit(
        "INSERT INTO door_contacts (token_id, bundle_at) VALUES (?, ?)"
        " ON CONFLICT(token_id) DO UPDATE SET bundle_at = excluded.bundle_at",
        (token_id, now),
    )


async def listing(db: Connection) -> dict[int, float]:
    """Token id -> when the bundle was last served to it."""
    async with db.execute("SELECT token_id, bundle_at FROM door_contacts") as cur:
        return {int(r[0]): float(r[1]) for r in await cur.fetchall()}
