"""The `peers` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from dataclasses import dataclass

from ..sqlite import Connection

SCHEMA = """
-- Places whose grants this place honours: by a bilateral agreement (`peer add`, and then
-- followed, to hear of revocations), or because both places belong to a network, whose rules
-- set the terms (node/access/peering.py). A bilateral agreement always wins over a network's.
CREATE TABLE IF NOT EXISTS peers (
    actor_id TEXT PRIMARY KEY,
    added_at REAL NOT NULL,
    visit_rate TEXT NOT NULL DEFAULT '0',   -- agreed price per visit (compensation), decimal
    currency TEXT NOT NULL DEFAULT 'EUR',
    terms_from TEXT                         -- NULL: agreed bilaterally; else the network (Group
                                            -- id) whose rules set the terms, kept up to date
);
"""


@dataclass(frozen=True)
class Peer:
    actor_id: str
    visit_rate: str  # decimal text, as agreed: money is never a float here
    currency: str
    terms_from: str | None = None  # None: agreed bilaterally; else the network's id


_COLUMNS = "actor_id, visit_rate, currency, terms_from"


async def add(db: Connection, actor_id: str, visit_rate: str, currency: str, now: float) -> None:
    """Trust a place by a bilateral agreement, or change the rate agreed with one already
    trusted: the agreement replaces a network's terms, and no network's replaces it."""
    await db.execute(
        "INSERT INTO peers (actor_id, added_at, visit_rate, currency) VALUES (?,?,?,?)"
        " ON CONFLICT(actor_id) DO UPDATE SET visit_rate = excluded.visit_rate,"
        " currency = excluded.currency, terms_from = NULL",
        (actor_id, now, visit_rate, currency),
    )


async def add_from_network(
    db: Connection, actor_id: str, visit_rate: str, currency: str, network: str, now: float
) -> bool:
    """Trust a place on a network's terms, or bring its terms to the network's: never a
    peer agreed bilaterally. False when nothing changed."""
    cur = await db.execute(
        "INSERT INTO peers (actor_id, added_at, visit_rate, currency, terms_from)"
        " VALUES (?,?,?,?,?) ON CONFLICT(actor_id) DO UPDATE SET"
        " visit_rate = excluded.visit_rate, currency = excluded.currency,"
        " terms_from = excluded.terms_from"
        " WHERE peers.terms_from IS NOT NULL AND (peers.visit_rate, peers.currency,"
        " peers.terms_from) IS NOT (excluded.visit_rate, excluded.currency,"
        " excluded.terms_from)",
        (actor_id, now, visit_rate, currency, network),
    )
    return cur.rowcount > 0


async def from_networks(db: Connection) -> list[Peer]:
    """The peers a network brought (none agreed bilaterally), in the order they came."""
    async with db.execute(
        f"SELECT {_COLUMNS} FROM peers WHERE terms_from IS NOT NULL ORDER BY added_at"
    ) as cur:
        return [Peer(*r) for r in await cur.fetchall()]


async def remove_from_network(db: Connection, actor_id: str) -> bool:
    """Stop trusting a place a network brought; a bilateral peer stays. False: none such."""
    cur = await db.execute(
        "DELETE FROM peers WHERE actor_id = ? AND terms_from IS NOT NULL", (actor_id,)
    )
    return cur.rowcount > 0


async def find(db: Connection, actor_id: str) -> Peer | None:
    async with db.execute(f"SELECT {_COLUMNS} FROM peers WHERE actor_id = ?", (actor_id,)) as cur:
        row = await cur.fetchone()
    return Peer(*row) if row is not None else None


async def without_keys(db: Connection) -> list[str]:
    """Peers whose actor document (their badge keys) this node does not hold yet: those a
    network brought, added inside an inbox transaction, where nothing is fetched."""
    async with db.execute(
        "SELECT p.actor_id FROM peers p LEFT JOIN remote_actors r ON r.id = p.actor_id"
        " WHERE r.id IS NULL ORDER BY p.added_at"
    ) as cur:
        return [str(r[0]) for r in await cur.fetchall()]


async def remove(db: Connection, actor_id: str) -> bool:
    """False when the place was not a peer."""
    cur = await db.execute("DELETE FROM peers WHERE actor_id = ?", (actor_id,))
    return cur.rowcount > 0


async def is_peer(db: Connection, actor_id: str | None) -> bool:
    async with db.execute("SELECT 1 FROM peers WHERE actor_id = ?", (actor_id,)) as cur:
        return await cur.fetchone() is not None


async def listing(db: Connection) -> list[Peer]:
    """Every peer, in the order they were added."""
    async with db.execute(f"SELECT {_COLUMNS} FROM peers ORDER BY added_at") as cur:
        return [Peer(*r) for r in await cur.fetchall()]


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
