"""What goes into the public graph: every public object the node holds, in its place's graph.

`sync` runs inside the transaction that stores, changes or deletes an object: it keeps the
object's public document in `public_graph` with a new change number, and names the graph it
belongs to. The graph engine (`engine`, a process of its own) reads the changed rows, turns
them into RDF and applies them to its Oxigraph store (`dataset`): converting costs, and here it
would be paid inside the inbox's transaction for every object received.

Each place's data sits in its own named graph, named by the place's actor id: the node's own
place for what the node publishes (the place's page, its residents, events, needs, pledges);
for what it receives, the place of the same origin that the node's place follows. A query can
say whose data it uses (`GRAPH ?lieu`), and a place that is unfollowed is dropped whole
(`drop_place`).
"""

from __future__ import annotations

import json
from typing import Any

from ..activity import type_of
from ..audience import is_public
from ..origin import origin_of
from ..sqlite import Connection
from ..tables import follows, local_actors, objects
from ..tables import public_graph as graph_table
from .prefixes import PREFIXES

__all__ = ["PREFIXES", "drop_place", "place_graph", "sync", "sync_stored"]


async def place_graph(db: Connection, object_id: str, local: bool) -> str | None:
    """The named graph of an object: the actor id of the place whose data it is, or None when
    no followed place shares its origin (the engine then uses the origin)."""
    place = await local_actors.place_id(db)
    if local or place is None:
        return place
    return await follows.followed_on_origin(db, place, origin_of(object_id))


async def sync(
    db: Connection,
    object_id: str,
    document: dict[str, Any] | None,
    local: bool,
    place: str | None = None,
) -> None:
    """Put `document` in the public graph under `object_id`, or take it out when it is
    None, a Tombstone or not public (nothing private ever reaches the graph). `place`: its
    graph, when the caller already knows it."""
    keep = document is not None and type_of(document) != "Tombstone" and is_public(document)
    kind = type_of(document) or "Object" if document is not None else "Tombstone"
    await graph_table.put(
        db,
        object_id,
        kind,
        local,
        json.dumps(document, ensure_ascii=False) if keep else None,
        (place or await place_graph(db, object_id, local)) if keep else None,
    )


async def sync_stored(db: Connection, object_id: str, context: Any = None) -> None:
    """Sync from the `objects` row as it now stands (after the core applied a change).

    A received object is stored without the `@context` of the activity that carried it:
    `context` gives it back, so that the peer's own terms are read as the peer meant them."""
    row = await objects.stored(db, object_id)
    if row is None:
        return
    document = json.loads(row["document"])
    if context is not None and "@context" not in document:
        document = {"@context": context, **document}
    await sync(db, object_id, document, bool(row["local"]))


async def drop_place(db: Connection, place: str) -> int:
    """Take a place's whole graph out (it is no longer followed); how many objects."""
    return await graph_table.drop_graph(db, place)
