"""The `inbox_queue` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Received activities waiting to be applied. The primary key is what makes a duplicate
-- activity id (a retry, a replay) accepted once and applied once.
CREATE TABLE IF NOT EXISTS inbox_queue (
    activity_id TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    received_at REAL NOT NULL,
    target TEXT,                         -- handle whose inbox it was posted to; NULL: shared inbox
    state TEXT NOT NULL DEFAULT 'new',   -- new -> applied | failed
    attempts INTEGER NOT NULL DEFAULT 0, -- applying can fail on a transient fetch: retried
    next_attempt_at REAL NOT NULL DEFAULT 0, -- with backoff, so a dead sender is not hammered
    last_error TEXT
);

CREATE INDEX IF NOT EXISTS inbox_queue_state ON inbox_queue(state);
"""
