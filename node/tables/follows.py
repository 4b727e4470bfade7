"""The `follows` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Follow relations in both directions, local or remote on either side.
CREATE TABLE IF NOT EXISTS follows (
    follower TEXT NOT NULL,
    followee TEXT NOT NULL,
    activity_id TEXT NOT NULL,           -- the Follow, which Accept/Reject/Undo refer to
    state TEXT NOT NULL,                 -- pending | accepted
    created_at REAL NOT NULL,
    PRIMARY KEY (follower, followee)
);

CREATE INDEX IF NOT EXISTS follows_activity ON follows(activity_id);
"""


# --- statements moved here from the agenda (issue 11, tables-domain), named as tables-core2
# names them: when both branches are merged, keep the owner's own and drop these.


async def accepted_followees(db: Connection, follower: str) -> list[str]:
    """Whom `follower` follows (accepted Follows only)."""
    async with db.execute(
        "SELECT followee FROM follows WHERE follower = ? AND state = 'accepted'", (follower,)
    ) as cur:
        return [row[0] for row in await cur.fetchall()]


async def accepted_follow_id(db: Connection, follower: str, followee: str) -> str | None:
    """The id of `follower`'s accepted Follow of `followee`."""
    async with db.execute(
        "SELECT activity_id FROM follows WHERE follower = ? AND followee = ?"
        " AND state = 'accepted'",
        (follower, followee),
    ) as cur:
        row = await cur.fetchone()
    return row[0] if row else None
