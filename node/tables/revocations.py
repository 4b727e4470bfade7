"""The `revocations` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Revocations: our own (also in grants.revoked_at) and those peers announced.
CREATE TABLE IF NOT EXISTS revocations (
    issuer TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    revoked_at REAL NOT NULL,
    PRIMARY KEY (issuer, grant_id)
);
"""
