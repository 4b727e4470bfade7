"""The `credit_accounts` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Crédit Inter-Lieux accounts this place sold; their balance is in the books.
CREATE TABLE IF NOT EXISTS credit_accounts (
    name TEXT PRIMARY KEY,
    members TEXT NOT NULL DEFAULT '[]',    -- JSON list of member actor ids who may spend it
    currency TEXT NOT NULL,
    overdraft_cents INTEGER NOT NULL DEFAULT 0, -- how far below zero a door may still let in
    created_at REAL NOT NULL
);
"""
