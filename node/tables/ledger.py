"""The `ledger_transactions` and `ledger_entries` tables: their schema, and every statement that
reads or writes them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- The books: one row per transaction, its entries below. `source` is the fact that caused it
-- (an Accept's id, a settlement's id): unique, so a fact re-applied after a crash or a replay
-- is booked once.
CREATE TABLE IF NOT EXISTS ledger_transactions (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,                    -- claim | settlement | credit_sale
    memo TEXT NOT NULL DEFAULT '',
    booked_at REAL NOT NULL
);

CREATE TRIGGER IF NOT EXISTS ledger_transactions_immutable BEFORE UPDATE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger transactions are immutable'); END;

-- Entries: amount > 0 is a debit, < 0 a credit; each transaction sums to zero per currency.
-- Accounts: 'peer:<actor id>' (positive: that place owes us), 'credit:<name>' (negative: the
-- credit a holder still has with us), 'income:visits', 'expense:visits', 'bank'.
CREATE TABLE IF NOT EXISTS ledger_entries (
    id INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
    account TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    reference TEXT                         -- the visit, claim or payment the entry is about
);

CREATE INDEX IF NOT EXISTS ledger_entries_account ON ledger_entries(account, currency);

-- Entries are immutable: a correction is a new transaction, never an edit.
CREATE TRIGGER IF NOT EXISTS ledger_entries_immutable BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;

CREATE TRIGGER IF NOT EXISTS ledger_entries_permanent BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
"""


Row = Any  # sqlite3.Row: read by column name


async def add_transaction(
    db: Connection,
    source: str,
    kind: str,
    memo: str,
    booked_at: float,
    entries: Iterable[tuple[str, int, str, str | None]],
) -> bool:
    """A transaction and its entries (account, amount, currency, reference), once per
    `source`: False, and nothing written, when that source was already booked."""
    cur = await db.execute(
        "INSERT OR IGNORE INTO ledger_transactions (source, kind, memo, booked_at)"
        " VALUES (?,?,?,?)",
        (source, kind, memo, booked_at),
    )
    if cur.rowcount == 0:
        return False
    txn = cur.lastrowid
    await db.executemany(
        "INSERT INTO ledger_entries (transaction_id, account, amount_cents, currency, reference)"
        " VALUES (?,?,?,?,?)",
        [(txn, *entry) for entry in entries],
    )
    return True


async def peer_balances(db: Connection) -> list[Row]:
    """(account, currency, sum) of every `peer:` account, per currency."""
    async with db.execute(
        "SELECT account, currency, SUM(amount_cents) FROM ledger_entries"
        " WHERE account LIKE 'peer:%' GROUP BY account, currency ORDER BY account, currency"
    ) as cur:
        return list(await cur.fetchall())


async def balance(db: Connection, account: str, currency: str | None = None) -> int:
    """The sum of an account's entries (in one currency when given)."""
    sql = "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE account = ?"
    params: tuple[str, ...] = (account,)
    if currency is not None:
        sql += " AND currency = ?"
        params = (account, currency)
    return await db.integer(sql, params)


async def every_entry(db: Connection) -> list[Row]:
    """Every entry with its transaction, in booking order: the accountant's export."""
    async with db.execute(
        "SELECT t.id AS txn, t.booked_at, t.kind, t.memo, e.account, e.amount_cents,"
        " e.currency, e.reference FROM ledger_entries e"
        " JOIN ledger_transactions t ON t.id = e.transaction_id ORDER BY t.id, e.id"
    ) as cur:
        return list(await cur.fetchall())


async def account_statement(db: Connection, account: str) -> list[Row]:
    """An account's entries in order (booked_at, kind, amount_cents, reference), each with
    the place whose accepted claim line it pays for, if any (`peer`)."""
    async with db.execute(
        "SELECT t.booked_at, t.kind, e.amount_cents, e.reference, c.peer FROM ledger_entries e"
        " JOIN ledger_transactions t ON t.id = e.transaction_id"
        " LEFT JOIN claim_lines l ON l.visit_id = e.reference AND l.state = 'accepted'"
        " LEFT JOIN claims c ON c.id = l.claim_id AND c.direction = 'received'"
        " WHERE e.account = ? ORDER BY e.id",
        (account,),
    ) as cur:
        return list(await cur.fetchall())


async def credit_sold_since(db: Connection, moment: float) -> list[tuple[str, int]]:
    """(currency, cents) of the Crédit Inter-Lieux sold since `moment`: the cash side ('bank')
    of every `credit_sale` transaction, per currency."""
    async with db.execute(
        "SELECT e.currency, SUM(e.amount_cents) FROM ledger_entries e"
        " JOIN ledger_transactions t ON t.id = e.transaction_id"
        " WHERE t.kind = 'credit_sale' AND e.account = 'bank' AND t.booked_at >= ?"
        " GROUP BY e.currency ORDER BY e.currency",
        (moment,),
    ) as cur:
        return [(str(r[0]), int(r[1])) for r in await cur.fetchall()]


async def account_entries(db: Connection, account: str) -> list[Row]:
    """One account's entries with their transaction (txn, booked_at, kind, memo, amount_cents,
    currency, reference), in booking order: the ledger with one peer, for its team."""
    async with db.execute(
        "SELECT t.id AS txn, t.booked_at, t.kind, t.memo, e.amount_cents, e.currency,"
        " e.reference FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id"
        " WHERE e.account = ? ORDER BY t.id, e.id",
        (account,),
    ) as cur:
        return list(await cur.fetchall())
