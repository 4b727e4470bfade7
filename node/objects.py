"""Objects created, changed and deleted by their authors: the `objects` table's effects of
Create, Update and Delete, for both paths.

Published, the node checks that the actor is the object's author (nobody changes another's
publication) and keeps the document it will send; received, the inbox already checked that
the object is on the sender's origin, and a row of another author is never touched. A Delete
leaves a tombstone, the same whoever made it, and only once: a local member's Delete received
again through the inbox queue keeps the first one.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from . import follows
from .activity import id_of, type_of
from .actors import local
from .actors.document import actor_document
from .errors import ForbiddenError
from .routing import Route
from .sqlite import Connection
from .tables import objects, remote_actors
from .tables import visitor_sessions as visitors
from .timestamps import now_to_wire, posix_to_wire

if TYPE_CHECKING:
    from .actors.local import LocalActor
    from .context import Node


async def tombstone(
    db: Connection, author: str, obj_id: str, seen_type: str | None
) -> dict[str, Any]:
    """Delete `author`'s object `obj_id`; the tombstone that stands for it.

    Kept even for an object we never saw: a late Create must not resurrect it."""
    row = await objects.authored(db, obj_id, author)
    if row is not None and row["deleted_at"] is not None:
        document: dict[str, Any] = json.loads(row["document"])
        return document  # deleted before: the first tombstone stands
    now = time.time()
    document = {
        "id": obj_id,
        "type": "Tombstone",
        "formerType": row["type"] if row else seen_type,
        "deleted": posix_to_wire(now),
    }
    await objects.tombstone(db, obj_id, author, document, now)
    return document


async def _received_create(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    obj = activity.get("object")
    await objects.add_received(
        db, obj, id_of(obj), type_of(obj), id_of(activity["actor"]), time.time()
    )


async def _received_update(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    actor, obj = id_of(activity["actor"]), activity.get("object")
    if id_of(obj) == actor or not isinstance(obj, dict):
        return  # an actor's Update of itself was taken before the transaction
    await objects.update_received(db, obj, id_of(obj), type_of(obj), actor, time.time())


async def _received_delete(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    actor, obj = str(id_of(activity["actor"])), activity.get("object")
    obj_id = id_of(obj)
    if obj_id == actor:
        node.directory.drop_keys_of(actor)
        await follows.actor_gone(db, actor)
        await remote_actors.forget(db, actor)
        # A member of another place signed in here through their home (IndieAuth): signed out.
        await visitors.close_actor(db, actor, time.time())
        return
    await tombstone(db, actor, str(obj_id), type_of(obj))


async def _own_publication(db: Connection, actor: LocalActor, obj_id: str | None) -> Any:
    row = await objects.local(db, obj_id)
    if row is None or row["attributed_to"] != actor.id:
        raise ForbiddenError(
            f"{actor.id} cannot change {obj_id}",
            fr="On ne peut modifier ou supprimer que ses propres publications.",
            en="One can only change or delete one's own publications.",
        )
    return row


async def _published_update(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj = activity.get("object")
    obj_id = id_of(obj)
    if obj_id == actor.id:
        # An actor's Update of itself carries its current document, as the node serves it
        # (after a key rotation, a new name): never what the client sent.
        activity["object"] = actor_document(
            actor, node.config.base_url, await local.retired_keys(node.store, actor.handle)
        )
        activity["object"].pop("@context", None)
        return
    await _own_publication(db, actor, obj_id)
    if isinstance(obj, dict):
        document = {**obj, "id": obj_id, "attributedTo": actor.id, "updated": now_to_wire()}
        activity["object"] = document
        await objects.set_document(db, obj_id, document, time.time())


async def _published_delete(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj_id = id_of(activity.get("object"))
    row = await _own_publication(db, actor, obj_id)
    activity["object"] = await tombstone(db, actor.id, str(obj_id), row["type"])


ACTIVITY_ROUTES = [
    Route("Create", on_receive=_received_create),
    Route("Update", on_publish=_published_update, on_receive=_received_update),
    Route("Delete", on_publish=_published_delete, on_receive=_received_delete),
]
