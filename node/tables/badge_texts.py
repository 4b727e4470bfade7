"""The `badge_texts` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- The signed bytes of each badge this place issued (the `BIL1:` text of its QR code), so that
-- the member sees their own badge at /moi/badge. Nothing secret: the card is bound by a salted
-- hash of its UID (node/access/grant.py), never the UID itself. Dropped with the account.
CREATE TABLE IF NOT EXISTS badge_texts (
    grant_id TEXT PRIMARY KEY,             -- grants.grant_id
    member TEXT NOT NULL,                  -- actor id
    data BLOB NOT NULL                     -- the COSE_Sign1 bytes
);

CREATE INDEX IF NOT EXISTS badge_texts_member ON badge_texts(member);
"""


async def add(db: Connection, grant_id: str, member: str, data: bytes) -> None:
    await db.execute(
        "INSERT OR IGNORE INTO badge_texts (grant_id, member, data) VALUES (?,?,?)",
        (grant_id, member, data),
    )


async def of_grant(db: Connection, grant_id: str) -> bytes | None:
    async with db.execute("SELECT data FROM badge_texts WHERE grant_id = ?", (grant_id,)) as cur:
        row = await cur.fetchone()
    return bytes(row[0]) if row else None


async def forget_member(db: Connection, member: str) -> int:
    cur = await db.execute("DELETE FROM badge_texts WHERE member = ?", (member,))
    return cur.rowcount
