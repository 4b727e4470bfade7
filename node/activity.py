"""Reading and checking activities (pure): what is malformed, what an actor may not do."""

from __future__ import annotations

from typing import Any

from .errors import ForbiddenError, InvalidActivity
from .origin import same_origin

ADDRESS_FIELDS = ("to", "cc", "bto", "bcc", "audience")
# Activities whose object must be on the actor's own origin: nobody creates, changes or
# deletes another server's objects.
ORIGIN_BOUND = frozenset({"Create", "Update", "Delete"})
KNOWN_TYPES = frozenset(
    {
        "Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like",
        "Announce", "Add", "Remove", "Block", "Flag", "Move", "Join", "Leave", "Offer",
        "Invite", "TentativeAccept", "TentativeReject", "Question", "View", "Read",
    }
)  # fmt: skip


def id_of(value: Any) -> str | None:
    """The id of a reference that is either a URL string or an embedded object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def type_of(value: Any) -> str | None:
    if isinstance(value, dict):
        t = value.get("type")
        if isinstance(t, list):
            t = next((x for x in t if isinstance(x, str)), None)
        return t if isinstance(t, str) else None
    return None


def recipients(document: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for field in ADDRESS_FIELDS:
        value = document.get(field)
        for item in value if isinstance(value, list) else [value]:
            ref = id_of(item)
            if ref and ref not in found:
                found.append(ref)
    return found


def check_incoming(activity: Any) -> dict[str, Any]:
    """Shape checks on a received activity; raises InvalidActivity with the reason."""
    if not isinstance(activity, dict):
        raise InvalidActivity("body is not a JSON object")
    kind = type_of(activity)
    if kind is None:
        raise InvalidActivity("activity has no type")
    if not isinstance(activity.get("id"), str):
        raise InvalidActivity("activity has no id")
    if id_of(activity.get("actor")) is None:
        raise InvalidActivity("activity has no actor")
    if kind in ORIGIN_BOUND | {"Follow", "Accept", "Reject", "Undo", "Like", "Announce"} and (
        id_of(activity.get("object")) is None
    ):
        raise InvalidActivity(f"{kind} has no object id")
    if kind == "Create" and not isinstance(activity.get("object"), dict):
        raise InvalidActivity("Create must embed its object")
    return activity


def authorize(activity: dict[str, Any], signer: str) -> None:
    """The signer speaks only for itself, and only about its own origin's objects."""
    actor = id_of(activity["actor"])
    if actor != signer:
        raise ForbiddenError(f"signed by {signer} but actor is {actor}")
    if not on_origin(activity["id"], signer):
        raise ForbiddenError(f"activity id {activity['id']} is not on {signer}'s origin")
    kind = type_of(activity)
    obj = activity.get("object")
    obj_id = id_of(obj)
    if kind in ORIGIN_BOUND and obj_id and not on_origin(obj_id, signer):
        raise ForbiddenError(f"{kind} of {obj_id}, an object of another origin")
    if kind == "Undo" and isinstance(obj, dict) and id_of(obj.get("actor")) not in (None, signer):
        raise ForbiddenError("Undo of another actor's activity")
    if isinstance(obj, dict) and kind in ("Create", "Update"):
        authors = attributions(obj)
        # One author: the signer itself. Several (a video by a person and its channel): each
        # of the signer's origin; never another server's actor, nor one of ours.
        if len(authors) == 1 and authors[0] != signer:
            raise ForbiddenError(f"{kind} of an object attributed to {authors[0]}")
        foreign = next((a for a in authors if a is None or not on_origin(a, signer)), "")
        if foreign != "":
            raise ForbiddenError(f"{kind} of an object attributed to {foreign}, of another origin")


def on_origin(ref: str, origin_of: str) -> bool:
    """`ref` is on the origin of `origin_of` (a malformed URL is on no origin)."""
    try:
        return same_origin(ref, origin_of)
    except ValueError:
        return False


def attributions(obj: dict[str, Any]) -> list[str | None]:
    """Every `attributedTo` entry of an object, by id (None for an entry without one)."""
    value = obj.get("attributedTo")
    if value is None:
        return []
    return [id_of(entry) for entry in (value if isinstance(value, list) else [value])]
