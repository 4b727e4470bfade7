"""The `local_actors` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Actors that live on this node: the place and its members, with their private keys.
CREATE TABLE IF NOT EXISTS local_actors (
    handle TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,                -- Organization (the place) or Person (a member)
    name TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    manually_approves INTEGER NOT NULL DEFAULT 0,
    rsa_private_pem TEXT NOT NULL,
    ed25519_private_pem TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""
