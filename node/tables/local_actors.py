"""The `local_actors` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..sqlite import Connection, in_lists

SCHEMA = """
-- Actors that live on this node: the place and its members, with their private keys.
CREATE TABLE IF NOT EXISTS local_actors (
    handle TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,                -- Organization (the place) or Person (a member)
    name TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    manually_approves INTEGER NOT NULL DEFAULT 0,
    rsa_private_pem TEXT NOT NULL,
    ed25519_private_pem TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""


async def by_handle(db: Connection, handle: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM local_actors WHERE handle = ?", (handle,)) as cur:
        return await cur.fetchone()


async def by_id(db: Connection, actor_id: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM local_actors WHERE id = ?", (actor_id,)) as cur:
        return await cur.fetchone()


async def listing(db: Connection) -> list[sqlite3.Row]:
    """Every local actor, oldest first (the place, then its members as they were added)."""
    async with db.execute("SELECT * FROM local_actors ORDER BY created_at") as cur:
        return await cur.fetchall()


async def exists(db: Connection, handle: str) -> bool:
    async with db.execute("SELECT 1 FROM local_actors WHERE handle = ?", (handle,)) as cur:
        return await cur.fetchone() is not None


async def add(
    db: Connection,
    *,
    handle: str,
    actor_id: str,
    type_: str,
    name: str,
    summary: str,
    manually_approves: bool,
    rsa_private_pem: str,
    ed25519_private_pem: str,
    created_at: float,
) -> None:
    await db.execute(
        "INSERT INTO local_actors (handle, id, type, name, summary, manually_approves,"
        " rsa_private_pem, ed25519_private_pem, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (handle, actor_id, type_, name, summary, int(manually_approves),
         rsa_private_pem, ed25519_private_pem, created_at),
    )  # fmt: skip


async def replace_keys(
    db: Connection, handle: str, rsa_private_pem: str, ed25519_private_pem: str
) -> None:
    await db.execute(
        "UPDATE local_actors SET rsa_private_pem = ?, ed25519_private_pem = ? WHERE handle = ?",
        (rsa_private_pem, ed25519_private_pem, handle),
    )


async def count(db: Connection) -> int:
    return await db.integer("SELECT COUNT(*) FROM local_actors")


async def ids(db: Connection) -> set[str]:
    async with db.execute("SELECT id FROM local_actors") as cur:
        return {r[0] for r in await cur.fetchall()}


async def handle_of(db: Connection, actor_id: str | None) -> str | None:
    """The handle of a local actor by its id; None when the id is no local actor's."""
    async with db.execute("SELECT handle FROM local_actors WHERE id = ?", (actor_id,)) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None


async def manually_approves(db: Connection, actor_id: str | None) -> bool | None:
    """Whether the local actor answers follow requests itself; None when it is not local."""
    async with db.execute(
        "SELECT manually_approves FROM local_actors WHERE id = ?", (actor_id,)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else bool(row[0])


async def place_handle(db: Connection) -> str | None:
    """The handle of the node's place (its one Organization), if it has been created."""
    async with db.execute("SELECT handle FROM local_actors WHERE type = 'Organization'") as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None


async def place_id(db: Connection) -> str | None:
    """The actor id of the node's place (its one Organization), if it has been created."""
    async with db.execute("SELECT id FROM local_actors WHERE type = 'Organization'") as cur:
        row = await cur.fetchone()
    return str(row[0]) if row else None


async def is_place(db: Connection, actor_id: str | None) -> bool:
    async with db.execute(
        "SELECT 1 FROM local_actors WHERE id = ? AND type = 'Organization'", (actor_id,)
    ) as cur:
        return await cur.fetchone() is not None


async def ids_among(db: Connection, refs: Iterable[str]) -> set[str]:
    """Which of `refs` are ids of local actors."""
    return set(await handles_among(db, refs))


async def handles_among(db: Connection, refs: Iterable[str]) -> dict[str, str]:
    """The local actors among `refs`: id -> handle, in one query."""
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    async with db.execute(
        f"SELECT id, handle FROM local_actors WHERE id IN ({marks})", wanted
    ) as cur:
        return {row[0]: row[1] for row in await cur.fetchall()}


async def names_among(db: Connection, refs: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The local actors among `refs`: id -> (name, handle), one query per `in_lists` group."""
    found: dict[str, tuple[str, str]] = {}
    for group, marks in in_lists(refs):
        async with db.execute(
            f"SELECT id, name, handle FROM local_actors WHERE id IN ({marks})", group
        ) as cur:
            found.update({row[0]: (row[1], row[2]) for row in await cur.fetchall()})
    return found


async def describe(db: Connection, handle: str, name: str, summary: str) -> None:
    """A member's new name and presentation, as their actor document shows them."""
    await db.execute(
        "UPDATE local_actors SET name = ?, summary = ? WHERE handle = ?", (name, summary, handle)
    )


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def erase(db: Connection, handle: str) -> bool:
    """A member's actor becomes a tombstone: no name, no summary, type `Tombstone` (served
    410 Gone). The row and its keys stay: the Delete sent to the network is signed with them
    while its deliveries are retried, and the id is never given to someone else."""
    cur = await db.execute(
        "UPDATE local_actors SET type = 'Tombstone', name = '', summary = '',"
        " manually_approves = 1 WHERE handle = ? AND type = 'Person'",
        (handle,),
    )
    return cur.rowcount > 0
