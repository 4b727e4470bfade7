"""The `settlements` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

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
