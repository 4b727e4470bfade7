"""The `residents` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Residency of a member at this node's place: a Join waits for the place's team to validate
-- it (`pending`) before the member appears in the public residents collection (`accepted`).
CREATE TABLE IF NOT EXISTS residents (
    actor TEXT PRIMARY KEY,
    place TEXT NOT NULL,
    join_id TEXT,                        -- the member's Join, answered by the place's Accept
    state TEXT NOT NULL,                 -- pending | accepted
    created_at REAL NOT NULL,
    accepted_at REAL
);
"""
