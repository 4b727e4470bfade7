"""The `ledger_transactions` and `ledger_entries` tables: their schema, and every statement that
reads or writes them."""

from __future__ import annotations

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
