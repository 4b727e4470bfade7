"""The `projects` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3
import time

from ..sqlite import Connection

SCHEMA = """
-- Projects a member of this node submits to the place: each waits for the place's team
-- (`pending`); accepted, it is published as the member's `tl:Project` (`published`, with the
-- object's id); refused, the team's reason is kept for the member to read (`refused`).
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL,                -- the member who carries it
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',       -- the project's own site, or ''
    state TEXT NOT NULL,                 -- pending | published | refused
    reason TEXT NOT NULL DEFAULT '',     -- why the team refused it, shown to the member
    object_id TEXT,                      -- the published tl:Project
    decided_by TEXT,                     -- handle of the team member who decided
    created_at REAL NOT NULL,
    decided_at REAL
);
CREATE INDEX IF NOT EXISTS projects_by_state ON projects (state, created_at);
CREATE INDEX IF NOT EXISTS projects_by_handle ON projects (handle, created_at);
"""


async def submit(db: Connection, handle: str, title: str, description: str, link: str) -> int:
    """A new project waiting for the team; its number."""
    cur = await db.execute(
        "INSERT INTO projects (handle, title, description, link, state, created_at)"
        " VALUES (?,?,?,?,'pending',?)",
        (handle, title, description, link, time.time()),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def find(db: Connection, project: int) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM projects WHERE id = ?", (project,)) as cur:
        return await cur.fetchone()


async def of_member(db: Connection, handle: str) -> list[sqlite3.Row]:
    """The member's projects, newest first, whatever their state."""
    async with db.execute(
        "SELECT * FROM projects WHERE handle = ? ORDER BY created_at DESC, id DESC", (handle,)
    ) as cur:
        return await cur.fetchall()


async def pending(db: Connection, limit: int) -> list[sqlite3.Row]:
    """Projects waiting for the team, oldest first (the validation queue)."""
    async with db.execute(
        "SELECT * FROM projects WHERE state = 'pending' ORDER BY created_at, id LIMIT ?",
        (limit,),
    ) as cur:
        return await cur.fetchall()


async def published(db: Connection, limit: int) -> list[sqlite3.Row]:
    """The projects published so far, most recently accepted first."""
    async with db.execute(
        "SELECT * FROM projects WHERE state = 'published' AND object_id IS NOT NULL"
        " ORDER BY decided_at DESC, id DESC LIMIT ?",
        (limit,),
    ) as cur:
        return await cur.fetchall()


async def pending_count(db: Connection) -> int:
    return await db.integer("SELECT COUNT(*) FROM projects WHERE state = 'pending'")


async def publish(db: Connection, project: int, object_id: str, decided_by: str) -> bool:
    """Mark a pending project published as `object_id`; False when it was no longer pending
    (another team member decided first), and nothing changes."""
    cur = await db.execute(
        "UPDATE projects SET state = 'published', object_id = ?, decided_by = ?,"
        " decided_at = ? WHERE id = ? AND state = 'pending'",
        (object_id, decided_by, time.time(), project),
    )
    return cur.rowcount > 0


async def refuse(db: Connection, project: int, reason: str, decided_by: str) -> bool:
    """Mark a pending project refused with the team's reason; False when no longer pending."""
    cur = await db.execute(
        "UPDATE projects SET state = 'refused', reason = ?, decided_by = ?, decided_at = ?"
        " WHERE id = ? AND state = 'pending'",
        (reason, decided_by, time.time(), project),
    )
    return cur.rowcount > 0


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def forget_handle(db: Connection, handle: str) -> int:
    """An erased member's projects (a published one is their object: a tombstone already)."""
    cur = await db.execute("DELETE FROM projects WHERE handle = ?", (handle,))
    return cur.rowcount
