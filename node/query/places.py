"""The followed places themselves in the public graph: each place's actor (its address, geo,
opening hours and offers) and its residents' public profiles, kept in the place's named graph
beside its events, needs and pledges.

They come in three ways. When our place's Follow is accepted, the backfill
(`node.agenda.backfill`) reads the place's actor and its residents collection and keeps them
here. An actor's own `Update` of itself (a place's new opening hours, a resident's new skill)
replaces its document; its `Delete` takes it out, and a deleted place takes its whole graph with
it. When our place stops following a place (its `Undo` of the Follow), or the place turns our
place down (a `Reject`), the place's graph is dropped whole: the node keeps what the places it
follows publish, and nothing of the others.

Only actors of a followed place's origin enter its graph, and of those only the place itself
and the actors whose document says they are its residents (`residentOf`): the origin vouches
for them as it does for its objects.
"""

from __future__ import annotations

from typing import Any

from vocab.context import PUBLIC

from ..activity import id_of
from ..origin import origin_of
from ..sqlite import Connection
from ..tables import backfills, follows, remote_actors
from . import graph

# What the graph leaves out of an actor's document: keys serve signatures, not questions
# about places, and a peer's key formats are not all in the bundled contexts.
KEY_FIELDS = ("publicKey", "assertionMethod")


def public_actor(document: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """An actor's document as the graph keeps it (pure): addressed to Public (an actor's
    document is served to anyone), without its keys, with the `@context` it was read with
    (`context` for a document embedded in an activity, which carries none of its own)."""
    kept = {k: v for k, v in document.items() if k not in KEY_FIELDS}
    if context is not None and "@context" not in kept:
        kept = {"@context": context, **kept}
    return {**kept, "to": [PUBLIC]}


def belongs_to(document: dict[str, Any], place: str) -> bool:
    """The actor is the place itself, or says it is one of its residents (pure)."""
    return id_of(document) == place or id_of(document.get("residentOf")) == place


async def keep_actor(db: Connection, document: dict[str, Any], context: Any = None) -> None:
    """A received actor's document, as it now stands: in its place's graph if it is a
    followed place or one of its residents; out of the graph if it no longer is."""
    actor = id_of(document)
    if actor is None:
        return
    place = await graph.place_graph(db, actor, local=False)
    if place is None:
        return  # not of a followed place's origin: never in the graph
    kept = public_actor(document, context) if belongs_to(document, place) else None
    await graph.sync(db, actor, kept, local=False, place=place)


async def actor_deleted(db: Connection, actor: str) -> None:
    """A received actor deleted itself: out of the graph, and a place with its whole graph."""
    if await graph.place_graph(db, actor, local=False) is not None:
        await graph.sync(db, actor, None, local=False)
    await graph.drop_place(db, actor)


async def left(db: Connection, place: str, followee: str) -> None:
    """Our `place` no longer follows `followee` (its Undo, or the followee's Reject, has just
    taken the follow away): drop the followee's graph. Nothing is dropped while a follow,
    accepted or asked, remains (a Reject of something else than the Follow)."""
    if await follows.between(db, place, followee) is None:
        await graph.drop_place(db, followee)


async def residents_changed(
    db: Connection, place_id: str, activity: dict[str, Any], added: bool
) -> None:
    """A followed place's `Add` or `Remove` of one of its residents (to its residents
    collection): an added resident, or one whose profile changed, is read again with the
    place's residents (a backfill: the inbox's transaction does not wait on the network); a
    removed one leaves the graph at once."""
    place = await follows.between(db, place_id, str(id_of(activity.get("actor"))))
    if place is None or place["state"] != follows.ACCEPTED:
        return
    sender = str(place["followee"])
    document = await remote_actors.document(db, sender) or {}
    target, member = id_of(activity.get("target")), id_of(activity.get("object"))
    if target is None or target != id_of(document.get("residents")) or member is None:
        return  # another collection (peers, featured…): not the residents
    if origin_of(member) != origin_of(sender):
        return
    if added:
        await backfills.request(db, sender)
    elif await graph.place_graph(db, member, local=False) == sender:
        await graph.sync(db, member, None, local=False)
