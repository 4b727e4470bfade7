"""The `remote_actors` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Remote actors as last fetched: their inboxes and the key their signatures must verify with.
CREATE TABLE IF NOT EXISTS remote_actors (
    id TEXT PRIMARY KEY,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    followers TEXT,
    key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    document TEXT NOT NULL,
    fetched_at REAL NOT NULL
);

CREATE INDEX IF NOT EXISTS remote_actors_key ON remote_actors(key_id);
"""
