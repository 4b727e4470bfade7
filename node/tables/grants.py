"""The `grants` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

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
