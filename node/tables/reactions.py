"""The `reactions` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Likes and Announces, undone by deleting the row.
CREATE TABLE IF NOT EXISTS reactions (
    activity_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    object_id TEXT NOT NULL
);
"""
