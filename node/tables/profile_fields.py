"""The `profile_fields` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- A local member's profile, field by field, each with who may see it:
-- public (anyone), network (the places this node federates with), private (this node only).
CREATE TABLE IF NOT EXISTS profile_fields (
    handle TEXT NOT NULL,
    field TEXT NOT NULL,                 -- skill | availability | projects
    value TEXT NOT NULL,                 -- JSON
    visibility TEXT NOT NULL,
    PRIMARY KEY (handle, field)
);
"""
