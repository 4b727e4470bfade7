"""The `tokens` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Client-to-server tokens, stored as SHA-256 hashes so that a copy of the file grants nothing.
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL REFERENCES local_actors(handle),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    revoked_at REAL
);
"""
