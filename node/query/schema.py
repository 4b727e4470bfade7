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

-- Joins of a `restricted` event (Mobilizon's joinMode) waiting for the event's host to answer
-- them with Accept or Reject. Kept apart from the participants so that capacity and the
-- participants collection only ever count accepted people.
CREATE TABLE IF NOT EXISTS event_requests (
    event_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    join_id TEXT NOT NULL UNIQUE,        -- the Join that the host's Accept or Reject answers
    message TEXT,                        -- Mobilizon's participationMessage, for the team
    created_at REAL NOT NULL,
    PRIMARY KEY (event_id, actor)
);

-- Reading a followed place's outbox once our Follow is accepted, so that what it published
-- before is in the shared agenda too. Network I/O: a row per place, taken by the backfill
-- worker, so that a restart resumes it and the inbox transaction never waits on the network.
-- One server process runs the workers, so a row needs no lease.
CREATE TABLE IF NOT EXISTS backfills (
    actor TEXT PRIMARY KEY,              -- the followed place
    state TEXT NOT NULL,                 -- new -> done | failed
    attempts INTEGER NOT NULL DEFAULT 0, -- a place's server may be down for a while: retried
    next_attempt_at REAL NOT NULL,       -- with backoff, so a dead server is not hammered
    last_error TEXT,                     -- why the last attempt failed, for the operator
    items INTEGER NOT NULL DEFAULT 0,    -- how many activities the last pass queued
    created_at REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS backfills_due ON backfills(state, next_attempt_at);
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
