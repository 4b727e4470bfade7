"""Applying received activities, once per activity id: the side effects of each type are the
routing table's (`node.routing`, built by `app.py` from the domains' routes).

A stored `inbox_queue` row is applied in two steps. First what needs the network (fetching an
actor we must answer, taking an actor's own Update of itself); then a transaction that records
the activity, makes its side effects, fills the recipients' inboxes, queues any answer (the
`Accept` of a `Follow`) and marks the row applied. The worker takes due rows in batches, one
transaction per batch and a savepoint per activity. A crash before the commit leaves the rows
`new`, and the worker applies them again at start; nothing in the transaction is half done.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..activity import id_of, recipients, type_of
from ..actors.local import followers_collection
from ..audience import is_public_address
from ..config import tuning
from ..errors import FederationError, InterlieuxError
from ..sqlite import Connection
from ..tables import activities, follows, inbox_items, inbox_queue, local_actors
from ..worker import QueueWorker

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# Rows applied per transaction: enough that the commit's fsync is shared by many activities,
# few enough that a batch commits within milliseconds and the queue is read in bounded pieces.
BATCH = 100


class InboxWorker(QueueWorker):
    """Applies stored activities in the order they arrived, a batch per transaction."""

    name = "inbox-worker"

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self.poll = tuning("inbox_retry", 2.0)
        # 10 ms: nothing waits on an activity's effects that closely (its sender has its 202),
        # and at a thousand activities a second a batch then holds about ten.
        self.gather = tuning("inbox_gather", 0.01)

    async def work(self) -> bool:
        return await self.apply_next_batch() > 0

    async def apply_next_batch(self) -> int:
        """Apply up to BATCH due rows; how many there were (0: nothing due)."""
        rows = await inbox_queue.take_batch(self.node.store.reads, time.time(), BATCH)
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
    taken: list[tuple[Any, dict[str, Any]]] = []
    failed: list[tuple[Any, BaseException]] = []
    for row in rows:
        activity = json.loads(row["document"])
        try:
            await _before(node, activity)
        except Exception as exc:
            failed.append((row, exc))
        else:
            taken.append((row, activity))
    followers = await _followers_collections(node, [activity for _, activity in taken])
    ready = [
        _Ready(row, activity, followers.get(str(id_of(activity["actor"]))))
        for row, activity in taken
    ]
    async with node.store.write() as db:
        for item in ready:
            try:
                async with db.savepoint("activity"):
                    await _apply_in(db, node, item)
            except Exception as exc:
                failed.append((item.row, exc))
        for row, error in failed:
            await _set_aside(db, row, error)


async def _set_aside(db: Connection, row: Any, exc: BaseException) -> None:
    # A fetch can fail for a while (the sender's server busy): keep the row and retry; a row
    # that keeps failing is set aside with its reason, never dropped silently.
    retry = isinstance(exc, FederationError) and row["attempts"] + 1 < MAX_ATTEMPTS
    reason = exc.log if isinstance(exc, InterlieuxError) else repr(exc)
    log.warning("applying %s failed: %s", row["activity_id"], reason)
    await inbox_queue.attempt_failed(
        db, row["activity_id"], reason,
        retry=retry, next_attempt_at=time.time() + 15 * 2 ** row["attempts"],
    )  # fmt: skip


async def _before(node: Node, activity: dict[str, Any]) -> None:
    """What needs the network, before the transaction: an actor's own Update of itself is
    taken (key rotation, new inbox, new name)."""
    actor = str(id_of(activity["actor"]))
    obj = activity.get("object")
    if type_of(activity) == "Update" and id_of(obj) == actor and isinstance(obj, dict):
        await node.directory.update_from(obj)


async def _followers_collections(node: Node, batch: list[dict[str, Any]]) -> dict[str, str]:
    """The senders' followers collections (what "to their followers" means), one read for
    the batch: ours are known by their address, the others' from their stored documents."""
    senders = {str(id_of(activity["actor"])) for activity in batch}
    local = {actor: followers_collection(actor) for actor in senders if node.config.is_local(actor)}
    return {**await node.directory.followers_collections(senders - local.keys()), **local}


async def _apply_in(db: Connection, node: Node, item: _Ready) -> None:
    """The transaction's part: record, side effects, recipients' inboxes, the row applied."""
    activity = item.activity
    kind = type_of(activity)
    actor = str(id_of(activity["actor"]))
    obj_id = id_of(activity.get("object"))
    # Marked first: a row that another batch applied meanwhile is left as it is. Inside the
    # activity's savepoint, so a failure below leaves the row new.
    if not await inbox_queue.mark_applied(db, activity["id"]):
        return
    now = time.time()
    # Recorded as it came: for a signed POST, the body its sender signed.
    await activities.record(
        db, activity, kind, actor, obj_id, now, local=False, text=item.row["document"]
    )
    owners = await _local_recipients(db, node, activity, item.row["target"], item.sender_followers)
    # The core's effects first (follows, reactions, objects), then the domains', as the
    # routing table lists them.
    await node.routing.received(db, node, activity)
    for owner in owners:
        await inbox_items.add(db, owner, activity["id"], now)


async def enqueue(db: Connection, activity: dict[str, Any], received_at: float) -> None:
    """Queue an activity that came otherwise than by a signed POST: read from a followed
    place's outbox, where its origin vouched for it. Queued once per id, like a delivery."""
    await inbox_queue.enqueue_vouched(db, activity["id"], json.dumps(activity), received_at)


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
    sender = str(id_of(activity["actor"]))
    local = [ref for ref in (*addressed, sender) if node.config.is_local(ref)]
    handles = await local_actors.handles_among(db, local)  # one query for all of them
    owners.update(handles[ref] for ref in addressed if ref in handles)
    public = any(map(is_public_address, addressed))
    if public or (sender_followers and sender_followers in addressed):
        owners.update(await follows.local_follower_handles(db, sender))
    # The sender does not receive its own activity.
    owners.discard(handles.get(sender, ""))
    return owners
