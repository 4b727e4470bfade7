"""The `public_graph` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- The public graph: one row per public object this node holds (its own and those its peers
-- sent), as N-Triples, so that /sparql and the exports answer from one place and every process
-- on the same file sees the same changes.
CREATE TABLE IF NOT EXISTS public_graph (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    local INTEGER NOT NULL,
    document TEXT,                       -- the public JSON document; NULL once gone or private
    ntriples TEXT,                       -- its triples; NULL once gone or private
    -- change counter: a process holding the graph in memory applies the rows with a higher
    -- seq than the last it saw, so that a Delete removes the triples everywhere
    seq INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS public_graph_seq ON public_graph(seq);

CREATE INDEX IF NOT EXISTS public_graph_type ON public_graph(type);
"""
