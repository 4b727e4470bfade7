"""The `meta` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Settings of the file itself, by key. (The schema version is PRAGMA user_version: migrations.py.)
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
