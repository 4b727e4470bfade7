"""The `project_interests` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..sqlite import Connection

SCHEMA = """
-- People interested in a project (`directory.interests`): a `Follow` of the project, kept at
-- both ends — the person's home (their own interests) and the project's home (whom it
-- introduces). A member here interested in a project of this node is one row for both.
CREATE TABLE IF NOT EXISTS project_interests (
    project TEXT NOT NULL,               -- the tl:Project's id
    actor TEXT NOT NULL,                 -- who is interested (a member here, or elsewhere)
    follow_id TEXT NOT NULL,             -- the Follow that says it: its Undo names it
    introduce INTEGER NOT NULL DEFAULT 0, -- 1: they agreed to be introduced (opt-in)
    said_at REAL NOT NULL,               -- the Follow's own time: an older one arriving late
                                         -- (deliveries are retried apart) changes nothing
    name TEXT NOT NULL DEFAULT '',       -- the project's name when it was said, for the page
    introduced TEXT,                     -- at the home of a member interested in another
                                         -- node's project: whom that home introduced (JSON)
    introduced_at REAL,                  -- that introduction's time: only a newer replaces it
    PRIMARY KEY (project, actor)
);
CREATE INDEX IF NOT EXISTS project_interests_by_actor ON project_interests (actor);
CREATE INDEX IF NOT EXISTS project_interests_by_follow ON project_interests (follow_id);
"""


async def say(
    db: Connection,
    project: str,
    actor: str,
    follow_id: str,
    introduce: bool,
    said_at: float,
    name: str,
) -> bool:
    """The interest, new or said again; False (nothing changed) when a newer one is kept.
    Withdrawing the opt-in forgets the introduction kept with it."""
    cur = await db.execute(
        "INSERT INTO project_interests (project, actor, follow_id, introduce, said_at, name)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT(project, actor) DO UPDATE SET"
        " follow_id = excluded.follow_id, introduce = excluded.introduce,"
        " said_at = excluded.said_at,"
        " name = CASE WHEN excluded.name = '' THEN project_interests.name ELSE excluded.name END,"
        " introduced = CASE WHEN excluded.introduce THEN introduced END,"
        " introduced_at = CASE WHEN excluded.introduce THEN introduced_at END"
        " WHERE excluded.said_at >= project_interests.said_at",
        (project, actor, follow_id, int(introduce), said_at, name),
    )
    return cur.rowcount > 0


async def find(db: Connection, project: str, actor: str) -> sqlite3.Row | None:
    async with db.execute(
        "SELECT * FROM project_interests WHERE project = ? AND actor = ?", (project, actor)
    ) as cur:
        return await cur.fetchone()


async def by_follow(db: Connection, follow_id: str) -> sqlite3.Row | None:
    """The interest a Follow said, if it is still the one kept."""
    async with db.execute(
        "SELECT * FROM project_interests WHERE follow_id = ?", (follow_id,)
    ) as cur:
        return await cur.fetchone()


async def withdraw(db: Connection, project: str, actor: str) -> bool:
    cur = await db.execute(
        "DELETE FROM project_interests WHERE project = ? AND actor = ?", (project, actor)
    )
    return cur.rowcount > 0


async def of_actor(db: Connection, actor: str) -> list[sqlite3.Row]:
    """One person's interests, newest first."""
    async with db.execute(
        "SELECT * FROM project_interests WHERE actor = ? ORDER BY said_at DESC", (actor,)
    ) as cur:
        return await cur.fetchall()


async def of_project(db: Connection, project: str) -> list[sqlite3.Row]:
    """Everyone interested in one project, first said first."""
    async with db.execute(
        "SELECT * FROM project_interests WHERE project = ? ORDER BY said_at, actor", (project,)
    ) as cur:
        return await cur.fetchall()


async def opted_in(db: Connection, project: str) -> list[str]:
    """Who agreed to be introduced for one project, first said first."""
    async with db.execute(
        "SELECT actor FROM project_interests WHERE project = ? AND introduce = 1"
        " ORDER BY said_at, actor",
        (project,),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def counts(db: Connection, projects: Iterable[str]) -> dict[str, tuple[int, list[str]]]:
    """Per project of `projects`: how many are interested, and who of them opted in."""
    wanted = list(dict.fromkeys(projects))
    found: dict[str, tuple[int, list[str]]] = {p: (0, []) for p in wanted}
    if not wanted:
        return found
    marks = ",".join("?" * len(wanted))
    async with db.execute(
        f"SELECT project, actor, introduce FROM project_interests WHERE project IN ({marks})"
        " ORDER BY said_at, actor",
        wanted,
    ) as cur:
        for project, actor, introduce in await cur.fetchall():
            count, named = found[project]
            found[project] = (count + 1, [*named, actor] if introduce else named)
    return found


async def introduced(db: Connection, project: str, actor: str, people: str, at: float) -> bool:
    """Keep what the project's home introduced `actor` to, while they are opted in and when
    it is newer than what is kept."""
    cur = await db.execute(
        "UPDATE project_interests SET introduced = ?, introduced_at = ?"
        " WHERE project = ? AND actor = ? AND introduce = 1"
        " AND (introduced_at IS NULL OR introduced_at <= ?)",
        (people, at, project, actor, at),
    )
    return cur.rowcount > 0


async def forget_project(db: Connection, project: str) -> list[sqlite3.Row]:
    """A project gone: its interests, removed; the rows they were."""
    async with db.execute(
        "DELETE FROM project_interests WHERE project = ? RETURNING *", (project,)
    ) as cur:
        return await cur.fetchall()


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def forget_actor(db: Connection, actor: str) -> list[str]:
    """An erased person's interests, removed; the projects they were in."""
    async with db.execute(
        "DELETE FROM project_interests WHERE actor = ? RETURNING project", (actor,)
    ) as cur:
        return [r[0] for r in await cur.fetchall()]
