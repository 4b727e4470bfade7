"""What a step's signed companions share: pledges, matching rules, evaluations and supports.

Each is signed by its author's Ed25519 key (`eddsa-jcs-2022`, `ledger.proof`): a pledge, a
rule and an evaluation are objects in a `Create`, a support is the `Like` itself (and its
`Undo`), so its author is the activity's actor. A node takes one when its author sent it, or
when the home of a step it is about passes it on (an `Announce` embedding it, signature and
all); either way the proof must verify against the author's own key, so that no home can say
a place pledged, evaluated or supported what it did not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..activity import id_of, on_origin, type_of
from ..actors import local
from ..errors import ForbiddenError, SignatureError
from ..ledger import proof
from ..outbox.publish import emit
from ..sqlite import Connection
from ..tables import steps

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# Signed activities (not objects): their author is their actor.
SIGNED_ACTIVITIES = frozenset({"Like", "Undo"})


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def author_of(signed: dict[str, Any]) -> str | None:
    """Who signs it: a support's actor, an object's `attributedTo`."""
    if type_of(signed) in SIGNED_ACTIVITIES:
        return id_of(signed.get("actor"))
    return id_of(signed.get("attributedTo"))


def about(signed: dict[str, Any]) -> list[str]:
    """The steps (or other objects) it is about: what a pledge or a rule `funds`, what an
    evaluation reviews, what a support likes (an Undo's, through its Like)."""
    kind = type_of(signed)
    if kind == "Undo":
        inner = signed.get("object")
        return about(inner) if isinstance(inner, dict) else []
    if kind == "Like":
        value = signed.get("object")
    elif "itemReviewed" in signed:
        value = signed.get("itemReviewed")
    else:
        value = signed.get("funds")
    return [str(id_of(s)) for s in _as_list(value) if id_of(s)]


def check_proof(signed: dict[str, Any], author: str, find_key: proof.KeyFinder) -> None:
    """Raises ForbiddenError unless `signed` is signed by `author`'s own key."""
    try:
        method = proof.verify(signed, find_key)
    except SignatureError as exc:
        raise ForbiddenError(f"{type_of(signed)} {id_of(signed)} refused: {exc.log}") from exc
    if method.split("#")[0] != author:
        raise ForbiddenError(
            f"{type_of(signed)} {id_of(signed)} is signed by {method}, not {author}"
        )


def signed_author(activity: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The signed thing an activity brings and its author: a Like or an Undo itself, the
    object of a Create by its author, or what a step's home Announces. Raises ForbiddenError
    when the sender may not speak for it."""
    sender = str(id_of(activity["actor"]))
    kind = type_of(activity)
    signed = activity if kind in SIGNED_ACTIVITIES else activity.get("object")
    if not isinstance(signed, dict):
        raise ForbiddenError(f"{kind} of a {type_of(signed)} it does not embed")
    author = author_of(signed)
    if author is None or not on_origin(str(id_of(signed)), author):
        raise ForbiddenError(f"{type_of(signed)} {id_of(signed)} is not on its author's origin")
    if kind != "Announce" and author != sender:
        raise ForbiddenError(f"{type_of(signed)} {id_of(signed)} is {author}'s, sent by {sender}")
    # Only a step's home passes on another's: one of the steps it is about is on the
    # announcer's origin.
    if author != sender and not any(on_origin(step, sender) for step in about(signed)):
        raise ForbiddenError(f"{sender} announces {id_of(signed)}, about no step of its")
    return signed, author


async def announced_by_home(
    db: Connection, activity: dict[str, Any], signed: dict[str, Any]
) -> None:
    """An Announce of another's signed thing comes from the home of a step it is about: by
    origin (`signed_author`), and by actor for the steps this node holds."""
    sender = id_of(activity["actor"])
    if type_of(activity) != "Announce" or author_of(signed) == sender:
        return
    homes = [row["author"] for row in [await steps.get(db, s) for s in about(signed)] if row]
    if homes and sender not in homes:
        raise ForbiddenError(f"{sender} announces {id_of(signed)}, about none of its steps")


def sign(signed: dict[str, Any], actor: LocalActor) -> None:
    """Sign it as it will be stored and sent (in place): every node checks this."""
    signed.pop("proof", None)
    signed["proof"] = proof.sign(signed, actor.keys.ed25519_private, actor.ed25519_key_id)["proof"]


async def address_homes(node: Node, activity: dict[str, Any], subjects: list[str]) -> None:
    """A signed thing goes to each step's home (and, public, to the author's followers): the
    homes of the steps we know are added to its audience, the activity's and, for a Create,
    the object's alike (AS2 6.2)."""
    documents = [activity]
    if type_of(activity) == "Create" and isinstance(activity.get("object"), dict):
        documents.append(activity["object"])
    for step_id in subjects:
        row = await steps.get(node.store.reads, step_id)
        home = row["author"] if row is not None else None
        if home and not node.config.is_local(home):
            for document in documents:
                if home not in [id_of(r) for r in _as_list(document.get("to"))]:
                    document["to"] = [*_as_list(document.get("to")), home]


async def announce(db: Connection, node: Node, signed: dict[str, Any], subjects: list[str]) -> None:
    """The step's home passes a kept signed thing on to its followers, signature and all."""
    homes = set()
    for step_id in subjects:
        row = await steps.get(db, step_id)
        if row is not None and node.config.is_local(row["author"]):
            homes.add(row["author"])
    for home_id in sorted(homes):
        home = await local.by_id(node.store, home_id)
        if home is None:
            continue
        await emit(db, node, home, {
            "type": "Announce", "actor": home.id, "object": signed,
            "to": [PUBLIC], "cc": [home.followers],
        })  # fmt: skip
