"""The `peers` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Places whose grants this place honours (and that it follows, to hear of revocations).
CREATE TABLE IF NOT EXISTS peers (
    actor_id TEXT PRIMARY KEY,
    added_at REAL NOT NULL,
    visit_rate TEXT NOT NULL DEFAULT '0',   -- agreed price per visit (compensation), decimal
    currency TEXT NOT NULL DEFAULT 'EUR'
);
"""
