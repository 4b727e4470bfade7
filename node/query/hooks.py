"""Keeping the public graph in step with objects, through the dispatch hooks.

Published: a Create's object is not in `objects` yet when the hook runs (it is recorded after),
so it is taken from the activity; an Update or a Delete has already been applied to the row.
Received: the core's handlers ran first, and refused what they had to (an Update by another
author, a Create after a Delete), so the row as it stands is the truth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import dispatch
from ..activity import id_of
from ..sqlite import Connection
from . import graph

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node


@dispatch.on_publish("Create")
async def _published_create(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj = activity.get("object")
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        await graph.sync(db, obj["id"], obj, local=True)


@dispatch.on_publish("Update")
@dispatch.on_publish("Delete")
async def _published_change(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    obj_id = id_of(activity.get("object"))
    if obj_id:
        await graph.sync_stored(db, obj_id)


@dispatch.on_receive("Create")
@dispatch.on_receive("Update")
@dispatch.on_receive("Delete")
async def _received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    obj_id = id_of(activity.get("object"))
    if obj_id and obj_id != id_of(activity.get("actor")):
        await graph.sync_stored(db, obj_id, activity.get("@context"))
