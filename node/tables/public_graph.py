"""The `public_graph` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from ..sqlite import Connection

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

-- What the graph worker still has to convert: without it, each of its passes read the whole
-- table (17 % of the event loop's time under inbox load, growing with the graph).
CREATE INDEX IF NOT EXISTS public_graph_unconverted ON public_graph(seq)
    WHERE ntriples IS NULL AND document IS NOT NULL;
"""


async def put(db: Connection, object_id: str, kind: str, local: bool, document: str | None) -> None:
    """Keep `document` (JSON text; None takes the object out) under `object_id` with a new
    change number. Its triples are computed later (`unconverted`, `set_triples`): converting
    JSON-LD costs milliseconds, too much for the inbox's transaction."""
    await db.execute(
        "INSERT INTO public_graph (id, type, local, document, ntriples, seq) VALUES"
        " (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM public_graph))"
        " ON CONFLICT(id) DO UPDATE SET type = excluded.type, document = excluded.document,"
        " ntriples = excluded.ntriples, seq = excluded.seq",
        (object_id, kind, int(local), document, None),
    )


async def changes_since(db: Connection, seq: int) -> list[sqlite3.Row]:
    """The rows changed after change number `seq` (id, document, ntriples, seq, local), in
    order."""
    async with db.execute(
        "SELECT id, document, ntriples, seq, local FROM public_graph WHERE seq > ? ORDER BY seq",
        (seq,),
    ) as cur:
        return await cur.fetchall()


async def unconverted(db: Connection, limit: int = 0) -> list[sqlite3.Row]:
    """Public documents whose triples are not computed yet (id, document, seq, local); all of
    them when `limit` is 0."""
    sql = (
        "SELECT id, document, seq, local FROM public_graph"
        " WHERE ntriples IS NULL AND document IS NOT NULL"
        " ORDER BY seq"
    )
    async with db.execute(sql + (f" LIMIT {int(limit)}" if limit else "")) as cur:
        return await cur.fetchall()


async def set_triples(db: Connection, converted: Iterable[tuple[str, str, int]]) -> None:
    """Keep computed triples, as (ntriples, id, seq). Guarded by seq: an object changed
    meanwhile keeps its newer, unconverted document."""
    await db.executemany("UPDATE public_graph SET ntriples = ? WHERE id = ? AND seq = ?", converted)


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
