"""Applying received activities: the side effects of each type, once per activity id.

A stored `inbox_queue` row is applied in two steps. First what needs the network (fetching an
actor we must answer, taking an actor's own Update of itself); then a transaction that records
the activity, makes its side effects, fills the recipients' inboxes, queues any answer (the
`Accept` of a `Follow`) and marks the row applied. The worker takes due rows in batches, one
transaction per batch and a savepoint per activity. A crash before the commit leaves the rows
`new`, and the worker applies them again at start; nothing in the transaction is half done.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import dispatch
from ..activity import id_of, recipients, type_of
from ..actors import local
from ..audience import is_public_address
from ..config import tuning
from ..errors import FederationError, InterlieuxError
from ..outbox.publish import emit
from ..sqlite import Connection
from ..worker import Worker

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# Rows applied per transaction: enough that the commit's fsync is shared by many activities,
# few enough that a batch commits within milliseconds and the queue is read in bounded pieces.
BATCH = 100


class InboxWorker(Worker):
    """Applies stored activities in the order they arrived, a batch per transaction."""

    name = "inbox-worker"

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        retry_delay = tuning("inbox_retry", 2.0)  # also picks up rows queued by the CLI
        while True:
            self._wake.clear()
            try:
                while await self.apply_next_batch():
                    pass
            except Exception:  # the worker must outlive any one bad row or fault
                log.exception("inbox worker pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=retry_delay)

    async def apply_next_batch(self) -> int:
        """Apply up to BATCH due rows; how many there were (0: nothing due)."""
        rows = await self.node.store.all(
            "SELECT * FROM inbox_queue WHERE state = 'new' AND next_attempt_at <= ?"
            " ORDER BY received_at LIMIT ?",
            (time.time(), BATCH),
        )
        if rows:
            await apply_batch(self.node, rows)
        return len(rows)


@dataclass(frozen=True)
class _Ready:
    """A queued row whose network work is done: only the transaction is left."""

    row: Any
    activity: dict[str, Any]
    sender_followers: str | None


async def apply_batch(node: Node, rows: list[Any]) -> None:
    """Apply queued rows: the network work of each first, then one transaction for all.

    One commit (one fsync, one thread hop) per batch instead of per activity is what lets the
    worker keep up with the inbox. Each activity runs inside its own savepoint, so one that
    fails is rolled back alone and set aside with its reason; the others still commit.
    """
    ready: list[_Ready] = []
    failed: list[tuple[Any, BaseException]] = []
    for row in rows:
        activity = json.loads(row["document"])
        try:
            ready.append(_Ready(row, activity, await _before(node, activity)))
        except Exception as exc:
            failed.append((row, exc))
    async with node.store.write() as db:
        for item in ready:
            await db.execute("SAVEPOINT activity")
            try:
                await _apply_in(db, node, item.activity, item.row["target"],
                                item.sender_followers)  # fmt: skip
            except Exception as exc:
                await db.execute("ROLLBACK TO activity")
                failed.append((item.row, exc))
            await db.execute("RELEASE activity")
        for row, error in failed:
            await _set_aside(db, row, error)
    # Handlers may have queued answers (an Accept) or an outbox to read: let the workers look.
    node.delivery.wake()
    node.inbox_worker.wake()
    node.backfill.wake()


async def _set_aside(db: Connection, row: Any, exc: BaseException) -> None:
    # A fetch can fail for a while (the sender's server busy): keep the row and retry; a row
    # that keeps failing is set aside with its reason, never dropped silently.
    retry = isinstance(exc, FederationError) and row["attempts"] + 1 < MAX_ATTEMPTS
    reason = exc.log if isinstance(exc, InterlieuxError) else repr(exc)
    log.warning("applying %s failed: %s", row["activity_id"], reason)
    await db.execute(
        "UPDATE inbox_queue SET attempts = attempts + 1, last_error = ?,"
        " state = ?, next_attempt_at = ? WHERE activity_id = ?",
        (
            reason,
            "new" if retry else "failed",
            time.time() + 15 * 2 ** row["attempts"],
            row["activity_id"],
        ),
    )


async def _before(node: Node, activity: dict[str, Any]) -> str | None:
    """What needs the network, before the transaction: an actor's own Update of itself is
    taken (key rotation, new inbox, new name); the sender's followers collection is known."""
    actor = str(id_of(activity["actor"]))
    obj = activity.get("object")
    if type_of(activity) == "Update" and id_of(obj) == actor and isinstance(obj, dict):
        await node.directory.update_from(obj)
    if node.config.is_local(actor):
        return f"{actor}/followers"
    sender = await node.directory.cached(actor)
    return sender.followers if sender else None


async def _apply_in(
    db: Connection,
    node: Node,
    activity: dict[str, Any],
    target: str | None,
    sender_followers: str | None,
) -> None:
    """The transaction's part: record, side effects, recipients' inboxes, the row applied."""
    kind = type_of(activity)
    actor = str(id_of(activity["actor"]))
    obj = activity.get("object")
    obj_id = id_of(obj)
    if await _state_of(db, activity["id"]) == "applied":
        return
    now = time.time()
    await db.execute(
        "INSERT OR IGNORE INTO activities (id, type, actor, object_id, document, local,"
        " created_at) VALUES (?,?,?,?,?,0,?)",
        (activity["id"], kind, actor, obj_id, json.dumps(activity), now),
    )
    owners = await _local_recipients(db, node, activity, target, sender_followers)
    handler = _HANDLERS.get(kind or "")
    if handler is not None:
        await handler(db, node, Received(activity, actor, obj, obj_id))
    await dispatch.received(db, node, activity)
    for owner in owners:
        await db.execute(
            "INSERT OR IGNORE INTO inbox_items (owner, activity_id, received_at) VALUES (?,?,?)",
            (owner, activity["id"], now),
        )
    await db.execute(
        "UPDATE inbox_queue SET state = 'applied', last_error = NULL WHERE activity_id = ?",
        (activity["id"],),
    )


async def enqueue(db: Connection, activity: dict[str, Any], received_at: float) -> None:
    """Queue an activity that came otherwise than by a signed POST: read from a followed
    place's outbox, where its origin vouched for it. Queued once per id, like a delivery."""
    await db.execute(
        "INSERT OR IGNORE INTO inbox_queue (activity_id, document, received_at) VALUES (?,?,?)",
        (activity["id"], json.dumps(activity), received_at),
    )


@dataclass(frozen=True)
class Received:
    activity: dict[str, Any]
    actor: str
    obj: Any  # the object as sent: an id string or an embedded document
    obj_id: str | None


def _follow_reference(follow: dict[str, Any]) -> dict[str, Any]:
    # Embed the Follow: Mastodon matches it by id, others by (actor, object).
    return {
        "id": follow["id"],
        "type": "Follow",
        "actor": id_of(follow["actor"]),
        "object": id_of(follow["object"]),
    }


async def _state_of(db: Connection, activity_id: str) -> str | None:
    async with db.execute(
        "SELECT state FROM inbox_queue WHERE activity_id = ?", (activity_id,)
    ) as cur:
        row = await cur.fetchone()
    return row[0] if row else None


async def _local_recipients(
    db: Connection,
    node: Node,
    activity: dict[str, Any],
    target: str | None,
    sender_followers: str | None,
) -> set[str]:
    """Which local actors see this activity in their inbox."""
    owners: set[str] = set()
    if target:
        owners.add(target)
    addressed = recipients(activity)
    obj = activity.get("object")
    if isinstance(obj, dict):
        addressed += recipients(obj)
    obj_id = id_of(obj)
    if obj_id and node.config.is_local(obj_id):
        addressed.append(obj_id)  # a Follow, Like or Announce of a local actor or object
    for ref in addressed:
        if node.config.is_local(ref):
            async with db.execute("SELECT handle FROM local_actors WHERE id = ?", (ref,)) as cur:
                row = await cur.fetchone()
            if row:
                owners.add(row[0])
    public = any(map(is_public_address, addressed))
    if public or (sender_followers and sender_followers in addressed):
        async with db.execute(
            "SELECT a.handle FROM follows f JOIN local_actors a ON a.id = f.follower"
            " WHERE f.followee = ? AND f.state = 'accepted'",
            (id_of(activity["actor"]),),
        ) as cur:
            owners.update(r[0] for r in await cur.fetchall())
    # The sender does not receive its own activity.
    async with db.execute(
        "SELECT handle FROM local_actors WHERE id = ?", (id_of(activity["actor"]),)
    ) as cur:
        sender = await cur.fetchone()
    owners.discard(sender[0] if sender else "")
    return owners


async def _on_follow(db: Connection, node: Node, r: Received) -> None:
    async with db.execute(
        "SELECT manually_approves FROM local_actors WHERE id = ?", (r.obj_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return  # a Follow of someone not on this node: nothing to record
    manual = bool(row[0])
    state = "pending" if manual else "accepted"
    await db.execute(
        "INSERT INTO follows (follower, followee, activity_id, state, created_at)"
        " VALUES (?,?,?,?,?) ON CONFLICT(follower, followee) DO UPDATE SET"
        " activity_id = excluded.activity_id,"
        " state = CASE WHEN follows.state = 'accepted' THEN 'accepted' ELSE excluded.state END",
        (r.actor, r.obj_id, r.activity["id"], state, time.time()),
    )
    if not manual:
        followee = await local.by_id(node.store, str(r.obj_id))
        assert followee is not None
        accept = {"type": "Accept", "actor": followee.id,
                  "object": _follow_reference(r.activity), "to": [r.actor]}  # fmt: skip
        await emit(db, node, followee, accept)


async def _find_follow(db: Connection, r: Received) -> Any:
    """The Follow an Accept/Reject answers: by id, or by (actor, object) when embedded.

    Only a Follow of the answering actor itself: nobody accepts a follow on another's behalf.
    """
    async with db.execute(
        "SELECT * FROM follows WHERE activity_id = ? AND followee = ?", (r.obj_id, r.actor)
    ) as cur:
        row = await cur.fetchone()
    if row is None and isinstance(r.obj, dict) and id_of(r.obj.get("object")) == r.actor:
        async with db.execute(
            "SELECT * FROM follows WHERE follower = ? AND followee = ?",
            (id_of(r.obj.get("actor")), r.actor),
        ) as cur:
            row = await cur.fetchone()
    return row


async def _on_accept(db: Connection, node: Node, r: Received) -> None:
    row = await _find_follow(db, r)
    if row is not None:
        await db.execute(
            "UPDATE follows SET state = 'accepted' WHERE follower = ? AND followee = ?",
            (row["follower"], row["followee"]),
        )


async def _on_reject(db: Connection, node: Node, r: Received) -> None:
    row = await _find_follow(db, r)
    if row is not None:
        await db.execute(
            "DELETE FROM follows WHERE follower = ? AND followee = ?",
            (row["follower"], row["followee"]),
        )


async def _on_undo(db: Connection, node: Node, r: Received) -> None:
    inner_type = type_of(r.obj)
    if inner_type is None:
        async with db.execute("SELECT type FROM activities WHERE id = ?", (r.obj_id,)) as cur:
            row = await cur.fetchone()
        inner_type = row[0] if row else None
    if inner_type == "Follow" or inner_type is None:
        followee = id_of(r.obj.get("object")) if isinstance(r.obj, dict) else None
        await db.execute(
            "DELETE FROM follows WHERE follower = ? AND (activity_id = ? OR followee = ?)",
            (r.actor, r.obj_id, followee),
        )
    if inner_type in ("Like", "Announce") or inner_type is None:
        await db.execute(
            "DELETE FROM reactions WHERE activity_id = ? AND actor = ?", (r.obj_id, r.actor)
        )


async def _on_create(db: Connection, node: Node, r: Received) -> None:
    now = time.time()
    await db.execute(
        "INSERT OR IGNORE INTO objects (id, type, attributed_to, document, local, created_at,"
        " updated_at) VALUES (?,?,?,?,0,?,?)",
        (r.obj_id, type_of(r.obj), r.actor, json.dumps(r.obj), now, now),
    )


async def _on_update(db: Connection, node: Node, r: Received) -> None:
    if r.obj_id == r.actor or not isinstance(r.obj, dict):
        return  # an actor's Update of itself was taken before the transaction
    now = time.time()
    await db.execute(
        "INSERT INTO objects (id, type, attributed_to, document, local, created_at, updated_at)"
        " VALUES (?,?,?,?,0,?,?) ON CONFLICT(id) DO UPDATE SET document = excluded.document,"
        " type = excluded.type, updated_at = excluded.updated_at"
        " WHERE objects.attributed_to = excluded.attributed_to AND objects.deleted_at IS NULL",
        (r.obj_id, type_of(r.obj), r.actor, json.dumps(r.obj), now, now),
    )


async def _on_delete(db: Connection, node: Node, r: Received) -> None:
    now = time.time()
    if r.obj_id == r.actor:
        node.directory.drop_keys_of(r.actor)
        await db.execute(
            "DELETE FROM follows WHERE follower = ? OR followee = ?", (r.actor, r.actor)
        )
        await db.execute("DELETE FROM remote_actors WHERE id = ?", (r.actor,))
        return
    async with db.execute(
        "SELECT type FROM objects WHERE id = ? AND attributed_to = ?", (r.obj_id, r.actor)
    ) as cur:
        row = await cur.fetchone()
    tombstone = {
        "id": r.obj_id,
        "type": "Tombstone",
        "formerType": row[0] if row else type_of(r.obj),
        "deleted": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
    }
    # Keep a tombstone even for an object we never saw: a late Create must not resurrect it.
    await db.execute(
        "INSERT INTO objects (id, type, attributed_to, document, local, created_at, updated_at,"
        " deleted_at) VALUES (?, 'Tombstone', ?, ?, 0, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
        " type = 'Tombstone', document = excluded.document, updated_at = excluded.updated_at,"
        " deleted_at = excluded.deleted_at WHERE objects.attributed_to = excluded.attributed_to",
        (r.obj_id, r.actor, json.dumps(tombstone), now, now, now),
    )


async def _on_reaction(db: Connection, node: Node, r: Received) -> None:
    await db.execute(
        "INSERT OR IGNORE INTO reactions (activity_id, type, actor, object_id) VALUES (?,?,?,?)",
        (r.activity["id"], type_of(r.activity), r.actor, r.obj_id),
    )


_HANDLERS = {
    "Follow": _on_follow,
    "Accept": _on_accept,
    "Reject": _on_reject,
    "Undo": _on_undo,
    "Create": _on_create,
    "Update": _on_update,
    "Delete": _on_delete,
    "Like": _on_reaction,
    "Announce": _on_reaction,
}
