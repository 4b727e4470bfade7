"""The `public_graph` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- The public graph's source: one row per public object this node holds (its own and those of
-- the places it follows), as the JSON document. The graph engine (`node.query.engine`) turns
-- the rows changed since it last looked into RDF in its Oxigraph store: every process on the
-- file sees the same changes, and the store can always be rebuilt from here.
CREATE TABLE IF NOT EXISTS public_graph (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    local INTEGER NOT NULL,
    document TEXT,                       -- the public JSON document; NULL once gone or private
    -- change counter: the engine applies the rows with a higher seq than the last it applied,
    -- so that a Delete removes the triples too
    seq INTEGER NOT NULL,
    -- the named graph the object's triples go to: the actor id of the place whose data it is
    -- (the place that published it, or the place of its origin that this node follows)
    graph TEXT
);

CREATE INDEX IF NOT EXISTS public_graph_seq ON public_graph(seq);

CREATE INDEX IF NOT EXISTS public_graph_type ON public_graph(type);

CREATE INDEX IF NOT EXISTS public_graph_graph ON public_graph(graph);
"""

# Migration 3 (`node.migrations`): the named graph of each row, and the triples no longer kept
# here (the engine's store holds them).
MIGRATION = """
ALTER TABLE public_graph ADD COLUMN graph TEXT;
DROP INDEX IF EXISTS public_graph_unconverted;
ALTER TABLE public_graph DROP COLUMN ntriples;
UPDATE public_graph SET graph = (
    SELECT id FROM local_actors WHERE type = 'Organization' LIMIT 1
) WHERE local = 1;
"""


async def put(
    db: Connection,
    object_id: str,
    kind: str,
    local: bool,
    document: str | None,
    graph: str | None,
) -> None:
    """Keep `document` (JSON text; None takes the object out) under `object_id`, in the
    place's named graph `graph`, with a new change number."""
    await db.execute(
        "INSERT INTO public_graph (id, type, local, document, seq, graph) VALUES"
        " (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM public_graph), ?)"
        " ON CONFLICT(id) DO UPDATE SET type = excluded.type, document = excluded.document,"
        " seq = excluded.seq, graph = COALESCE(excluded.graph, public_graph.graph)",
        (object_id, kind, int(local), document, graph),
    )


async def drop_graph(db: Connection, graph: str) -> int:
    """Take every object of the named graph `graph` out (a place no longer followed); how many.
    They share one new change number: the engine reads changes by (seq, id)."""
    cur = await db.execute(
        "UPDATE public_graph SET document = NULL,"
        " seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM public_graph)"
        " WHERE graph = ? AND document IS NOT NULL",
        (graph,),
    )
    return cur.rowcount


def reader(database: Path) -> sqlite3.Connection:
    """A read-only connection to the node's database, for the engine process: the node's one
    writer stays the node."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def changes_after(
    conn: sqlite3.Connection, seq: int, after_id: str, limit: int
) -> list[tuple[str, str | None, int, int, str | None]]:
    """Up to `limit` rows changed after (`seq`, `after_id`), in that order, as (id, document,
    seq, local, graph). Synchronous: the engine process reads with plain sqlite3."""
    return conn.execute(
        "SELECT id, document, seq, local, graph FROM public_graph"
        " WHERE seq > ? OR (seq = ? AND id > ?) ORDER BY seq, id LIMIT ?",
        (seq, seq, after_id, limit),
    ).fetchall()


def last_change(conn: sqlite3.Connection) -> int:
    """The highest change number (0 when empty)."""
    row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM public_graph").fetchone()
    return int(row[0])


async def documents(db: Connection, kind: str | None = None) -> list[dict[str, Any]]:
    """The public documents, of one type or all, by id (for the exports)."""
    sql = "SELECT document FROM public_graph WHERE document IS NOT NULL"
    params: tuple[Any, ...] = ()
    if kind:
        sql += " AND type = ?"
        params = (kind,)
    async with db.execute(sql + " ORDER BY id", params) as cur:
        return [json.loads(row["document"]) for row in await cur.fetchall()]


async def types(db: Connection) -> list[str]:
    """The types of the public documents, in alphabetical order."""
    async with db.execute(
        "SELECT DISTINCT type FROM public_graph WHERE document IS NOT NULL ORDER BY type"
    ) as cur:
        return [row[0] for row in await cur.fetchall()]
