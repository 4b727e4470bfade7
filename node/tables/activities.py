"""The `activities` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..sqlite import Connection
from .public import PUBLIC_SQL

SCHEMA = """
-- Every activity this node minted or accepted, local or remote, by id.
CREATE TABLE IF NOT EXISTS activities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    object_id TEXT,
    document TEXT NOT NULL,
    local INTEGER NOT NULL,
    created_at REAL NOT NULL
);

CREATE INDEX IF NOT EXISTS activities_actor ON activities(actor, created_at);
"""


async def document(db: Connection, activity_id: str) -> dict[str, Any] | None:
    async with db.execute("SELECT document FROM activities WHERE id = ?", (activity_id,)) as cur:
        row = await cur.fetchone()
    return json.loads(row[0]) if row else None


async def document_of_type(db: Connection, activity_id: str | None, type_: str) -> Any:
    """The activity's document if it is one of this type (a Join answered), else None."""
    async with db.execute(
        "SELECT document FROM activities WHERE id = ? AND type = ?", (activity_id, type_)
    ) as cur:
        row = await cur.fetchone()
    return json.loads(row[0]) if row else None


async def local(db: Connection, activity_id: str | None) -> sqlite3.Row | None:
    """One of this node's own activities: its `actor` and `document`."""
    async with db.execute(
        "SELECT actor, document FROM activities WHERE id = ? AND local = 1", (activity_id,)
    ) as cur:
        return await cur.fetchone()


async def record(
    db: Connection,
    activity: dict[str, Any],
    type_: str | None,
    actor: str,
    object_id: str | None,
    at: float,
    *,
    local: bool,
    text: str | None = None,
) -> None:
    """An activity this node mints (`local`: its id is new, a second one is an error) or
    received (the first copy of an id is the one kept). `text`: the activity's JSON as it
    came, kept as is (what its sender signed), rather than written again."""
    insert = "INSERT" if local else "INSERT OR IGNORE"
    document = text if text is not None else json.dumps(activity)
    await db.execute(
        f"{insert} INTO activities (id, type, actor, object_id, document, local, created_at)"
        " VALUES (?,?,?,?,?,?,?)",
        (activity["id"], type_, actor, object_id, document, int(local), at),
    )


_PUBLIC_BY = "FROM activities WHERE actor = ? AND local = 1 AND " + PUBLIC_SQL


async def count_public_by(db: Connection, actor: str) -> int:
    """How many public activities the local actor published: its outbox's size."""
    return await db.integer(f"SELECT COUNT(*) {_PUBLIC_BY}", (actor,))


async def public_page_by(db: Connection, actor: str, limit: int, offset: int) -> list[str]:
    """A page of the local actor's public activities (JSON documents), newest first."""
    async with db.execute(
        f"SELECT document {_PUBLIC_BY} ORDER BY created_at DESC LIMIT ? OFFSET ?",
        (actor, limit, offset),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def by_actor(db: Connection, actor: str) -> list[dict[str, Any]]:
    """Every activity an actor made, oldest first (their data, for them to download)."""
    async with db.execute(
        "SELECT document FROM activities WHERE actor = ? ORDER BY created_at", (actor,)
    ) as cur:
        return [json.loads(r[0]) for r in await cur.fetchall()]


async def joins_by(db: Connection, actor: str) -> list[dict[str, Any]]:
    """The Joins an actor sent, oldest first."""
    async with db.execute(
        "SELECT document FROM activities WHERE actor = ? AND type = 'Join' ORDER BY created_at",
        (actor,),
    ) as cur:
        return [json.loads(r[0]) for r in await cur.fetchall()]


async def forget_actor(db: Connection, actor: str, keep: str) -> int:
    """An erased actor's activities, all but `keep` (their Delete, still to be delivered)."""
    cur = await db.execute("DELETE FROM activities WHERE actor = ? AND id != ?", (actor, keep))
    return cur.rowcount


async def anonymize_mentions(db: Connection, actor: str, marker: str) -> int:
    """Others' activities that name an erased actor (a visit's `tl:visitor`, an answer
    addressed to them) name `marker` instead; the JSON string is replaced whole."""
    quoted, replacement = json.dumps(actor), json.dumps(marker)
    cur = await db.execute(
        "UPDATE activities SET document = replace(document, ?, ?),"
        " object_id = CASE WHEN object_id = ? THEN ? ELSE object_id END"
        " WHERE actor != ? AND instr(document, ?) > 0",
        (quoted, replacement, actor, marker, actor, quoted),
    )
    return cur.rowcount
