"""Client-to-server publishing: a local actor POSTs to its outbox with a bearer token.

The node mints every id, wraps a bare object in a `Create`, has the routing table complete and
check it, then makes its side effects (the routes' `on_publish`: a `Follow` recorded as
pending, an `Accept` of a follow request, an `Undo`), stores the activity and one delivery row
per target inbox in the same transaction, and only then delivers: an activity answered 201 is
never lost.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vocab.context import DOCUMENT_CONTEXT

from .. import ownership
from ..activity import KNOWN_TYPES, id_of, recipients, type_of
from ..actors.local import LocalActor, followers_collection
from ..bounds import check_bounds
from ..errors import FetchError, InvalidActivity
from ..sqlite import Connection
from ..tables import (
    activities,
    deliveries,
    follows,
    inbox_queue,
    local_actors,
    objects,
)
from ..timestamps import now_to_wire
from .addressing import delivery_targets, public_reaches_followers, remote_refs

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)
# Server-side fields a client may not set: the node decides them.
_MINTED = ("id", "actor", "published", "attributedTo")


@dataclass
class Outgoing:
    """An activity ready to be recorded: its document and where it goes."""

    actor: LocalActor
    activity: dict[str, Any]
    inboxes: tuple[str, ...] = ()
    local: tuple[str, ...] = ()  # local actor ids that receive it in their inbox
    new_object: dict[str, Any] | None = None  # the object a Create brings into being


def normalize(body: Any, actor_id: str, base_url: str) -> dict[str, Any]:
    """The activity a client's POST stands for, with every id minted by the node (pure)."""
    if not isinstance(body, dict):
        raise InvalidActivity(
            "body is not a JSON object",
            fr="Le corps de la requête doit être un objet JSON (ActivityStreams).",
            en="The request body must be a JSON (ActivityStreams) object.",
        )
    kind = type_of(body)
    if kind is None:
        raise InvalidActivity(
            "object has no type",
            fr="L'objet n'a pas de « type » (par exemple « Note » ou « Follow »).",
            en="The object has no 'type' (for example 'Note' or 'Follow').",
        )
    body = {k: v for k, v in body.items() if k not in _MINTED and k != "@context"}
    if kind not in KNOWN_TYPES:
        # A bare object: the client means "create this".
        addressing = {f: body[f] for f in ("to", "cc", "bto", "bcc", "audience") if f in body}
        body = {"type": "Create", "object": body, **addressing}
        kind = "Create"
    activity: dict[str, Any] = {
        "@context": DOCUMENT_CONTEXT,
        "id": f"{base_url}/activities/{uuid.uuid4()}",
        "type": kind,
        "actor": actor_id,
        "published": now_to_wire(),
        **body,
    }
    if kind == "Create":
        obj = activity.get("object")
        if not isinstance(obj, dict) or type_of(obj) is None:
            raise InvalidActivity(
                "Create needs an embedded object with a type",
                fr="« Create » doit contenir l'objet à créer, avec son « type ».",
                en="'Create' must contain the object to create, with its 'type'.",
            )
        obj = {
            "id": f"{base_url}/objects/{uuid.uuid4()}",
            "type": type_of(obj),
            "attributedTo": actor_id,
            "published": activity["published"],
            **{k: v for k, v in obj.items() if k not in _MINTED and k != "@context"},
        }
        # AS2 §6.2: the object and the Create carry the same audience.
        for f in ("to", "cc", "audience"):
            merged = _as_list(activity.get(f)) + [
                x for x in _as_list(obj.get(f)) if x not in _as_list(activity.get(f))
            ]
            if merged:
                activity[f] = obj[f] = merged
        activity["object"] = obj
    elif id_of(activity.get("object")) is None and kind not in ("Question",):
        raise InvalidActivity(
            f"{kind} needs an object",
            fr=f"« {kind} » doit désigner son objet (« object »).",
            en=f"'{kind}' must name its 'object'.",
        )
    return public_reaches_followers(activity, followers_collection(actor_id))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


async def prepare(
    node: Node,
    actor: LocalActor,
    activity: dict[str, Any],
    db: Connection | None = None,
) -> Outgoing:
    """Mint what is missing and resolve where the activity goes.

    Without `db`, remote actors are fetched when not cached. With `db` (inside a write
    transaction, where the network must not be awaited), only cached actors are used: that
    is enough to answer an activity, whose sender's actor was cached to verify it.
    """
    if "id" not in activity:
        activity = {
            "@context": DOCUMENT_CONTEXT,
            "id": f"{node.config.base_url}/activities/{uuid.uuid4()}",
            **activity,
            "published": now_to_wire(),
        }
    addressed = recipients(activity)
    followers = await follows.accepted_followers(node.store.reads if db is None else db, actor.id)
    refs = remote_refs(addressed, actor.followers, followers, node.config.is_local)
    inbox_of = await node.directory.delivery_inboxes(refs, db)
    for ref in refs:
        if db is not None or ref in inbox_of:
            continue
        try:
            inbox_of[ref] = (await node.directory.get(ref)).delivery_inbox
        except FetchError as exc:
            if type_of(activity) == "Follow" and ref == id_of(activity.get("object")):
                raise FetchError(
                    exc.log,
                    fr=f"Impossible de joindre {ref} : vérifiez l'adresse, ou réessayez plus "
                    "tard si ce serveur est en panne.",
                    en=f"Cannot reach {ref}: check the address, or try again later if that "
                    "server is down.",
                ) from exc
            # Someone else's collection, or an actor gone: the others still get it.
            log.info("not delivering to %s: %s", ref, exc.log)
    local_ids = await local_actors.ids(node.store.reads if db is None else db)
    targets = delivery_targets(
        addressed, actor.id, actor.followers, followers, inbox_of, local_ids.__contains__
    )
    obj = activity.get("object")
    new_object = obj if type_of(activity) == "Create" and isinstance(obj, dict) else None
    return Outgoing(actor, activity, targets.inboxes, targets.local, new_object)


async def emit(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> dict[str, Any]:
    """Send an activity from inside a transaction: stored and queued with the caller's work.

    For answers (an Accept of a Follow or of a Join, a Visit to a home place): recipients are
    resolved from the cache only. The workers are woken when the caller's transaction commits
    (`Store.wake_on_commit`).
    """
    out = await prepare(node, actor, activity, db=db)
    await record(db, out)
    return out.activity


async def record(db: Connection, out: Outgoing, lease_until: float | None = None) -> list[int]:
    """Store the activity, its new object, local inbox entries and delivery rows; with
    `lease_until`, the rows are held until then for the caller to post them itself
    (`governance.sending`). Returns the delivery rows' ids."""
    now = time.time()
    activity = out.activity
    await activities.record(
        db, activity, type_of(activity), out.actor.id, id_of(activity.get("object")), now,
        local=True,
    )  # fmt: skip
    if out.new_object is not None:
        obj = out.new_object
        await objects.add_local(db, obj, type_of(obj), out.actor.id, now)
    if out.local:
        # Local recipients get it through the inbox queue, like a remote activity: the same
        # side effects (a member following its own place is auto-accepted) in the same order.
        await inbox_queue.enqueue_vouched(db, activity["id"], json.dumps(activity), now)
    rows: list[int] = []
    for inbox in out.inboxes:
        if lease_until is None:
            await deliveries.enqueue(db, activity["id"], inbox, out.actor.handle, now)
        else:
            rows.append(await deliveries.enqueue_leased(
                db, activity["id"], inbox, out.actor.handle, now, lease_until
            ))  # fmt: skip
    return rows


async def publish(node: Node, actor: LocalActor, body: Any) -> dict[str, Any]:
    """The whole client-to-server path; returns the stored activity."""
    return (await publish_outgoing(node, actor, body)).activity


async def publish_outgoing(node: Node, actor: LocalActor, body: Any) -> Outgoing:
    """`publish`, telling also where the activity was queued (for an operator's report)."""
    check_bounds(body)  # the same bounds as a peer's: tags, attachments, recipients, depth
    activity = normalize(body, actor.id, node.config.base_url)
    out = await checked(node, actor, activity)
    await commit(node, out)
    return out


async def checked(node: Node, actor: LocalActor, activity: dict[str, Any]) -> Outgoing:
    """An activity with its ids minted, checked as a client's and resolved where it goes:
    a client's once normalized, or one the node composed itself (a signed vote, whose
    object's id and date are under its signature, is not normalized)."""
    embedded = ownership.check_published(activity, actor.id, node.config.is_local)
    if embedded and await objects.live_local_author(node.store.reads, embedded) != actor.id:
        raise ownership.not_own(embedded)
    # Completed (the Follow an Accept answers embedded, …) and checked by the routing table's
    # validators, then its effects made in the transaction that stores it.
    await node.routing.validate(node, actor, activity)
    return await prepare(node, actor, activity)


async def commit(node: Node, out: Outgoing, lease_until: float | None = None) -> list[int]:
    """The publishing side's effects and the activity stored with its deliveries, in one
    transaction (see `record` for `lease_until`); returns the delivery rows' ids."""
    async with node.store.write() as db:
        await node.routing.published(db, node, out.actor, out.activity)
        rows = await record(db, out, lease_until)
    return rows
