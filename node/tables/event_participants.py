"""The `event_participants` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Who takes part in which local event. A Join is accepted while the event has room; the row
-- is what the participants collection lists and what capacity is counted on.
CREATE TABLE IF NOT EXISTS event_participants (
    event_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    join_id TEXT NOT NULL,               -- the Join, which a Leave or an Undo refers to
    created_at REAL NOT NULL,
    PRIMARY KEY (event_id, actor)
);
"""
