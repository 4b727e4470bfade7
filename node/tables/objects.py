"""The `objects` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..sqlite import Connection
from .public import PUBLIC_SQL


def _julian(field: str) -> str:
    # A document's time as SQL reads it for the indexes below: julianday() brings a time-zone
    # offset to UTC and takes a time without one as UTC, as `timestamps.wire_to_datetime` does
    # (an offset written `+0100`, without its colon, reads as NULL here). Only text that starts
    # as a date reaches it: `now` would make it non-deterministic, which SQLite refuses in an
    # index when the row is written.
    path = f"json_extract(document, '$.{field}')"
    return f"julianday(CASE WHEN {path} GLOB '[0-9][0-9][0-9][0-9]-*' THEN {path} END)"


# An event's start and end (its start when it has none), a need's due date (after any date when
# it has none) and status (`open` when it has none), as the indexes hold them: a query must
# write the same expression to use them.
_START = _julian("startTime")
_END = f"COALESCE({_julian('endTime')}, {_START})"
_DUE = f"COALESCE({_julian('due')}, 9e9)"
_STATUS = "COALESCE(json_extract(document, '$.status'), 'open')"
_CATEGORY = "json_extract(document, '$.category')"
# What an object answers: the need or project a reply (`inReplyTo`) or a pledge (`funds`)
# names, by id or embedded with its id.
_ANSWERED = "COALESCE(json_extract(document, '$.{0}.id'), json_extract(document, '$.{0}'))"
_ANSWERS = f"COALESCE({_ANSWERED.format('inReplyTo')}, {_ANSWERED.format('funds')})"

SCHEMA = f"""
-- Objects (notes, events, …) by id; a deleted one keeps its row as a Tombstone.
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    attributed_to TEXT,
    document TEXT NOT NULL,
    local INTEGER NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    deleted_at REAL
);
-- The pages read events by start time and category, open needs by due date and the answers
-- to a need by what they answer, without parsing every document (bench/pages.py).
CREATE INDEX IF NOT EXISTS objects_event_start ON objects(local, {_START})
    WHERE type = 'Event' AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS objects_event_category ON objects(local, {_CATEGORY})
    WHERE type = 'Event' AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS objects_need_due ON objects(local, {_STATUS}, {_DUE}, created_at)
    WHERE type = 'Need' AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS objects_answers ON objects({_ANSWERS}) WHERE deleted_at IS NULL;
"""


async def document(db: Connection, obj_id: str) -> dict[str, Any] | None:
    """The object's document (a Tombstone once deleted)."""
    async with db.execute("SELECT document FROM objects WHERE id = ?", (obj_id,)) as cur:
        row = await cur.fetchone()
    return json.loads(row[0]) if row else None


async def stored(db: Connection, obj_id: str) -> sqlite3.Row | None:
    """The object's `document` and whether it is `local`."""
    async with db.execute("SELECT document, local FROM objects WHERE id = ?", (obj_id,)) as cur:
        return await cur.fetchone()


async def author(db: Connection, obj_id: str | None) -> str | None:
    async with db.execute("SELECT attributed_to FROM objects WHERE id = ?", (obj_id,)) as cur:
        row = await cur.fetchone()
    return row[0] if row else None


async def local(db: Connection, obj_id: str | None) -> sqlite3.Row | None:
    """One of this node's objects, deleted or not: its `attributed_to` and `type`."""
    async with db.execute(
        "SELECT attributed_to, type FROM objects WHERE id = ? AND local = 1", (obj_id,)
    ) as cur:
        return await cur.fetchone()


async def live_local_author(db: Connection, obj_id: str | None) -> str | None:
    """The author of one of this node's objects not deleted; None for any other."""
    async with db.execute(
        "SELECT attributed_to FROM objects WHERE id = ? AND local = 1 AND deleted_at IS NULL",
        (obj_id,),
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else row[0]


async def local_event(db: Connection, event_id: str | None) -> dict[str, Any] | None:
    """One of this node's events, not deleted."""
    async with db.execute(
        "SELECT document FROM objects WHERE id = ? AND local = 1 AND type = 'Event'"
        " AND deleted_at IS NULL",
        (event_id,),
    ) as cur:
        row = await cur.fetchone()
    return json.loads(row[0]) if row else None


async def live_local(db: Connection, type_: str) -> list[dict[str, Any]]:
    """This node's objects of a type, not deleted (whoever may read them)."""
    async with db.execute(
        "SELECT document FROM objects WHERE local = 1 AND type = ? AND deleted_at IS NULL",
        (type_,),
    ) as cur:
        return [json.loads(r[0]) for r in await cur.fetchall()]


async def count_live_local(db: Connection) -> int:
    """How many objects this node published and did not delete (NodeInfo's local posts)."""
    return await db.integer("SELECT COUNT(*) FROM objects WHERE local = 1 AND deleted_at IS NULL")


_PUBLIC_LOCAL = "FROM objects WHERE local = 1 AND type = ? AND deleted_at IS NULL AND " + PUBLIC_SQL


async def count_public(db: Connection, type_: str) -> int:
    """How many public objects of a type this node published and did not delete."""
    return await db.integer(f"SELECT COUNT(*) {_PUBLIC_LOCAL}", (type_,))


async def public_page(db: Connection, type_: str, limit: int, offset: int) -> list[str]:
    """A page of this node's public objects of a type (JSON documents), newest first."""
    async with db.execute(
        f"SELECT document {_PUBLIC_LOCAL} ORDER BY created_at DESC LIMIT ? OFFSET ?",
        (type_, limit, offset),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def public_events_page(db: Connection, limit: int, offset: int) -> list[str]:
    """A page of this node's public events (JSON documents), latest start first."""
    async with db.execute(
        f"SELECT document {_PUBLIC_LOCAL}"
        " ORDER BY json_extract(document, '$.startTime') DESC LIMIT ? OFFSET ?",
        ("Event", limit, offset),
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


# Events begun more than this many days before the time asked are not looked at (the index is
# on starts): an event longer than that, begun before, is left out of what is on at that time.
EVENT_LOOK_BACK_DAYS = 30

_LIVE_EVENT = "FROM objects WHERE type = 'Event' AND deleted_at IS NULL"
_LIVE_NEED = "FROM objects WHERE type = 'Need' AND deleted_at IS NULL"
_FOLLOWED = (
    "attributed_to IN (SELECT followee FROM follows WHERE follower = ? AND state = 'accepted')"
)


def _events_on(
    columns: str, ends_after: str, starts_before: str | None, limit: int, follower: str | None
) -> tuple[str, tuple[Any, ...]]:
    """The query of `public_events_on` for these columns, and its parameters."""
    # One arm per kind of author, each read in start order from the index; SQLite merges them.
    arms = [("local = 1", ())] + ([(f"local = 0 AND {_FOLLOWED}", (follower,))] if follower else [])
    sql = " UNION ALL ".join(
        f"SELECT {columns}, {_START} AS start {_LIVE_EVENT} AND {whose}"
        f" AND {_START} >= julianday(?) - ? AND {_START} < julianday(COALESCE(?, '9999-12-31'))"
        f" AND {_END} >= julianday(?) AND {PUBLIC_SQL}"
        for whose, _ in arms
    )
    params: list[Any] = []
    for _, extra in arms:
        params += [*extra, ends_after, EVENT_LOOK_BACK_DAYS, starts_before, ends_after]
    return f"{sql} ORDER BY start LIMIT ?", (*params, limit)


async def public_events_on(
    db: Connection,
    ends_after: str,
    starts_before: str | None,
    limit: int,
    follower: str | None = None,
) -> list[sqlite3.Row]:
    """Public events not deleted, not over at `ends_after` (an ISO 8601 time) and begun before
    `starts_before` when given, soonest start first, at most `limit`: this node's, and with
    `follower`, those of the actors it follows (accepted) too. Their `document` and
    `attributed_to`. Only events begun at most EVENT_LOOK_BACK_DAYS before `ends_after`, with
    a start SQL can read, are seen."""
    sql, params = _events_on("document, attributed_to", ends_after, starts_before, limit, follower)
    async with db.execute(sql, params) as cur:
        return await cur.fetchall()


async def public_event_authors_and_categories(
    db: Connection, ends_after: str, limit: int, follower: str | None = None
) -> list[sqlite3.Row]:
    """The `attributed_to` and `category` (NULL for none) of the events `public_events_on`
    finds with no end of period, each pair once: the agenda's filters, without the documents."""
    sql, params = _events_on(
        f"attributed_to, {_CATEGORY} AS category", ends_after, None, limit, follower
    )
    async with db.execute(f"SELECT DISTINCT attributed_to, category FROM ({sql})", params) as cur:
        return await cur.fetchall()


async def public_event_categories(db: Connection) -> list[Any]:
    """The `category` of this node's public events not deleted, each value once, as written."""
    # Each value from the index alone, then one public event that has it: the public check
    # runs once per category, not once per event.
    async with db.execute(
        f"SELECT category FROM (SELECT DISTINCT {_CATEGORY} AS category {_LIVE_EVENT}"
        f" AND local = 1 AND {_CATEGORY} IS NOT NULL) AS c WHERE EXISTS (SELECT 1 {_LIVE_EVENT}"
        f" AND local = 1 AND {_CATEGORY} = c.category AND {PUBLIC_SQL})"
    ) as cur:
        return [r[0] for r in await cur.fetchall()]


async def open_public_needs(
    db: Connection,
    statuses: tuple[str, ...],
    limit: int,
    offset: int = 0,
    *,
    author: str | None = None,
    network_of: str | None = None,
) -> list[sqlite3.Row]:
    """Public needs not deleted whose `status` (`open` when they say none) is one of
    `statuses`, soonest due first (those with no due date last, then oldest first): this node's
    (`author`'s only, when given), or with `network_of` (a place's id) those of this node's
    other authors and of the actors that place follows (accepted). Their `document` and
    `attributed_to`, `limit` of them after `offset`."""
    arms: list[tuple[str, tuple[Any, ...]]] = [("local = 1", ())]
    if author is not None:
        arms = [("local = 1 AND attributed_to = ?", (author,))]
    elif network_of is not None:
        arms = [("local = 1 AND attributed_to IS NOT ?", (network_of,)),
                (f"local = 0 AND {_FOLLOWED}", (network_of,))]  # fmt: skip
    # One arm per author kind and status, each read in due order from the index, merged.
    chosen = [(whose, extra, status) for whose, extra in arms for status in statuses]
    sql = " UNION ALL ".join(
        f"SELECT document, attributed_to, {_DUE} AS due, created_at {_LIVE_NEED} AND {whose}"
        f" AND {_STATUS} = ? AND {PUBLIC_SQL}"
        for whose, _, _ in chosen
    )
    params = [value for _, extra, status in chosen for value in (*extra, status)]
    async with db.execute(
        f"{sql} ORDER BY due, created_at LIMIT ? OFFSET ?", (*params, limit, offset)
    ) as cur:
        return await cur.fetchall()


async def add_local(
    db: Connection, obj: dict[str, Any], type_: str | None, author: str, at: float
) -> None:
    """An object this node's member publishes; its id is new (a second one is an error)."""
    await db.execute(
        "INSERT INTO objects (id, type, attributed_to, document, local, created_at,"
        " updated_at) VALUES (?,?,?,?,1,?,?)",
        (obj["id"], type_, author, json.dumps(obj), at, at),
    )


async def add_received(
    db: Connection, obj: Any, obj_id: str | None, type_: str | None, author: str | None, at: float
) -> None:
    """An object received in a Create; the first copy of an id is the one kept."""
    await db.execute(
        "INSERT OR IGNORE INTO objects (id, type, attributed_to, document, local, created_at,"
        " updated_at) VALUES (?,?,?,?,0,?,?)",
        (obj_id, type_, author, json.dumps(obj), at, at),
    )


async def update_received(
    db: Connection,
    obj: dict[str, Any],
    obj_id: str | None,
    type_: str | None,
    author: str | None,
    at: float,
) -> None:
    """An object received in an Update: kept if new, else replaced, but only when it is its
    author's and not deleted."""
    await db.execute(
        "INSERT INTO objects (id, type, attributed_to, document, local, created_at, updated_at)"
        " VALUES (?,?,?,?,0,?,?) ON CONFLICT(id) DO UPDATE SET document = excluded.document,"
        " type = excluded.type, updated_at = excluded.updated_at"
        " WHERE objects.attributed_to = excluded.attributed_to AND objects.deleted_at IS NULL",
        (obj_id, type_, author, json.dumps(obj), at, at),
    )  # fmt: skip


async def set_document(
    db: Connection, obj_id: str | None, document: dict[str, Any], updated_at: float | None
) -> None:
    """Replace the object's document; `updated_at` None leaves its time of change as it was."""
    await db.execute(
        "UPDATE objects SET document = ?, updated_at = COALESCE(?, updated_at) WHERE id = ?",
        (json.dumps(document), updated_at, obj_id),
    )


async def authored(db: Connection, obj_id: str, author: str) -> sqlite3.Row | None:
    """The author's object: its `type`, `document` and `deleted_at`."""
    async with db.execute(
        "SELECT type, document, deleted_at FROM objects WHERE id = ? AND attributed_to = ?",
        (obj_id, author),
    ) as cur:
        return await cur.fetchone()


async def tombstone(
    db: Connection, obj_id: str, author: str, document: dict[str, Any], at: float
) -> None:
    """The object becomes this Tombstone (a row is made for one never seen), unless it is
    another author's."""
    await db.execute(
        "INSERT INTO objects (id, type, attributed_to, document, local, created_at, updated_at,"
        " deleted_at) VALUES (?, 'Tombstone', ?, ?, 0, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
        " type = 'Tombstone', document = excluded.document, updated_at = excluded.updated_at,"
        " deleted_at = excluded.deleted_at WHERE objects.attributed_to = excluded.attributed_to",
        (obj_id, author, json.dumps(document), at, at, at),
    )


async def drop_received(db: Connection, obj_id: Any) -> None:
    """Forget an object received (a malformed one); this node's own are never touched."""
    await db.execute("DELETE FROM objects WHERE id = ? AND local = 0", (obj_id,))


async def public_in_network(db: Connection, type_: str, follower: str) -> list[sqlite3.Row]:
    """Public objects of a type, not deleted, this node's and those of the actors `follower`
    follows (accepted): their `document`, `attributed_to` and whether they are `local` (the
    needs and pledges pages)."""
    async with db.execute(
        "SELECT document, attributed_to, local FROM objects WHERE type = ?"
        " AND deleted_at IS NULL AND (local = 1 OR attributed_to IN (SELECT followee FROM"
        f" follows WHERE follower = ? AND state = 'accepted')) AND {PUBLIC_SQL}"
        " ORDER BY created_at",
        (type_, follower),
    ) as cur:
        return await cur.fetchall()


async def public_answers(db: Connection, obj_ids: list[str]) -> list[sqlite3.Row]:
    """Public objects, not deleted, that answer one of `obj_ids`: a reply (`inReplyTo`) or a
    pledge that `funds` it, each by id or embedded with its id; their `document`,
    `attributed_to`, and `answers` (the id answered), oldest first."""
    async with db.execute(
        f"SELECT document, attributed_to, {_ANSWERS} AS answers FROM objects"
        f" WHERE deleted_at IS NULL AND {_ANSWERS} IN (SELECT value FROM json_each(?))"
        f" AND {PUBLIC_SQL} ORDER BY created_at",
        (json.dumps(obj_ids),),
    ) as cur:
        return await cur.fetchall()


# The public Notes in reply to an object, not deleted: an improvement step's comments, which
# its home lists as the step's `replies` collection (by the answers' index).
_REPLIES = (
    f"FROM objects WHERE {_ANSWERS} = ? AND type = 'Note' AND deleted_at IS NULL AND {PUBLIC_SQL}"
)


async def count_replies(db: Connection, obj_id: str) -> int:
    return await db.integer(f"SELECT COUNT(*) {_REPLIES}", (obj_id,))


async def replies_page(db: Connection, obj_id: str, limit: int, offset: int) -> list[str]:
    """A page of the replies' ids, oldest first (a conversation reads in order)."""
    async with db.execute(
        f"SELECT id {_REPLIES} ORDER BY created_at, id LIMIT ? OFFSET ?", (obj_id, limit, offset)
    ) as cur:
        return [str(r[0]) for r in await cur.fetchall()]


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def of_author(db: Connection, author: str) -> list[sqlite3.Row]:
    """An author's objects (`id`, `type`, `document`, `deleted_at`), oldest first."""
    async with db.execute(
        "SELECT id, type, document, deleted_at FROM objects WHERE attributed_to = ?"
        " ORDER BY created_at",
        (author,),
    ) as cur:
        return await cur.fetchall()


# --- a place's own votes (the team's decisions page) ---------------------------------------


async def own_votes(db: Connection, decision: str, author: str) -> list[dict[str, Any]]:
    """The votes `author` (a local place) sent on `decision`, oldest first: the last one
    sent before the close is the one its network counts."""
    async with db.execute(
        f"SELECT document FROM objects WHERE type = 'Vote' AND local = 1 AND deleted_at IS NULL"
        f" AND attributed_to = ? AND {_ANSWERED.format('inReplyTo')} = ? ORDER BY created_at, id",
        (author, decision),
    ) as cur:
        return [json.loads(r[0]) for r in await cur.fetchall()]
