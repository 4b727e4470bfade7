"""The `objects` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Objects (notes, events, …) by id; a deleted one keeps its row as a Tombstone.
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    attributed_to TEXT,
    document TEXT NOT NULL,
    local INTEGER NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    deleted_at REAL
);
"""
