"""Keeping the public graph in step with objects: the graph's routes in the routing table.

Published: a Create's object is not in `objects` yet when the hook runs (it is recorded after),
so it is taken from the activity; an Update or a Delete has already been applied to the row.
Received: the core's handlers ran first, and refused what they had to (an Update by another
author, a Create after a Delete), so the row as it stands is the truth. An actor's Update or
Delete of itself changes no row of `objects`: a followed place's actor and its residents are
kept from the activity (`places`). Our place's Undo of its Follow of a place, or the place's
Reject, drops the place's graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..activity import id_of, type_of
from ..routing import Route
from ..sqlite import Connection
from . import graph, places

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node


async def _published_create(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj = activity.get("object")
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        await graph.sync(db, obj["id"], obj, local=True)


async def _published_change(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj_id = id_of(activity.get("object"))
    if obj_id:
        await graph.sync_stored(db, obj_id)


async def _received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    obj = activity.get("object")
    obj_id, actor = id_of(obj), id_of(activity.get("actor"))
    if not obj_id:
        return
    if obj_id != actor:
        await graph.sync_stored(db, obj_id, activity.get("@context"))
    elif node.config.is_local(obj_id):
        return  # our own actors reach the graph when they change (place details, profiles)
    elif type_of(activity) == "Update" and isinstance(obj, dict):
        await places.keep_actor(db, obj, activity.get("@context"))
    elif type_of(activity) == "Delete":
        await places.actor_deleted(db, obj_id)


async def _unfollowed(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    """Our place's Undo of its Follow (the core embedded the Follow and removed the row)."""
    obj = activity.get("object")
    followee = id_of(obj.get("object")) if isinstance(obj, dict) else None
    if actor.id == node.config.place_id and followee and not node.config.is_local(followee):
        await places.left(db, actor.id, followee)


async def _rejected(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A place's Reject: of our place's Follow (pending, or accepted and now withdrawn), the
    core has removed the follow; of anything else, the follow stays and nothing is dropped."""
    answerer = id_of(activity.get("actor"))
    if answerer and not node.config.is_local(answerer):
        await places.left(db, node.config.place_id, answerer)


async def _residents_added(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    await places.residents_changed(db, node.config.place_id, activity, added=True)


async def _residents_removed(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    await places.residents_changed(db, node.config.place_id, activity, added=False)


ACTIVITY_ROUTES = [
    Route("Create", on_publish=_published_create, on_receive=_received),
    Route("Update", on_publish=_published_change, on_receive=_received),
    Route("Delete", on_publish=_published_change, on_receive=_received),
    Route("Undo", "Follow", on_publish=_unfollowed),
    Route("Reject", on_receive=_rejected),
    Route("Add", on_receive=_residents_added),
    Route("Remove", on_receive=_residents_removed),
]
