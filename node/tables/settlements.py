"""The `settlements` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- Payments made outside (a bank transfer), waiting for the other side to confirm them.
CREATE TABLE IF NOT EXISTS settlements (
    id TEXT PRIMARY KEY,                   -- the tl:Settlement id, minted by who declared it
    direction TEXT NOT NULL,               -- sent (we declared it) | received
    offer_id TEXT NOT NULL,
    peer TEXT NOT NULL,
    payer TEXT NOT NULL,
    payee TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reference TEXT NOT NULL,               -- the bank transfer's reference, for the accountant
    state TEXT NOT NULL DEFAULT 'pending', -- pending -> confirmed | refused
    created_at REAL NOT NULL
);
"""


Row = Any  # sqlite3.Row: read by column name


async def add(
    db: Connection,
    settlement_id: str,
    direction: str,
    offer_id: str,
    peer: str,
    payer: str,
    payee: str,
    amount_cents: int,
    currency: str,
    reference: str,
    state: str,
    created_at: float,
) -> None:
    await db.execute(
        "INSERT INTO settlements (id, direction, offer_id, peer, payer, payee, amount_cents,"
        " currency, reference, state, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (settlement_id, direction, offer_id, peer, payer, payee, amount_cents, currency,
         reference, state, created_at),
    )  # fmt: skip


async def exists(db: Connection, settlement_id: str | None) -> bool:
    async with db.execute("SELECT 1 FROM settlements WHERE id = ?", (settlement_id,)) as cur:
        return await cur.fetchone() is not None


async def to_confirm(db: Connection, settlement_id: str) -> Row | None:
    """A payment a peer declared that waits for our team."""
    async with db.execute(
        "SELECT * FROM settlements WHERE id = ? AND direction = 'received'"
        " AND state = 'to_confirm'",
        (settlement_id,),
    ) as cur:
        return await cur.fetchone()


async def sent_pending(db: Connection, offer_id: str | None, peer: str | None) -> Row | None:
    """A payment we declared to `peer` in this Offer, still waiting for its answer."""
    async with db.execute(
        "SELECT * FROM settlements WHERE direction = 'sent' AND offer_id = ? AND peer = ?"
        " AND state = 'pending'",
        (offer_id, peer),
    ) as cur:
        return await cur.fetchone()


async def set_state(db: Connection, settlement_id: str, state: str) -> None:
    await db.execute("UPDATE settlements SET state = ? WHERE id = ?", (state, settlement_id))


async def every_settlement(db: Connection) -> list[Row]:
    async with db.execute("SELECT * FROM settlements ORDER BY created_at") as cur:
        return list(await cur.fetchall())


async def count_to_confirm(db: Connection) -> int:
    """Payments peers declared that the team has still to confirm or refuse."""
    return await db.integer("SELECT COUNT(*) FROM settlements WHERE state = 'to_confirm'")
