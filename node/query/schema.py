"""The tables of the domain packages (query, agenda, directory, commons), run by `Store.open`.

Each package owns its table definitions; this module only lists them, so that the store needs
one import for all of them. Kept free of imports: the store imports it.
"""

from __future__ import annotations

QUERY_SCHEMA = """
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

AGENDA_SCHEMA = """
-- Who takes part in which local event. A Join is accepted while the event has room; the row
-- is what the participants collection lists and what capacity is counted on.
CREATE TABLE IF NOT EXISTS event_participants (
    event_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    join_id TEXT NOT NULL,               -- the Join, which a Leave or an Undo refers to
    created_at REAL NOT NULL,
    PRIMARY KEY (event_id, actor)
);
"""

DIRECTORY_SCHEMA = """
-- Residency of a member at this node's place: a Join waits for the place's team to validate
-- it (`pending`) before the member appears in the public residents collection (`accepted`).
CREATE TABLE IF NOT EXISTS residents (
    actor TEXT PRIMARY KEY,
    place TEXT NOT NULL,
    join_id TEXT,                        -- the member's Join, answered by the place's Accept
    state TEXT NOT NULL,                 -- pending | accepted
    created_at REAL NOT NULL,
    accepted_at REAL
);

-- A local member's profile, field by field, each with who may see it:
-- public (anyone), network (the places this node federates with), private (this node only).
CREATE TABLE IF NOT EXISTS profile_fields (
    handle TEXT NOT NULL,
    field TEXT NOT NULL,                 -- skill | availability | projects
    value TEXT NOT NULL,                 -- JSON
    visibility TEXT NOT NULL,
    PRIMARY KEY (handle, field)
);

-- The place's own details shown on its actor (address, geo, opening hours, offers): JSON.
CREATE TABLE IF NOT EXISTS place_details (
    handle TEXT PRIMARY KEY,
    details TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""

DOMAIN_SCHEMAS: tuple[str, ...] = (QUERY_SCHEMA, AGENDA_SCHEMA, DIRECTORY_SCHEMA)
