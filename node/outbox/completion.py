"""What a client may leave out of an activity it posts, filled in before it is checked.

A Follow goes to the followee; an Accept or Reject to the follower (or the joiner), with the
Follow (or the Join) it answers embedded; an Undo to the audience of what it undoes, which is
embedded too, as Mastodon does (a server that never stored the original can still act on it).
These run first among the validators, so that the domains' checks see the whole activity
(an Accept whose object is now a Join is routed to the Join's domains).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..activity import id_of
from ..errors import ForbiddenError, InvalidActivity, NotFoundError
from ..routing import Route
from ..tables import activities, follows, objects

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node


def _add_recipient(activity: dict[str, Any], recipient: str) -> None:
    to = activity.get("to")
    to = [] if to is None else to if isinstance(to, list) else [to]
    activity["to"] = list(dict.fromkeys([*to, recipient]))


async def _follow(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    obj_id = id_of(activity.get("object"))
    if obj_id == actor.id:
        raise InvalidActivity("cannot follow oneself", fr="On ne peut pas se suivre soi-même.")
    _add_recipient(activity, str(obj_id))


async def _answer(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    obj_id = id_of(activity.get("object"))
    row = await follows.request_of(node.store.reads, actor.id, obj_id)
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


async def _join_answered(node: Node, actor: LocalActor, join_id: str | None) -> dict[str, Any]:
    """The Join an Accept or Reject answers, as Mobilizon embeds it: only a Join of the actor
    itself or of an object it is the author of, so that nobody answers for another."""
    join = await activities.document_of_type(node.store.reads, join_id, "Join") or {}
    target = id_of(join.get("object"))
    if target is not None and target != actor.id:
        author = await objects.live_local_author(node.store.reads, target)
        target = target if author == actor.id else None
    if target is None or id_of(join.get("actor")) is None:
        raise NotFoundError(
            f"no follow request or Join {join_id} for {actor.id}",
            fr="Aucune demande d'abonnement ni de participation ne correspond à cet « object ».",
            en="No follow request nor Join matches this 'object'.",
        )
    return {"id": join["id"], "type": "Join", "actor": id_of(join["actor"]), "object": target}


async def _undo(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    obj_id = id_of(activity.get("object"))
    original = await activities.local(node.store.reads, obj_id)
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


ACTIVITY_ROUTES = [
    Route("Follow", on_validate=_follow),
    Route("Accept", on_validate=_answer),
    Route("Reject", on_validate=_answer),
    Route("Undo", on_validate=_undo),
]
