"""The `claim_runs` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Monthly claims the node's scheduler has already sent, so that a restart sends none twice.
CREATE TABLE IF NOT EXISTS claim_runs (
    period TEXT PRIMARY KEY,
    ran_at REAL NOT NULL
);
"""
