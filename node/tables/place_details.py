"""The `place_details` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- The place's own details shown on its actor (address, geo, opening hours, offers): JSON.
CREATE TABLE IF NOT EXISTS place_details (
    handle TEXT PRIMARY KEY,
    details TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""
