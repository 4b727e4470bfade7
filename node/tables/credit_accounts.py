"""The `credit_accounts` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Crédit Inter-Lieux accounts this place sold; their balance is in the books.
CREATE TABLE IF NOT EXISTS credit_accounts (
    name TEXT PRIMARY KEY,
    members TEXT NOT NULL DEFAULT '[]',    -- JSON list of member actor ids who may spend it
    currency TEXT NOT NULL,
    overdraft_cents INTEGER NOT NULL DEFAULT 0, -- how far below zero a door may still let in
    created_at REAL NOT NULL,
    overdraft_from TEXT                    -- NULL: the overdraft the team set; else the network
                                           -- (Group id) whose overdraft rule it follows
);
"""


# The books' account of a credit account `name` is 'credit:' || name (see ledger.books).


async def sell(
    db: Connection,
    name: str,
    members: str,
    currency: str,
    overdraft: tuple[int, str | None] | None,
    when: float,
) -> None:
    """Open the account, or add `members` (a JSON list) to it; with `overdraft` (cents, and
    the network it follows or None), set its overdraft; without, an account keeps its own
    (a new one opens with none)."""
    cents, source = overdraft if overdraft is not None else (0, None)
    await db.execute(
        "INSERT INTO credit_accounts (name, members, currency, overdraft_cents, created_at,"
        " overdraft_from) VALUES (?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET"
        " overdraft_cents = CASE WHEN ? THEN excluded.overdraft_cents"
        " ELSE credit_accounts.overdraft_cents END,"
        " overdraft_from = CASE WHEN ? THEN excluded.overdraft_from"
        " ELSE credit_accounts.overdraft_from END,"
        " members = (SELECT json_group_array(value) FROM"
        " (SELECT value FROM json_each(credit_accounts.members) UNION"
        "  SELECT value FROM json_each(excluded.members)))",
        (name, members, currency, cents, when, source, overdraft is not None,
         overdraft is not None),
    )  # fmt: skip


async def exists(db: Connection, name: str) -> bool:
    async with db.execute("SELECT 1 FROM credit_accounts WHERE name = ?", (name,)) as cur:
        return await cur.fetchone() is not None


async def follow_network(db: Connection, network: str, overdraft_cents: int) -> list[str]:
    """The accounts opened on `network`'s overdraft take its new value; their names, for
    those whose overdraft changed (their balances go to the peers again)."""
    async with db.execute(
        "UPDATE credit_accounts SET overdraft_cents = ? WHERE overdraft_from = ?"
        " AND overdraft_cents != ? RETURNING name",
        (overdraft_cents, network, overdraft_cents),
    ) as cur:
        return sorted(str(r[0]) for r in await cur.fetchall())


async def stop_following(db: Connection, network: str) -> int:
    """The place left `network`: its accounts keep the overdraft they have, as their own."""
    cur = await db.execute(
        "UPDATE credit_accounts SET overdraft_from = NULL WHERE overdraft_from = ?", (network,)
    )
    return cur.rowcount


async def overdraft_source(db: Connection, name: str) -> str | None:
    """The network an account's overdraft follows; None: the team's own (or no account)."""
    async with db.execute(
        "SELECT overdraft_from FROM credit_accounts WHERE name = ?", (name,)
    ) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row is not None and row[0] is not None else None


async def currency_of(db: Connection, name: str) -> str | None:
    async with db.execute("SELECT currency FROM credit_accounts WHERE name = ?", (name,)) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row is not None else None


async def holding(db: Connection, name: str) -> tuple[str, int, int] | None:
    """(currency, overdraft, remaining) of one account, from the books; None if unknown."""
    async with db.execute(
        "SELECT a.currency, a.overdraft_cents, -COALESCE(SUM(e.amount_cents), 0)"
        " FROM credit_accounts a LEFT JOIN ledger_entries e ON e.account = ?"
        " WHERE a.name = ? GROUP BY a.name",
        ("credit:" + name, name),
    ) as cur:
        row = await cur.fetchone()
    return (str(row[0]), int(row[1]), int(row[2])) if row is not None else None


async def holdings(db: Connection) -> dict[str, tuple[int, int]]:
    """Every account: name -> (remaining, overdraft), from the books (for our own doors)."""
    async with db.execute(
        "SELECT a.name, a.overdraft_cents, -COALESCE(SUM(e.amount_cents), 0)"
        " FROM credit_accounts a LEFT JOIN ledger_entries e ON e.account = 'credit:' || a.name"
        " GROUP BY a.name"
    ) as cur:
        return {str(r[0]): (int(r[2]), int(r[1])) for r in await cur.fetchall()}


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def of_member(db: Connection, member: str) -> list[str]:
    """The accounts a member may spend, by name."""
    async with db.execute(
        "SELECT name FROM credit_accounts WHERE EXISTS"
        " (SELECT 1 FROM json_each(credit_accounts.members) WHERE value = ?) ORDER BY name",
        (member,),
    ) as cur:
        return [str(r[0]) for r in await cur.fetchall()]


async def anonymize_member(db: Connection, member: str, marker: str) -> int:
    """An erased member's place in the accounts they could spend: `marker` instead."""
    cur = await db.execute(
        "UPDATE credit_accounts SET members = (SELECT json_group_array(CASE WHEN value = ?"
        " THEN ? ELSE value END) FROM json_each(credit_accounts.members))"
        " WHERE EXISTS (SELECT 1 FROM json_each(credit_accounts.members) WHERE value = ?)",
        (member, marker, member),
    )
    return cur.rowcount
