"""The `event_requests` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Joins of a `restricted` event (Mobilizon's joinMode) waiting for the event's host to answer
-- them with Accept or Reject. Kept apart from the participants so that capacity and the
-- participants collection only ever count accepted people.
CREATE TABLE IF NOT EXISTS event_requests (
    event_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    join_id TEXT NOT NULL UNIQUE,        -- the Join that the host's Accept or Reject answers
    message TEXT,                        -- Mobilizon's participationMessage, for the team
    created_at REAL NOT NULL,
    PRIMARY KEY (event_id, actor)
);
"""
