"""The `peer_credit` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Credit balances other places shared with us, for our doors (what is left, and the overdraft).
CREATE TABLE IF NOT EXISTS peer_credit (
    issuer TEXT NOT NULL,
    account TEXT NOT NULL,
    remaining_cents INTEGER NOT NULL,
    overdraft_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    as_of REAL NOT NULL,
    PRIMARY KEY (issuer, account)
);
"""


async def update(
    db: Connection,
    issuer: str,
    account: str,
    remaining_cents: int,
    overdraft_cents: int,
    currency: str,
    as_of: float,
) -> None:
    """A peer's account balance, kept only if newer than what we have (deliveries may cross)."""
    await db.execute(
        "INSERT INTO peer_credit (issuer, account, remaining_cents, overdraft_cents, currency,"
        " as_of) VALUES (?,?,?,?,?,?) ON CONFLICT(issuer, account) DO UPDATE SET"
        " remaining_cents = excluded.remaining_cents, overdraft_cents = excluded.overdraft_cents,"
        " currency = excluded.currency, as_of = excluded.as_of"
        " WHERE excluded.as_of > peer_credit.as_of",
        (issuer, account, remaining_cents, overdraft_cents, currency, as_of),
    )


async def balances(db: Connection) -> dict[str, dict[str, tuple[int, int]]]:
    """issuer -> account -> (remaining, overdraft), for our doors."""
    credit: dict[str, dict[str, tuple[int, int]]] = {}
    async with db.execute(
        "SELECT issuer, account, remaining_cents, overdraft_cents FROM peer_credit"
    ) as cur:
        for row in await cur.fetchall():
            credit.setdefault(str(row[0]), {})[str(row[1])] = (int(row[2]), int(row[3]))
    return credit
