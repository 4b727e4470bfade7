"""The `follows` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

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
-- Who follows an actor: asked for every received post (is its sender followed here?) and
-- every fan-out (its followers); without it, each is a scan of all follows.
CREATE INDEX IF NOT EXISTS follows_followee ON follows(followee, state);
"""


# The two states of a row: a Follow waits for its answer, or the followee took it.
PENDING = "pending"
ACCEPTED = "accepted"


async def add(
    db: Connection, follower: str, followee: str | None, follow_id: str, state: str, now: float
) -> None:
    """A Follow, new or sent again: the row takes its id, and its state unless the follow is
    accepted already (a second Follow, a retry, asks nothing new)."""
    await db.execute(
        "INSERT INTO follows (follower, followee, activity_id, state, created_at)"
        " VALUES (?,?,?,?,?) ON CONFLICT(follower, followee) DO UPDATE SET"
        " activity_id = excluded.activity_id,"
        " state = CASE WHEN follows.state = ? THEN ? ELSE excluded.state END",
        (follower, followee, follow_id, state, now, ACCEPTED, ACCEPTED),
    )


async def request_of(db: Connection, followee: str, follow_id: str | None) -> sqlite3.Row | None:
    """The follow of `followee` whose Follow is `follow_id`."""
    async with db.execute(
        "SELECT * FROM follows WHERE activity_id = ? AND followee = ?", (follow_id, followee)
    ) as cur:
        return await cur.fetchone()


async def between(db: Connection, follower: str | None, followee: str) -> sqlite3.Row | None:
    """The follow of `followee` by `follower`, pending or accepted."""
    async with db.execute(
        "SELECT * FROM follows WHERE follower = ? AND followee = ?", (follower, followee)
    ) as cur:
        return await cur.fetchone()


async def accepted_follow_id(db: Connection, follower: str, followee: str) -> str | None:
    """The id of the Follow by which `follower` follows `followee`, once accepted."""
    async with db.execute(
        "SELECT activity_id FROM follows WHERE follower = ? AND followee = ? AND state = ?",
        (follower, followee, ACCEPTED),
    ) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None


async def accept(db: Connection, follower: str, followee: str) -> None:
    await db.execute(
        "UPDATE follows SET state = ? WHERE follower = ? AND followee = ?",
        (ACCEPTED, follower, followee),
    )


async def remove(db: Connection, follower: str, followee: str) -> None:
    await db.execute(
        "DELETE FROM follows WHERE follower = ? AND followee = ?", (follower, followee)
    )


async def undo(
    db: Connection, follower: str | None, follow_id: str | None, followee: str | None
) -> None:
    """`follower`'s follow made by the Follow `follow_id`, or of `followee`: a server that
    lost the Follow's id still undoes it."""
    await db.execute(
        "DELETE FROM follows WHERE follower = ? AND (activity_id = ? OR followee = ?)",
        (follower, follow_id, followee),
    )


async def forget_actor(db: Connection, actor: str) -> None:
    """A deleted actor follows nobody and nobody follows it."""
    await db.execute("DELETE FROM follows WHERE follower = ? OR followee = ?", (actor, actor))


async def accepted_followers(db: Connection, followee: str) -> list[str]:
    async with db.execute(
        "SELECT follower FROM follows WHERE followee = ? AND state = ?", (followee, ACCEPTED)
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def accepted_followees(db: Connection, follower: str) -> list[str]:
    async with db.execute(
        "SELECT followee FROM follows WHERE follower = ? AND state = ?", (follower, ACCEPTED)
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def local_follower_handles(db: Connection, followee: str | None) -> list[str]:
    """The handles of the local actors whose follow of `followee` is accepted."""
    async with db.execute(
        "SELECT a.handle FROM follows f JOIN local_actors a ON a.id = f.follower"
        " WHERE f.followee = ? AND f.state = ?",
        (followee, ACCEPTED),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


# The followers and following collections, a page at a time (oldest follow first).


async def count_followers(db: Connection, followee: str) -> int:
    return await db.integer(
        "SELECT COUNT(*) FROM follows WHERE followee = ? AND state = ?", (followee, ACCEPTED)
    )


async def followers_page(db: Connection, followee: str, limit: int, offset: int) -> list[str]:
    async with db.execute(
        "SELECT follower FROM follows WHERE followee = ? AND state = ?"
        " ORDER BY created_at LIMIT ? OFFSET ?",
        (followee, ACCEPTED, limit, offset),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def count_following(db: Connection, follower: str) -> int:
    return await db.integer(
        "SELECT COUNT(*) FROM follows WHERE follower = ? AND state = ?", (follower, ACCEPTED)
    )


async def following_page(db: Connection, follower: str, limit: int, offset: int) -> list[str]:
    async with db.execute(
        "SELECT followee FROM follows WHERE follower = ? AND state = ?"
        " ORDER BY created_at LIMIT ? OFFSET ?",
        (follower, ACCEPTED, limit, offset),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def followed_here(db: Connection, actor: str) -> bool:
    """Some local actor follows `actor`, or asked to (a request still pending counts: we
    asked for its posts)."""
    async with db.execute(
        "SELECT 1 FROM follows f JOIN local_actors a ON a.id = f.follower"
        " WHERE f.followee = ? LIMIT 1",
        (actor,),
    ) as cur:
        return await cur.fetchone() is not None


async def followed_on_origin(db: Connection, follower: str, origin: str) -> str | None:
    """The actor on `origin` (scheme://host) that `follower` follows, accepted or pending; the
    earliest followed when there are several (a place, then some of its residents)."""
    async with db.execute(
        "SELECT followee FROM follows WHERE follower = ? AND followee >= ? AND followee < ?"
        " ORDER BY created_at LIMIT 1",
        (follower, origin + "/", origin + "0"),
    ) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None
