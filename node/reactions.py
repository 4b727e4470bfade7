"""Reactions: Likes and Announces of objects, undone by deleting the row; the `reactions`
table's effects, written once for both paths.

A reaction is recorded alike whoever made it (our member when it publishes, a peer's when it
is received) and once per activity id: a local member's Like of a local note, received again
through the inbox queue, changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .activity import id_of, type_of
from .routing import Route, either_side
from .sqlite import Connection
from .tables import reactions

if TYPE_CHECKING:
    from .context import Node

KINDS = ("Like", "Announce")


async def reacted(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    actor, obj = id_of(activity["actor"]), id_of(activity.get("object"))
    await reactions.add(db, activity["id"], type_of(activity), actor, obj)


async def undone(db: Connection, node: Node, undo: dict[str, Any]) -> None:
    """An Undo of a reaction (or of an activity not embedded: an id that is no reaction's
    deletes nothing). Only the reaction's own actor takes it back."""
    obj = undo.get("object")
    if type_of(obj) not in (*KINDS, None):
        return
    await reactions.remove(db, id_of(obj), id_of(undo["actor"]))


ACTIVITY_ROUTES = [
    Route("Like", on_publish=either_side(reacted), on_receive=reacted),
    Route("Announce", on_publish=either_side(reacted), on_receive=reacted),
    Route("Undo", on_publish=either_side(undone), on_receive=undone),
]
