"""Which received activities the node keeps: those of actors it follows, or addressed to it.

Any server can sign a public `Create` and post it to a shared inbox. Kept, it would fill the
node's tables, its collections and public graph with whatever strangers chose to write. So, as
Mastodon does (its "related to local activity" test), an activity that brings or changes
content (`Create`, `Update`, `Delete`, `Announce`, `Like`) is kept only when

- a local actor follows its sender (or asked to: a pending request counts, we asked for it),
- or it is addressed to a local actor (in the activity's or its object's `to`, `cc`, `bto`,
  `bcc`, `audience`: a mention, a visit reported to its home place, a claim to its debtor),
- or it is about something of ours (a `Like` or `Announce` of our object, a reply to one),
- or it changes or deletes an object the node already holds from that very sender.

Everything else (follows and their answers, undos, an actor's update of itself, the domains'
Offers, Joins …) is not content and goes on. The inbox answers 202 to what it does not keep,
with `"status": "ignored"`: the sender did nothing wrong (it may address a public post to
every server that ever knew it), and a refusal would only make some servers retry or mark the
node as failing; but the activity is neither queued nor stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..activity import id_of, recipients, type_of
from ..tables import follows, local_actors, objects

if TYPE_CHECKING:
    from ..context import Node

CONTENT = frozenset({"Create", "Update", "Delete", "Announce", "Like"})
CHANGES = frozenset({"Update", "Delete"})


def needs_a_relation(activity: dict[str, Any]) -> bool:
    """The activity brings or changes content: kept only from a related sender (pure)."""
    return type_of(activity) in CONTENT and id_of(activity.get("object")) != id_of(
        activity.get("actor")
    )


def addressed_refs(activity: dict[str, Any]) -> list[str]:
    """Everyone the activity and its embedded object are addressed to."""
    obj = activity.get("object")
    of_object = recipients(obj) if isinstance(obj, dict) else []
    return list(dict.fromkeys(recipients(activity) + of_object))


def related(
    activity: dict[str, Any],
    *,
    is_local: Callable[[str], bool],
    local_addressees: set[str],
    followed: bool,
    held: bool,
) -> bool:
    """Whether the node keeps this activity (pure): see the module's rule."""
    if not needs_a_relation(activity) or followed or held or local_addressees:
        return True
    obj = activity.get("object")
    about = [id_of(obj)]
    if isinstance(obj, dict):
        about.append(id_of(obj.get("inReplyTo")))
    return any(ref is not None and is_local(ref) for ref in about)


async def kept(node: Node, activity: dict[str, Any]) -> bool:
    """`related`, with what the store knows of the sender (reads only, no transaction), asked
    in the order that most often decides: content from a followed actor needs one read."""
    if not needs_a_relation(activity):
        return True
    db = node.store.reads
    sender = str(id_of(activity["actor"]))
    if await follows.followed_here(db, sender):
        return True
    local = [ref for ref in addressed_refs(activity) if node.config.is_local(ref)]
    if local and await local_actors.ids_among(db, local):
        return True
    obj_id = id_of(activity.get("object"))
    held = (
        type_of(activity) in CHANGES
        and obj_id is not None
        and await objects.author(db, obj_id) == sender
    )
    return related(
        activity, is_local=node.config.is_local, local_addressees=set(), followed=False, held=held
    )
