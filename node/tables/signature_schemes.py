"""The `signature_schemes` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Which HTTP signature scheme each server took last (double-knocking, node/knocking.py).
-- Only servers that answered a first knock with 401 are written: absent means RFC 9421.
CREATE TABLE IF NOT EXISTS signature_schemes (
    origin TEXT PRIMARY KEY,    -- scheme://host[:port]: a server, not an inbox
    scheme TEXT NOT NULL,       -- 'cavage' or 'rfc9421': what it accepted after a 401
    decided_at REAL NOT NULL    -- when; the choice is forgotten REMEMBER seconds later
);
"""
