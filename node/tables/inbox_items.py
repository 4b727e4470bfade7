"""The `inbox_items` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- What each local actor's inbox shows its owner.
CREATE TABLE IF NOT EXISTS inbox_items (
    owner TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (owner, activity_id)
);

CREATE INDEX IF NOT EXISTS inbox_items_owner ON inbox_items(owner, received_at);
"""
