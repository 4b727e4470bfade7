"""Follows: who follows whom, requested, accepted, rejected, undone; the `follows` table's
effects, written once for both paths.

A follow has two sides. The follower's side is made when a local actor publishes its Follow:
the row is recorded as pending until answered. The followee's side is made when a Follow
reaches a local followee (received from a peer, or through the inbox queue when the follower
is local too): the row is kept pending for an actor who approves by hand, otherwise accepted
and answered with an `Accept`. A member following their own place has both sides on this
node, at their own time, on the same row: the Accept is sent once, by the followee's side.

Accept, Reject and Undo are the same whoever made them: they find the Follow they answer (by
id, or by its actor and object when embedded) and change the row; applying them a second time
(a local activity, received again by a local recipient) changes nothing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .activity import id_of, type_of
from .actors import local
from .outbox.publish import emit
from .routing import Route, either_side
from .sqlite import Connection
from .tables import follows as follows_table
from .tables import local_actors
from .tables.follows import ACCEPTED, PENDING

if TYPE_CHECKING:
    from .actors.local import LocalActor
    from .context import Node


# ActivityStreams' actor types. A Follow whose embedded object says it is something else (a
# project someone is interested in, `directory.interests`) is no social follow: its domain
# records it, and no follow row, Accept or `following` entry is made for it.
ACTOR_TYPES = frozenset({"Application", "Group", "Organization", "Person", "Service"})


def of_an_actor(activity: dict[str, Any]) -> bool:
    """Whether a Follow may be of an actor: its object is a bare id, or typed as one (pure)."""
    kind = type_of(activity.get("object"))
    return kind is None or kind in ACTOR_TYPES


async def follow(db: Connection, node: Node, activity: dict[str, Any], *, published: bool) -> None:
    """A Follow's effects: the follower's side when we `published` it, the followee's when
    it reached a local followee's inbox."""
    if not of_an_actor(activity):
        return
    follower = str(id_of(activity["actor"]))
    followee_id = id_of(activity.get("object"))
    state = PENDING
    answer_from: LocalActor | None = None
    if not published:
        approves = await local_actors.manually_approves(db, followee_id)
        if approves is None:
            return  # a Follow of someone not on this node: nothing to record
        if not approves:
            state = ACCEPTED
            answer_from = await local.by_id(node.store, str(followee_id))
            assert answer_from is not None
    # An accepted follow stays accepted: a second Follow (a retry) asks nothing new.
    await follows_table.add(db, follower, followee_id, activity["id"], state, time.time())
    if answer_from is not None:
        accept = {"type": "Accept", "actor": answer_from.id,
                  "object": follow_reference(activity), "to": [follower]}  # fmt: skip
        await emit(db, node, answer_from, accept)


def follow_reference(follow: dict[str, Any]) -> dict[str, Any]:
    """The Follow embedded in its answer: Mastodon matches it by id, others by (actor, object)."""
    return {
        "id": follow["id"],
        "type": "Follow",
        "actor": id_of(follow["actor"]),
        "object": id_of(follow["object"]),
    }


async def request_of(db: Connection, followee: str, follow_id: str | None) -> Any:
    """The follow request `follow_id` of `followee`, or None."""
    return await follows_table.request_of(db, followee, follow_id)


async def _answered(db: Connection, answer: dict[str, Any]) -> Any:
    """The Follow an Accept/Reject answers: by id, or by (actor, object) when embedded.

    Only a Follow of the answering actor itself: nobody accepts a follow on another's behalf;
    and only a Follow: an Accept of a Join or of an Offer answers something else.
    """
    answerer = str(id_of(answer["actor"]))
    obj = answer.get("object")
    row = await request_of(db, answerer, id_of(obj))
    if (
        row is None
        and isinstance(obj, dict)
        and type_of(obj) in ("Follow", None)
        and id_of(obj.get("object")) == answerer
    ):
        row = await follows_table.between(db, id_of(obj.get("actor")), answerer)
    return row


async def accepted(db: Connection, node: Node, answer: dict[str, Any]) -> None:
    row = await _answered(db, answer)
    if row is not None:
        await follows_table.accept(db, row["follower"], row["followee"])


async def rejected(db: Connection, node: Node, answer: dict[str, Any]) -> None:
    row = await _answered(db, answer)
    if row is not None:
        await follows_table.remove(db, row["follower"], row["followee"])


async def undone(db: Connection, node: Node, undo: dict[str, Any]) -> None:
    """An Undo of a Follow (or of an activity not embedded: an id that is no Follow's changes
    nothing). By id, or by followee: a server that lost the Follow's id still undoes it."""
    obj = undo.get("object")
    if type_of(obj) not in ("Follow", None):
        return
    followee = id_of(obj.get("object")) if isinstance(obj, dict) else None
    await follows_table.undo(db, id_of(undo["actor"]), id_of(obj), followee)


async def actor_gone(db: Connection, actor: str) -> None:
    """A deleted actor follows nobody and nobody follows it."""
    await follows_table.forget_actor(db, actor)


# --- the routes: both paths call the same effects --------------------------------------------


async def _follow_received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    await follow(db, node, activity, published=False)


async def _follow_published(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    await follow(db, node, activity, published=True)


ACTIVITY_ROUTES = [
    Route("Follow", on_publish=_follow_published, on_receive=_follow_received),
    Route("Accept", on_publish=either_side(accepted), on_receive=accepted),
    Route("Reject", on_publish=either_side(rejected), on_receive=rejected),
    Route("Undo", on_publish=either_side(undone), on_receive=undone),
]
