"""Keeping the public graph in step with objects: the graph's routes in the routing table.

Published: a Create's object is not in `objects` yet when the hook runs (it is recorded after),
so it is taken from the activity; an Update or a Delete has already been applied to the row.
Received: the core's handlers ran first, and refused what they had to (an Update by another
author, a Create after a Delete), so the row as it stands is the truth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..activity import id_of
from ..routing import Route
from ..sqlite import Connection
from . import graph

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
    obj_id = id_of(activity.get("object"))
    if obj_id and obj_id != id_of(activity.get("actor")):
        await graph.sync_stored(db, obj_id, activity.get("@context"))


ACTIVITY_ROUTES = [
    Route("Create", on_publish=_published_create, on_receive=_received),
    Route("Update", on_publish=_published_change, on_receive=_received),
    Route("Delete", on_publish=_published_change, on_receive=_received),
]
