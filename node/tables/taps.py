"""The `taps` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Every tap a door reported, accepted or refused: what the team sees, and what makes a
-- report sent twice (after a network cut) count once.
CREATE TABLE IF NOT EXISTS taps (
    report_id TEXT PRIMARY KEY,
    door TEXT NOT NULL,
    decided_at REAL NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    grant_id TEXT,
    issuer TEXT,
    member TEXT,
    received_at REAL NOT NULL
);
"""
