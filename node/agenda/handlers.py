"""What events do: checked when posted, completed for Mastodon and Mobilizon, joined and left.

A `Join` of a local event is accepted while the event has room (`maximumAttendeeCapacity`,
0 or absent meaning no limit) and rejected, with a French reason, once it is full. The answer
is queued in the same transaction as the participant row, so a crash never leaves one without
the other.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

import aiosqlite

from vocab import shapes

from .. import dispatch
from ..activity import id_of, type_of
from ..actors import local
from ..errors import InvalidActivity
from ..outbox.publish import emit
from ..query import graph
from . import event as events

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..app import Node

log = logging.getLogger(__name__)


def refuse_if_invalid(document: Any, shape: str) -> None:
    """400 with every failing property named, in French and English."""
    violations = shapes.check(document, shape)
    if violations:
        raise InvalidActivity(
            f"{shape} shape: " + "; ".join(v.en for v in violations),
            fr=shapes.describe(violations, shape, "fr"),
            en=shapes.describe(violations, shape, "en"),
        )


@dispatch.on_validate("Create:Event")
@dispatch.on_validate("Update:Event")
async def _validate_event(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    obj = activity["object"]
    if "location" not in obj:
        # The place's own address stands in when an event is at home.
        from ..directory.place import home_location

        location = await home_location(node.store, actor)
        if location is not None:
            obj["location"] = location
    refuse_if_invalid(obj, "Event")


def complete(event: dict[str, Any], base_url: str) -> None:
    """Fill what Mobilizon and Mastodon read and a client may leave out (in place)."""
    oid = event["id"].rsplit("/", 1)[-1]
    event.setdefault("url", event["id"])
    event.setdefault("timezone", events.DEFAULT_TIMEZONE)
    event.setdefault("joinMode", "free")
    event.setdefault("mediaType", "text/html")
    event["participants"] = f"{base_url}/agenda/{oid}/participants"
    event.setdefault("participantCount", 0)
    capacity = event.get("maximumAttendeeCapacity")
    if isinstance(capacity, int) and capacity > 0:
        event.setdefault("remainingAttendeeCapacity", capacity)
    if not event.get("summary"):
        event["summary"] = events.summary_fr(event)


@dispatch.on_publish("Create:Event")
async def _published_event(
    db: aiosqlite.Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj = activity["object"]
    complete(obj, node.config.base_url)
    await graph.sync(db, obj["id"], obj, local=True)


@dispatch.on_receive("Create:Event")
@dispatch.on_receive("Update:Event")
async def _received_event(db: aiosqlite.Connection, node: Node, activity: dict[str, Any]) -> None:
    obj = activity["object"]
    violations = shapes.check(obj, "Event")
    if violations:
        # A peer's malformed event is not kept: it would break the agenda and the feeds.
        log.warning(
            "dropping event %s from %s: %s",
            obj.get("id"), id_of(activity["actor"]), "; ".join(v.en for v in violations),
        )  # fmt: skip
        await db.execute("DELETE FROM objects WHERE id = ? AND local = 0", (obj.get("id"),))
        await graph.sync(db, str(obj.get("id")), None, local=False)


async def _local_event(db: aiosqlite.Connection, event_id: str | None) -> dict[str, Any] | None:
    async with db.execute(
        "SELECT document FROM objects WHERE id = ? AND local = 1 AND type = 'Event'"
        " AND deleted_at IS NULL",
        (event_id,),
    ) as cur:
        row = await cur.fetchone()
    return json.loads(row[0]) if row else None


async def participant_count(db: aiosqlite.Connection, event_id: str) -> int:
    async with db.execute(
        "SELECT COUNT(*) FROM event_participants WHERE event_id = ?", (event_id,)
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def _store_counts(db: aiosqlite.Connection, event: dict[str, Any]) -> None:
    count = await participant_count(db, event["id"])
    event["participantCount"] = count
    capacity = event.get("maximumAttendeeCapacity")
    if isinstance(capacity, int) and capacity > 0:
        event["remainingAttendeeCapacity"] = max(capacity - count, 0)
    await db.execute(
        "UPDATE objects SET document = ?, updated_at = ? WHERE id = ?",
        (json.dumps(event), time.time(), event["id"]),
    )
    await graph.sync(db, event["id"], event, local=True)


def _join_reference(join: dict[str, Any]) -> dict[str, Any]:
    # Embedded as Mobilizon does in its Accept of a Join (see captured accept_join.json).
    return {"id": join["id"], "type": "Join", "actor": id_of(join["actor"]),
            "object": id_of(join["object"])}  # fmt: skip


@dispatch.on_receive("Join")
async def _join(db: aiosqlite.Connection, node: Node, activity: dict[str, Any]) -> None:
    event = await _local_event(db, id_of(activity.get("object")))
    if event is None:
        return  # a Join of something else (the place itself: the directory answers it)
    host = await local.by_id(node.store, str(event.get("attributedTo")))
    if host is None:
        return
    joiner = str(id_of(activity["actor"]))
    async with db.execute(
        "SELECT 1 FROM event_participants WHERE event_id = ? AND actor = ?", (event["id"], joiner)
    ) as cur:
        already = await cur.fetchone() is not None
    capacity = event.get("maximumAttendeeCapacity")
    full = (
        not already
        and isinstance(capacity, int)
        and capacity > 0
        and await participant_count(db, event["id"]) >= capacity
    )
    answer: dict[str, Any] = {
        "type": "Reject" if full else "Accept",
        "actor": host.id,
        "object": _join_reference(activity),
        "to": [joiner],
    }
    if full:
        answer["content"] = (
            f"« {event.get('name')} » est complet ({capacity} places) : "
            "votre participation n'a pas pu être acceptée."
        )
    else:
        await db.execute(
            "INSERT OR IGNORE INTO event_participants (event_id, actor, join_id, created_at)"
            " VALUES (?,?,?,?)",
            (event["id"], joiner, activity["id"], time.time()),
        )
        await _store_counts(db, event)
    await emit(db, node, host, answer)


async def _leave_event(db: aiosqlite.Connection, event_id: str | None, actor: str) -> None:
    event = await _local_event(db, event_id)
    if event is None:
        return
    await db.execute(
        "DELETE FROM event_participants WHERE event_id = ? AND actor = ?", (event["id"], actor)
    )
    await _store_counts(db, event)


@dispatch.on_receive("Leave")
async def _leave(db: aiosqlite.Connection, node: Node, activity: dict[str, Any]) -> None:
    await _leave_event(db, id_of(activity.get("object")), str(id_of(activity["actor"])))


@dispatch.on_receive("Undo")
async def _undo_join(db: aiosqlite.Connection, node: Node, activity: dict[str, Any]) -> None:
    inner = activity.get("object")
    if type_of(inner) == "Join" and isinstance(inner, dict):
        await _leave_event(db, id_of(inner.get("object")), str(id_of(activity["actor"])))


@dispatch.on_validate("Join")
@dispatch.on_validate("Leave")
async def _address_host(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    """A member joining an event need not say who hosts it: the event's author hears of it."""
    if activity.get("to") or activity.get("cc"):
        return
    row = await node.store.one(
        "SELECT attributed_to FROM objects WHERE id = ?", (id_of(activity.get("object")),)
    )
    # The event's author, or the actor joined (a member joining their place).
    activity["to"] = [row[0] if row is not None and row[0] else id_of(activity.get("object"))]
