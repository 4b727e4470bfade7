"""The `door_policy` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- The place's rules for its own doors: one row (id 1), absent until a team sets one, so a
-- node created before this table reads the defaults. Travels to the doors in the trust bundle.
CREATE TABLE IF NOT EXISTS door_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    card_required INTEGER NOT NULL DEFAULT 0, -- 1: a grant is honoured only with its own card
                                              -- (a QR code alone, a photo of it, is refused)
    updated_at REAL NOT NULL
);
"""
