"""Client-to-server publishing: a local actor POSTs to its outbox with a bearer token.

The node mints every id, wraps a bare object in a `Create`, makes the side effects (a `Follow`
recorded as pending, an `Accept` of a follow request, an `Undo`), stores the activity and one
delivery row per target inbox in the same transaction, and only then delivers: an activity
answered 201 is never lost.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vocab.context import DOCUMENT_CONTEXT

from .. import dispatch
from ..activity import KNOWN_TYPES, id_of, recipients, type_of
from ..actors import local
from ..actors.document import actor_document
from ..actors.local import LocalActor
from ..actors.remote import RemoteActor, actor_from_row
from ..errors import FetchError, ForbiddenError, InvalidActivity, NotFoundError
from ..sqlite import Connection
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


def now_iso() -> str:
    return now_to_wire()


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
        "published": now_iso(),
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
    return public_reaches_followers(activity, f"{actor_id}/followers")


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
            "published": now_iso(),
        }
    addressed = recipients(activity)
    followers = [
        r[0]
        for r in await _rows(
            node, db, "SELECT follower FROM follows WHERE followee = ? AND state = 'accepted'",
            (actor.id,),
        )
    ]  # fmt: skip
    remote: dict[str, RemoteActor] = {}
    for ref in remote_refs(addressed, actor.followers, followers, node.config.is_local):
        if db is not None:
            rows = await _rows(node, db, "SELECT * FROM remote_actors WHERE id = ?", (ref,))
            if rows:
                remote[ref] = actor_from_row(rows[0])
            continue
        try:
            remote[ref] = await node.directory.get(ref)
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
    local_ids = {r[0] for r in await _rows(node, db, "SELECT id FROM local_actors", ())}
    targets = delivery_targets(
        addressed, actor.id, actor.followers, followers, remote, local_ids.__contains__
    )
    obj = activity.get("object")
    new_object = obj if type_of(activity) == "Create" and isinstance(obj, dict) else None
    return Outgoing(actor, activity, targets.inboxes, targets.local, new_object)


async def _rows(node: Node, db: Connection | None, sql: str, params: tuple[Any, ...]) -> list[Any]:
    if db is None:
        return await node.store.all(sql, params)
    async with db.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def emit(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> dict[str, Any]:
    """Send an activity from inside a transaction: stored and queued with the caller's work.

    For answers (an Accept of a Follow or of a Join, a Visit to a home place): recipients are
    resolved from the cache only. The caller wakes the workers after its commit.
    """
    out = await prepare(node, actor, activity, db=db)
    await record(db, out)
    return out.activity


async def record(db: Connection, out: Outgoing) -> None:
    """Store the activity, its new object, local inbox entries and delivery rows."""
    now = time.time()
    activity = out.activity
    await db.execute(
        "INSERT INTO activities (id, type, actor, object_id, document, local, created_at)"
        " VALUES (?,?,?,?,?,1,?)",
        (
            activity["id"],
            type_of(activity),
            out.actor.id,
            id_of(activity.get("object")),
            json.dumps(activity),
            now,
        ),
    )
    if out.new_object is not None:
        obj = out.new_object
        await db.execute(
            "INSERT INTO objects (id, type, attributed_to, document, local, created_at,"
            " updated_at) VALUES (?,?,?,?,1,?,?)",
            (obj["id"], type_of(obj), out.actor.id, json.dumps(obj), now, now),
        )
    if out.local:
        # Local recipients get it through the inbox queue, like a remote activity: the same
        # side effects (a member following its own place is auto-accepted) in the same order.
        await db.execute(
            "INSERT OR IGNORE INTO inbox_queue (activity_id, document, received_at) VALUES (?,?,?)",
            (activity["id"], json.dumps(activity), now),
        )
    for inbox in out.inboxes:
        await db.execute(
            "INSERT OR IGNORE INTO deliveries (activity_id, inbox, signer, next_attempt_at,"
            " created_at) VALUES (?,?,?,?,?)",
            (activity["id"], inbox, out.actor.handle, now, now),
        )


async def publish(node: Node, actor: LocalActor, body: Any) -> dict[str, Any]:
    """The whole client-to-server path; returns the stored activity."""
    return (await publish_outgoing(node, actor, body)).activity


async def publish_outgoing(node: Node, actor: LocalActor, body: Any) -> Outgoing:
    """`publish`, telling also where the activity was queued (for an operator's report)."""
    activity = normalize(body, actor.id, node.config.base_url)
    await _complete(node, actor, activity)
    await dispatch.validate(node, actor, activity)
    out = await prepare(node, actor, activity)
    async with node.store.write() as db:
        await _side_effects(db, node, out)
        await dispatch.published(db, node, actor, out.activity)
        await record(db, out)
    node.delivery.wake()
    if out.local:
        node.inbox_worker.wake()
    return out


def _add_recipient(activity: dict[str, Any], recipient: str) -> None:
    activity["to"] = list(dict.fromkeys([*_as_list(activity.get("to")), recipient]))


async def _complete(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    """Fill in what the client may leave out: who must hear of it, what it refers to.

    A Follow goes to the followee; an Accept or Reject to the follower (or the joiner), with
    the Follow (or the Join) it answers embedded; an Undo to the audience of what it undoes,
    which is embedded too, as Mastodon does (a server that never stored the original can
    still act on it).
    """
    kind = type_of(activity)
    obj_id = id_of(activity.get("object"))
    if kind == "Follow":
        if obj_id == actor.id:
            raise InvalidActivity("cannot follow oneself", fr="On ne peut pas se suivre soi-même.")
        _add_recipient(activity, str(obj_id))
    elif kind in ("Accept", "Reject"):
        row = await node.store.one(
            "SELECT follower, followee, activity_id FROM follows"
            " WHERE activity_id = ? AND followee = ?",
            (obj_id, actor.id),
        )
        if row is not None:
            activity["object"] = {
                "id": row["activity_id"], "type": "Follow",
                "actor": row["follower"], "object": row["followee"],
            }  # fmt: skip
            _add_recipient(activity, row["follower"])
        else:
            # Not a follow request: a Join of the actor (a member asking to be a resident) or
            # of one of its events. The domain's validators then say whether it still waits.
            join = await _join_answered(node, actor, obj_id)
            activity["object"] = join
            _add_recipient(activity, join["actor"])
    elif kind == "Undo":
        original = await node.store.one(
            "SELECT actor, document FROM activities WHERE id = ? AND local = 1", (obj_id,)
        )
        if original is None or original["actor"] != actor.id:
            raise ForbiddenError(
                f"{actor.id} cannot undo {obj_id}",
                fr="On ne peut annuler que ses propres activités : vérifiez l'« object ».",
                en="One can only undo one's own activities: check the 'object'.",
            )
        document = json.loads(original["document"])
        document.pop("@context", None)
        activity["object"] = document
        for f in ("to", "cc"):
            if f not in activity and f in document:
                activity[f] = document[f]


async def _join_answered(node: Node, actor: LocalActor, join_id: str | None) -> dict[str, Any]:
    """The Join an Accept or Reject answers, as Mobilizon embeds it: only a Join of the actor
    itself or of an object it is the author of, so that nobody answers for another."""
    row = await node.store.one(
        "SELECT document FROM activities WHERE id = ? AND type = 'Join'", (join_id,)
    )
    join = json.loads(row["document"]) if row else {}
    target = id_of(join.get("object"))
    if target is not None and target != actor.id:
        author = await node.store.one(
            "SELECT attributed_to FROM objects WHERE id = ? AND local = 1 AND deleted_at IS NULL",
            (target,),
        )
        target = target if author is not None and author[0] == actor.id else None
    if target is None or id_of(join.get("actor")) is None:
        raise NotFoundError(
            f"no follow request or Join {join_id} for {actor.id}",
            fr="Aucune demande d'abonnement ni de participation ne correspond à cet « object ».",
            en="No follow request nor Join matches this 'object'.",
        )
    return {"id": join["id"], "type": "Join", "actor": id_of(join["actor"]), "object": target}


async def _side_effects(db: Connection, node: Node, out: Outgoing) -> None:
    activity, actor = out.activity, out.actor
    kind = type_of(activity)
    obj = activity.get("object")
    obj_id = id_of(obj)
    now = time.time()
    if kind == "Follow":
        await db.execute(
            "INSERT INTO follows (follower, followee, activity_id, state, created_at)"
            " VALUES (?,?,?,'pending',?) ON CONFLICT(follower, followee) DO UPDATE SET"
            " activity_id = excluded.activity_id,"
            " state = CASE WHEN follows.state = 'accepted' THEN 'accepted' ELSE 'pending' END",
            (actor.id, obj_id, activity["id"], now),
        )
    elif kind == "Accept":
        await db.execute(
            "UPDATE follows SET state = 'accepted' WHERE activity_id = ? AND followee = ?",
            (obj_id, actor.id),
        )
    elif kind == "Reject":
        await db.execute(
            "DELETE FROM follows WHERE activity_id = ? AND followee = ?", (obj_id, actor.id)
        )
    elif kind == "Undo":
        if type_of(obj) == "Follow":
            await db.execute(
                "DELETE FROM follows WHERE activity_id = ? AND follower = ?", (obj_id, actor.id)
            )
        else:
            await db.execute(
                "DELETE FROM reactions WHERE activity_id = ? AND actor = ?", (obj_id, actor.id)
            )
    elif kind in ("Like", "Announce"):
        await db.execute(
            "INSERT OR IGNORE INTO reactions (activity_id, type, actor, object_id)"
            " VALUES (?,?,?,?)",
            (activity["id"], kind, actor.id, obj_id),
        )
    elif kind == "Update" and obj_id == actor.id:
        # An actor's Update of itself carries its current document, as the node serves it
        # (after a key rotation, a new name): never what the client sent.
        activity["object"] = actor_document(
            actor, node.config.base_url, await local.retired_keys(node.store, actor.handle)
        )
        activity["object"].pop("@context", None)
    elif kind in ("Update", "Delete"):
        async with db.execute(
            "SELECT attributed_to, type FROM objects WHERE id = ? AND local = 1", (obj_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None or row["attributed_to"] != actor.id:
            raise ForbiddenError(
                f"{actor.id} cannot change {obj_id}",
                fr="On ne peut modifier ou supprimer que ses propres publications.",
                en="One can only change or delete one's own publications.",
            )
        if kind == "Update" and isinstance(obj, dict):
            document = {**obj, "id": obj_id, "attributedTo": actor.id, "updated": now_iso()}
            activity["object"] = document
            await db.execute(
                "UPDATE objects SET document = ?, updated_at = ? WHERE id = ?",
                (json.dumps(document), now, obj_id),
            )
        elif kind == "Delete":
            tombstone = {
                "id": obj_id,
                "type": "Tombstone",
                "formerType": row["type"],
                "deleted": now_iso(),
            }
            activity["object"] = tombstone
            await db.execute(
                "UPDATE objects SET type = 'Tombstone', document = ?, updated_at = ?,"
                " deleted_at = ? WHERE id = ?",
                (json.dumps(tombstone), now, now, obj_id),
            )
