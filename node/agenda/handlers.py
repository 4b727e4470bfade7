"""What events do: checked when posted, completed for Mastodon and Mobilizon, joined and left.

A `Join` of a local event whose `joinMode` is `free` is accepted while the event has room
(`maximumAttendeeCapacity`, 0 or absent meaning no limit) and rejected, with a French reason,
once it is full. A `restricted` (or `invite`) event's Join waits in `event_requests` until the
event's host answers it with `Accept` or `Reject` through its outbox (the CLI and the team's
route post the same activity). The answer is queued in the same transaction as the participant
row, so a crash never leaves one without the other.

Whenever the participant count changes (an accepted Join, a Leave, an Undo, a Reject of a
participant), the host sends its followers an `Update` of the event with `participantCount` and
`remainingAttendeeCapacity`, as Mobilizon does, so that peers' agendas show how full it is.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from vocab import shapes

from ..activity import id_of, type_of
from ..actors import local
from ..audience import is_public
from ..config import DEFAULT_TIMEZONE
from ..directory.place import home_location
from ..errors import InvalidActivity, NotFoundError
from ..outbox.publish import emit
from ..query import graph
from ..routing import Route
from ..sqlite import Connection
from ..tables import event_participants, event_requests, objects
from ..timestamps import posix_to_wire
from . import event as events

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node

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


async def _validate_event(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    obj = activity["object"]
    if "location" not in obj:
        # The place's own address stands in when an event is at home.
        location = await home_location(node.store, actor)
        if location is not None:
            obj["location"] = location
    refuse_if_invalid(obj, "Event")


def complete(event: dict[str, Any], base_url: str, timezone: str = DEFAULT_TIMEZONE) -> None:
    """Fill what Mobilizon and Mastodon read and a client may leave out (in place)."""
    oid = event["id"].rsplit("/", 1)[-1]
    event.setdefault("url", event["id"])
    event.setdefault("timezone", timezone)
    event.setdefault("joinMode", "free")
    event.setdefault("mediaType", "text/html")
    event["participants"] = f"{base_url}/agenda/{oid}/participants"
    event.setdefault("participantCount", 0)
    capacity = event.get("maximumAttendeeCapacity")
    if isinstance(capacity, int) and capacity > 0:
        event.setdefault("remainingAttendeeCapacity", capacity)
    if not event.get("summary"):
        event["summary"] = events.summary_fr(event)


async def _published_event(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj = activity["object"]
    complete(obj, node.config.base_url, node.config.timezone)
    await graph.sync(db, obj["id"], obj, local=True)


async def _updated_event(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    """A host's Update (new time, new capacity) keeps the counts the node keeps: a client's
    copy may be stale, and followers must not be told a wrong number."""
    obj = activity["object"]
    obj.pop("remainingAttendeeCapacity", None)  # recomputed from the capacity it now has
    complete(obj, node.config.base_url, node.config.timezone)
    await _store_counts(db, obj)


async def _received_event(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    obj = activity["object"]
    violations = shapes.check(obj, "Event")
    if violations:
        # A peer's malformed event is not kept: it would break the agenda and the feeds.
        log.warning(
            "dropping event %s from %s: %s",
            obj.get("id"), id_of(activity["actor"]), "; ".join(v.en for v in violations),
        )  # fmt: skip
        await objects.drop_received(db, obj.get("id"))
        await graph.sync(db, str(obj.get("id")), None, local=False)


async def _store_counts(db: Connection, event: dict[str, Any]) -> None:
    count = await event_participants.count(db, event["id"])
    event["participantCount"] = count
    capacity = event.get("maximumAttendeeCapacity")
    if isinstance(capacity, int) and capacity > 0:
        event["remainingAttendeeCapacity"] = max(capacity - count, 0)
    await objects.set_document(db, event["id"], event, time.time())
    await graph.sync(db, event["id"], event, local=True)


def count_update(event: dict[str, Any], host: LocalActor) -> dict[str, Any]:
    """The `Update` that tells the host's followers the new counts (pure).

    A public event goes to Public and the followers even if it named only Public: the
    followers' nodes are the ones that keep a copy to bring up to date."""
    audience = {f: list(_as_list(event.get(f))) for f in ("to", "cc") if event.get(f)}
    if is_public(audience):
        audience["cc"] = list(dict.fromkeys([*audience.get("cc", []), host.followers]))
    return {"type": "Update", "actor": host.id, "object": event, **audience}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


async def _counts_changed(
    db: Connection, node: Node, host: LocalActor, event: dict[str, Any]
) -> None:
    await _store_counts(db, event)
    await emit(db, node, host, count_update(event, host))


def _join_reference(join: dict[str, Any]) -> dict[str, Any]:
    # Embedded as Mobilizon does in its Accept of a Join (see captured accept_join.json).
    return {"id": join["id"], "type": "Join", "actor": id_of(join["actor"]),
            "object": id_of(join["object"])}  # fmt: skip


def needs_approval(event: dict[str, Any]) -> bool:
    """Mobilizon's joinMode: `free` joins at once; `restricted` and `invite` wait for the host."""
    return event.get("joinMode") in ("restricted", "invite")


def _full(event: dict[str, Any], count: int) -> bool:
    capacity = event.get("maximumAttendeeCapacity")
    return isinstance(capacity, int) and capacity > 0 and count >= capacity


def _full_message(event: dict[str, Any]) -> str:
    return (
        f"« {event.get('name')} » est complet ({event.get('maximumAttendeeCapacity')} places) : "
        "votre participation n'a pas pu être acceptée."
    )


async def _join(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    event = await objects.local_event(db, id_of(activity.get("object")))
    if event is None:
        return  # a Join of something else (the place itself: the directory answers it)
    host = await local.by_id(node.store, str(event.get("attributedTo")))
    if host is None:
        return
    joiner = str(id_of(activity["actor"]))
    already = await event_participants.takes_part(db, event["id"], joiner)
    if not already and needs_approval(event):
        message = activity.get("participationMessage")
        await event_requests.ask(
            db, event["id"], joiner, activity["id"], message if isinstance(message, str) else None
        )
        return  # the host answers later, through its outbox
    full = not already and _full(event, await event_participants.count(db, event["id"]))
    answer: dict[str, Any] = {
        "type": "Reject" if full else "Accept",
        "actor": host.id,
        "object": _join_reference(activity),
        "to": [joiner],
    }
    if full:
        answer["content"] = _full_message(event)
    elif not already:
        await _add_participant(db, event["id"], joiner, activity["id"])
        await _counts_changed(db, node, host, event)
    await emit(db, node, host, answer)


async def _add_participant(db: Connection, event_id: str, actor: str, join_id: str) -> None:
    await event_requests.withdraw(db, event_id, actor)
    await event_participants.join(db, event_id, actor, join_id)


async def _leave_event(db: Connection, node: Node, event_id: str | None, actor: str) -> None:
    event = await objects.local_event(db, event_id)
    if event is None:
        return
    await event_requests.withdraw(db, event["id"], actor)
    if not await event_participants.leave(db, event["id"], actor):
        return  # was not taking part: the counts did not change
    host = await local.by_id(node.store, str(event.get("attributedTo")))
    if host is None:
        await _store_counts(db, event)
    else:
        await _counts_changed(db, node, host, event)


async def _leave(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    await _leave_event(db, node, id_of(activity.get("object")), str(id_of(activity["actor"])))


async def _undo_join(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    inner = activity.get("object")
    if type_of(inner) == "Join" and isinstance(inner, dict):
        await _leave_event(db, node, id_of(inner.get("object")), str(id_of(activity["actor"])))


# --- the host's answer to a Join, posted to its outbox ---------------------------------------


async def _answered_event(
    db: Connection | None, node: Node, actor: LocalActor, join: Any
) -> dict[str, Any] | None:
    """The host's event a Join answer is about, or None when the Join is of something else
    (the place itself: the directory's residents)."""
    if not isinstance(join, dict):
        return None
    reads = node.store.reads if db is None else db
    event = await objects.local_event(reads, id_of(join.get("object")))
    if event is None or event.get("attributedTo") != actor.id:
        return None
    return event


async def _state_of_join(db: Connection, event_id: str, join: dict[str, Any]) -> str | None:
    """`pending`, `accepted` or None for a Join of an event."""
    actor = str(id_of(join.get("actor")))
    if await event_requests.is_pending(db, event_id, actor, join.get("id")):
        return "pending"
    if await event_participants.takes_part(db, event_id, actor):
        return "accepted"
    return None


def _no_request(join: dict[str, Any]) -> NotFoundError:
    return NotFoundError(
        f"no pending Join {join.get('id')}",
        fr="Cette demande de participation n'est plus en attente (déjà acceptée, refusée ou "
        "retirée) : rien n'a été envoyé.",
        en="This participation request is no longer pending (already accepted, rejected or "
        "withdrawn): nothing was sent.",
    )


async def _check_answer(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    """Refuse, before anything is stored, an answer to a Join that waits for nothing."""
    join = activity["object"]
    event = await _answered_event(None, node, actor, join)
    if event is None:
        return
    state = await _state_of_join(node.store.reads, event["id"], join)
    # An Accept needs a pending request; a Reject may also remove someone accepted.
    if state is None or (type_of(activity) == "Accept" and state != "pending"):
        raise _no_request(join)


async def _accepted(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    join = activity["object"]
    event = await _answered_event(db, node, actor, join)
    if event is None:
        return
    # Checked again in the transaction: two team members may answer at once.
    if await _state_of_join(db, event["id"], join) != "pending":
        raise _no_request(join)
    if _full(event, await event_participants.count(db, event["id"])):
        raise InvalidActivity(
            f"{event['id']} is full",
            fr=f"« {event.get('name')} » est complet ({event.get('maximumAttendeeCapacity')} "
            "places) : augmentez la capacité ou refusez la demande (Reject).",
            en=f"'{event.get('name')}' is full: raise its capacity or reject the request.",
        )
    await _add_participant(db, event["id"], str(id_of(join["actor"])), str(join["id"]))
    await _counts_changed(db, node, actor, event)


async def _rejected(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    join = activity["object"]
    event = await _answered_event(db, node, actor, join)
    if event is None:
        return
    joiner = str(id_of(join.get("actor")))
    if await event_requests.withdraw(db, event["id"], joiner):
        return
    # Not pending: the host takes back an accepted participation.
    if not await event_participants.leave(db, event["id"], joiner):
        raise _no_request(join)
    await _counts_changed(db, node, actor, event)


async def pending_requests(node: Node, event_id: str | None = None) -> list[dict[str, Any]]:
    """The Joins waiting for an answer, oldest first (for the team's CLI and route)."""
    rows = await event_requests.pending(node.store.reads, event_id)
    return [
        {"join": r["join_id"], "actor": r["actor"], "event": r["event_id"],
         "name": r["name"], "message": r["message"],
         "created": posix_to_wire(r["created_at"])}
        for r in rows
    ]  # fmt: skip


async def _address_host(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    """A member joining an event need not say who hosts it: the event's author hears of it."""
    if activity.get("to") or activity.get("cc"):
        return
    author = await objects.author(node.store.reads, id_of(activity.get("object")))
    # The event's author, or the actor joined (a member joining their place).
    activity["to"] = [author or id_of(activity.get("object"))]


ACTIVITY_ROUTES = [
    Route("Create", "Event", on_validate=_validate_event, on_publish=_published_event,
          on_receive=_received_event),
    Route("Update", "Event", on_validate=_validate_event, on_publish=_updated_event,
          on_receive=_received_event),
    Route("Join", on_validate=_address_host, on_receive=_join),
    Route("Leave", on_validate=_address_host, on_receive=_leave),
    Route("Undo", on_receive=_undo_join),
    Route("Accept", "Join", on_validate=_check_answer, on_publish=_accepted),
    Route("Reject", "Join", on_validate=_check_answer, on_publish=_rejected),
]  # fmt: skip
