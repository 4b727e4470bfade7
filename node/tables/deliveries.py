"""The `deliveries` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- One row per (activity, target inbox): the durable delivery queue.
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    activity_id TEXT NOT NULL,
    inbox TEXT NOT NULL,
    signer TEXT NOT NULL,                -- handle of the local actor whose key signs the POST
    state TEXT NOT NULL DEFAULT 'pending', -- pending -> delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    -- when to try next: exponential backoff with jitter, or the peer's Retry-After
    next_attempt_at REAL NOT NULL,
    -- a worker that took the row owns it until then; after a crash the lease runs out and the
    -- row is taken again, so nothing is lost (a peer may see a retry: ids make that harmless)
    locked_until REAL,
    last_error TEXT,                     -- why the last attempt failed, shown to the operator
    created_at REAL NOT NULL,
    finished_at REAL,
    UNIQUE (activity_id, inbox)
);

CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt_at);
"""
