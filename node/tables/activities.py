"""The `activities` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Every activity this node minted or accepted, local or remote, by id.
CREATE TABLE IF NOT EXISTS activities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    object_id TEXT,
    document TEXT NOT NULL,
    local INTEGER NOT NULL,
    created_at REAL NOT NULL
);

CREATE INDEX IF NOT EXISTS activities_actor ON activities(actor, created_at);
"""
