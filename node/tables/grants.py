"""The `grants` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..sqlite import Connection

SCHEMA = """
-- Grants this place issued to its members. Only ids and bindings: the signed bytes are
-- the member's, on their card.
CREATE TABLE IF NOT EXISTS grants (
    grant_id TEXT PRIMARY KEY,
    member TEXT NOT NULL,                  -- actor id
    card_hash TEXT,
    not_before INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    scope TEXT NOT NULL,
    credit_account TEXT,
    issued_at REAL NOT NULL,
    revoked_at REAL
);

CREATE INDEX IF NOT EXISTS grants_member ON grants(member);
"""


@dataclass(frozen=True)
class IssuedGrant:
    """A grant as its issuer recorded it (the signed bytes are on the member's card)."""

    grant_id: str
    member: str
    card_hash: str | None
    not_before: int
    expires: int
    scope: str
    credit_account: str | None
    issued_at: float
    revoked_at: float | None


_COLUMNS = (
    "grant_id, member, card_hash, not_before, expires, scope, credit_account, issued_at, revoked_at"
)


async def add(db: Connection, grant: IssuedGrant) -> None:
    await db.execute(
        f"INSERT INTO grants ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
        (grant.grant_id, grant.member, grant.card_hash, grant.not_before, grant.expires,
         grant.scope, grant.credit_account, grant.issued_at, grant.revoked_at),
    )  # fmt: skip


async def active_ids_of_member(db: Connection, member: str) -> list[str]:
    async with db.execute(
        "SELECT grant_id FROM grants WHERE member = ? AND revoked_at IS NULL", (member,)
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def active_ids(db: Connection, grant_id: str | None) -> list[str]:
    """[grant_id] when it is one of ours and not revoked, else []."""
    async with db.execute(
        "SELECT grant_id FROM grants WHERE grant_id = ? AND revoked_at IS NULL", (grant_id,)
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def mark_revoked(db: Connection, grant_id: str, now: float) -> None:
    await db.execute("UPDATE grants SET revoked_at = ? WHERE grant_id = ?", (now, grant_id))


async def member_of(db: Connection, grant_id: str) -> str | None:
    """The member one of our grants was issued to; None when the grant is not ours."""
    async with db.execute("SELECT member FROM grants WHERE grant_id = ?", (grant_id,)) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None


async def listing(db: Connection) -> list[IssuedGrant]:
    """Every grant issued here, oldest first."""
    async with db.execute(f"SELECT {_COLUMNS} FROM grants ORDER BY issued_at") as cur:
        return [IssuedGrant(*r) for r in await cur.fetchall()]


# --- moved here from node/ledger (ledger-claims helper): what a claim's check reads ----------


async def terms(
    db: Connection, grant_ids: Sequence[str]
) -> list[tuple[str, int, int, float | None, str | None]]:
    """(grant_id, not_before, expires, revoked_at, credit_account) of those of ours."""
    marks = ",".join("?" * len(grant_ids)) or "NULL"
    async with db.execute(
        "SELECT grant_id, not_before, expires, revoked_at, credit_account FROM grants"
        f" WHERE grant_id IN ({marks})",
        list(grant_ids),
    ) as cur:
        return [(r[0], r[1], r[2], r[3], r[4]) for r in await cur.fetchall()]


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def of_member(db: Connection, member: str) -> list[IssuedGrant]:
    """Every grant issued to a member, newest first."""
    async with db.execute(
        f"SELECT {_COLUMNS} FROM grants WHERE member = ? ORDER BY issued_at DESC", (member,)
    ) as cur:
        return [IssuedGrant(*r) for r in await cur.fetchall()]


async def anonymize_member(db: Connection, member: str, marker: str) -> int:
    """An erased member's grants stay (claims are checked against them) under `marker`."""
    cur = await db.execute("UPDATE grants SET member = ? WHERE member = ?", (marker, member))
    return cur.rowcount
