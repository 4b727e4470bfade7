"""The `peer_credit` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

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
