"""The `peers` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from dataclasses import dataclass

from ..sqlite import Connection

SCHEMA = """
-- Places whose grants this place honours (and that it follows, to hear of revocations).
CREATE TABLE IF NOT EXISTS peers (
    actor_id TEXT PRIMARY KEY,
    added_at REAL NOT NULL,
    visit_rate TEXT NOT NULL DEFAULT '0',   -- agreed price per visit (compensation), decimal
    currency TEXT NOT NULL DEFAULT 'EUR'
);
"""


@dataclass(frozen=True)
class Peer:
    actor_id: str
    visit_rate: str  # decimal text, as agreed: money is never a float here
    currency: str


async def add(db: Connection, actor_id: str, visit_rate: str, currency: str, now: float) -> None:
    """Trust a place, or change the rate agreed with one already trusted."""
    await db.execute(
        "INSERT INTO peers (actor_id, added_at, visit_rate, currency) VALUES (?,?,?,?)"
        " ON CONFLICT(actor_id) DO UPDATE SET visit_rate = excluded.visit_rate,"
        " currency = excluded.currency",
        (actor_id, now, visit_rate, currency),
    )


async def remove(db: Connection, actor_id: str) -> bool:
    """False when the place was not a peer."""
    cur = await db.execute("DELETE FROM peers WHERE actor_id = ?", (actor_id,))
    return cur.rowcount > 0


async def is_peer(db: Connection, actor_id: str | None) -> bool:
    async with db.execute("SELECT 1 FROM peers WHERE actor_id = ?", (actor_id,)) as cur:
        return await cur.fetchone() is not None


async def listing(db: Connection) -> list[Peer]:
    """Every peer, in the order they were added."""
    async with db.execute(
        "SELECT actor_id, visit_rate, currency FROM peers ORDER BY added_at"
    ) as cur:
        return [Peer(r[0], r[1], r[2]) for r in await cur.fetchall()]


async def count(db: Connection) -> int:
    return await db.integer("SELECT COUNT(*) FROM peers")


async def page(db: Connection, limit: int, offset: int) -> list[str]:
    """Actor ids, in the order they were added: a page of the public peers collection."""
    async with db.execute(
        "SELECT actor_id FROM peers ORDER BY added_at LIMIT ? OFFSET ?", (limit, offset)
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def documents(db: Connection) -> list[tuple[str, str]]:
    """(actor id, cached actor document as JSON text) of every peer whose document is cached:
    the keys a door checks their grants with."""
    async with db.execute(
        "SELECT p.actor_id, r.document FROM peers p JOIN remote_actors r ON r.id = p.actor_id"
    ) as cur:
        return [(r[0], r[1]) for r in await cur.fetchall()]


async def places_to_tell(db: Connection, place_id: str) -> list[str]:
    """Peers, and places following `place_id`: the doors that may honour its grants."""
    async with db.execute(
        "SELECT actor_id FROM peers UNION SELECT f.follower FROM follows f"
        " JOIN remote_actors r ON r.id = f.follower"
        " WHERE f.followee = ? AND f.state = 'accepted'"
        " AND json_extract(r.document, '$.type') = 'Organization'",
        (place_id,),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


# --- moved here from node/ledger (ledger-claims helper): the terms agreed with peers ---------


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
