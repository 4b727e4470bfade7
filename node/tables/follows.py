"""The `follows` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Follow relations in both directions, local or remote on either side.
CREATE TABLE IF NOT EXISTS follows (
    follower TEXT NOT NULL,
    followee TEXT NOT NULL,
    activity_id TEXT NOT NULL,           -- the Follow, which Accept/Reject/Undo refer to
    state TEXT NOT NULL,                 -- pending | accepted
    created_at REAL NOT NULL,
    PRIMARY KEY (follower, followee)
);

CREATE INDEX IF NOT EXISTS follows_activity ON follows(activity_id);
"""
