"""The `backfills` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Reading a followed place's outbox once our Follow is accepted, so that what it published
-- before is in the shared agenda too. Network I/O: a row per place, taken by the backfill
-- worker, so that a restart resumes it and the inbox transaction never waits on the network.
-- One server process runs the workers, so a row needs no lease.
CREATE TABLE IF NOT EXISTS backfills (
    actor TEXT PRIMARY KEY,              -- the followed place
    state TEXT NOT NULL,                 -- new -> done | failed
    attempts INTEGER NOT NULL DEFAULT 0, -- a place's server may be down for a while: retried
    next_attempt_at REAL NOT NULL,       -- with backoff, so a dead server is not hammered
    last_error TEXT,                     -- why the last attempt failed, for the operator
    items INTEGER NOT NULL DEFAULT 0,    -- how many activities the last pass queued
    created_at REAL NOT NULL,
    finished_at REAL
);

CREATE INDEX IF NOT EXISTS backfills_due ON backfills(state, next_attempt_at);
"""
