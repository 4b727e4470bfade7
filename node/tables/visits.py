"""The `visits` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Visits: taps accepted at our doors (local = 1), and visits of our members elsewhere that
-- the visited place reported to us (local = 0). The evidence compensation claims rest on.
CREATE TABLE IF NOT EXISTS visits (
    id TEXT PRIMARY KEY,                   -- the tl:Visit object id (minted by the visited place)
    report_id TEXT UNIQUE,                 -- the door's report id: a re-sent report is one visit
    grant_id TEXT NOT NULL,
    issuer TEXT NOT NULL,                  -- the member's home place
    member TEXT NOT NULL,
    place TEXT NOT NULL,                   -- the visited place
    door TEXT NOT NULL,
    visited_at REAL NOT NULL,
    local INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS visits_issuer ON visits(issuer, visited_at);
"""
