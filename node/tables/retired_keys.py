"""The `retired_keys` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Ed25519 keys a local actor used before its last rotation: still published (and so still
-- trusted by doors) so that grants signed with them stay valid until they expire.
CREATE TABLE IF NOT EXISTS retired_keys (
    key_id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    public_multibase TEXT NOT NULL,
    retired_at REAL NOT NULL
);
"""
