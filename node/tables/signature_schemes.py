"""The `signature_schemes` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Which HTTP signature scheme each server took last (double-knocking, node/knocking.py).
-- Only servers that answered a first knock with 401 are written: absent means RFC 9421.
CREATE TABLE IF NOT EXISTS signature_schemes (
    origin TEXT PRIMARY KEY,    -- scheme://host[:port]: a server, not an inbox
    scheme TEXT NOT NULL,       -- 'cavage' or 'rfc9421': what it accepted after a 401
    decided_at REAL NOT NULL    -- when; the choice is forgotten REMEMBER seconds later
);
"""


async def recall(db: Connection, origin: str) -> tuple[str, float] | None:
    """The scheme the server at `origin` took last, and when; None if never written."""
    async with db.execute(
        "SELECT scheme, decided_at FROM signature_schemes WHERE origin = ?", (origin,)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else (str(row["scheme"]), float(row["decided_at"]))


async def remember(db: Connection, origin: str, scheme: str, decided_at: float) -> None:
    await db.execute(
        "INSERT INTO signature_schemes (origin, scheme, decided_at) VALUES (?,?,?)"
        " ON CONFLICT(origin) DO UPDATE SET scheme = excluded.scheme,"
        " decided_at = excluded.decided_at",
        (origin, scheme, decided_at),
    )
