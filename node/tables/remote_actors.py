"""The `remote_actors` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from ..sqlite import Connection, in_lists

SCHEMA = """
-- Remote actors as last fetched: their inboxes and the key their signatures must verify with.
CREATE TABLE IF NOT EXISTS remote_actors (
    id TEXT PRIMARY KEY,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    followers TEXT,
    key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    document TEXT NOT NULL,
    fetched_at REAL NOT NULL
);

CREATE INDEX IF NOT EXISTS remote_actors_key ON remote_actors(key_id);
"""


async def by_id(db: Connection, actor_id: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM remote_actors WHERE id = ?", (actor_id,)) as cur:
        return await cur.fetchone()


async def by_key(db: Connection, key_id: str) -> sqlite3.Row | None:
    """The actor whose RSA key has this id: its `id` and `public_key_pem`."""
    async with db.execute(
        "SELECT id, public_key_pem FROM remote_actors WHERE key_id = ?", (key_id,)
    ) as cur:
        return await cur.fetchone()


async def document(db: Connection, actor_id: str) -> dict[str, Any] | None:
    """The actor's document as last fetched."""
    async with db.execute("SELECT document FROM remote_actors WHERE id = ?", (actor_id,)) as cur:
        row = await cur.fetchone()
    return json.loads(row[0]) if row else None


# What an actor is to a delivery (`actors.remote.actor_from_row`), and how old: without the
# document, which a post to a thousand followers would otherwise read a megabyte of.
ACTOR_COLUMNS = "id, inbox, shared_inbox, followers, key_id, public_key_pem, fetched_at"


async def rows_among(
    db: Connection, refs: Iterable[str], columns: str = ACTOR_COLUMNS
) -> dict[str, sqlite3.Row]:
    """The rows of the remote actors among `refs`: id -> row, one query per `in_lists` group
    (a post to a thousand followers reads their inboxes at once, not one by one)."""
    found: dict[str, sqlite3.Row] = {}
    for group, marks in in_lists(refs):
        query = f"SELECT {columns} FROM remote_actors WHERE id IN ({marks})"
        async with db.execute(query, group) as cur:
            found.update({row["id"]: row for row in await cur.fetchall()})
    return found


async def documents_among(db: Connection, refs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The documents, as last fetched, of the remote actors among `refs`: id -> document."""
    rows = await rows_among(db, refs, "id, document")
    return {ref: json.loads(row["document"]) for ref, row in rows.items()}


async def save(
    db: Connection,
    *,
    actor_id: str,
    inbox: str,
    shared_inbox: str | None,
    followers: str | None,
    key_id: str,
    public_key_pem: str,
    document: dict[str, Any],
    fetched_at: float,
) -> None:
    """Keep the actor as just fetched, replacing what we had."""
    await db.execute(
        "INSERT INTO remote_actors (id, inbox, shared_inbox, followers, key_id,"
        " public_key_pem, document, fetched_at) VALUES (?,?,?,?,?,?,?,?)"
        " ON CONFLICT(id) DO UPDATE SET inbox=excluded.inbox,"
        " shared_inbox=excluded.shared_inbox, followers=excluded.followers,"
        " key_id=excluded.key_id, public_key_pem=excluded.public_key_pem,"
        " document=excluded.document, fetched_at=excluded.fetched_at",
        (actor_id, inbox, shared_inbox, followers, key_id, public_key_pem,
         json.dumps(document), fetched_at),
    )  # fmt: skip


async def forget(db: Connection, actor_id: str) -> None:
    await db.execute("DELETE FROM remote_actors WHERE id = ?", (actor_id,))


async def documents_on(db: Connection, origin: str, limit: int) -> list[dict[str, Any]]:
    """The documents of the actors this node holds from one origin (`https://host[:port]`),
    as last fetched: what their home let this node see (volunteering's suggestions)."""
    async with db.execute(
        "SELECT document FROM remote_actors WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT ?",
        (len(origin) + 1, origin + "/", limit),
    ) as cur:
        return [json.loads(row[0]) for row in await cur.fetchall()]
