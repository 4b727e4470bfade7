"""A place supports an improvement step: a `Like` of the step (AS2: the actor "likes,
recommends or endorses the object"), signed by the place, taken back with an `Undo` of it.

Seed 001 wants each step "supported by the places that already use the solution, to check the
places' interest": a support is a place's, so it is signed by the place's Ed25519 key as a
pledge is (`signed.sign`, when the place publishes it; a member's Like of a step stays an
ordinary reaction, unsigned, as a Mastodon user's is). Then it travels as a pledge does:

- to the step's home and the place's followers; the home checks the proof while the sender
  waits (a forged one is refused with 403 and the reason), keeps a `step_supports` row and
  re-announces the Like, signature and all, to its followers, so a node following only the
  home holds every support, each checked against its own author's key;
- an `Undo` embeds the Like it takes back and is signed the same way; the home marks the row
  undone and re-announces the Undo. A node that sees the Undo before the Like keeps the row
  undone (`step_supports.undo`), so every node ends with the same supporters.

A Like without a proof (Mastodon's favourite of the step's Note) is left to the reactions.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from ..activity import id_of, type_of
from ..actors.proof_keys import proof_keys
from ..audience import is_public
from ..errors import ForbiddenError, InvalidActivity
from ..outbox.publish import publish
from ..routing import Route
from ..sqlite import Connection
from ..tables import local_actors, step_supports, steps
from ..timestamps import wire_to_posix
from . import evaluation, signed
from .steps import known_step

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node

log = logging.getLogger(__name__)


def _like_of(activity: dict[str, Any]) -> dict[str, Any] | None:
    """The Like a Like, an Undo of it, or an Announce of either is about."""
    kind = type_of(activity)
    inner = activity.get("object")
    if kind == "Like":
        return activity
    if kind == "Undo":
        return inner if type_of(inner) == "Like" and isinstance(inner, dict) else None
    if kind == "Announce" and isinstance(inner, dict):
        return _like_of(inner) if type_of(inner) in ("Like", "Undo") else None
    return None


def _signed_of(activity: dict[str, Any]) -> dict[str, Any] | None:
    """The support or its withdrawal that carries the proof: a Like or an Undo."""
    if type_of(activity) == "Announce":
        inner = activity.get("object")
        return inner if isinstance(inner, dict) else None
    return activity


def _step_of(like: dict[str, Any]) -> str | None:
    return id_of(like.get("object"))


def is_support(activity: dict[str, Any]) -> bool:
    """A place's signed support (or its withdrawal), directly or announced: it carries a proof
    (a Like without one is an ordinary reaction)."""
    claimed, like = _signed_of(activity), _like_of(activity)
    if claimed is None or like is None:
        return False
    return isinstance(claimed.get("proof"), dict) and _step_of(like) is not None


# --- published here ------------------------------------------------------------------------


async def _supporting_place(node: Node, actor: LocalActor, like: dict[str, Any]) -> str | None:
    """The step a place's Like supports, when the place likes a step this node holds."""
    step_id = _step_of(like)
    if step_id is None or await steps.get(node.store.reads, step_id) is None:
        return None
    return step_id if await local_actors.is_place(node.store.reads, actor.id) else None


async def _validate_like(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    step_id = await _supporting_place(node, actor, activity)
    if step_id is None:
        return  # a member's Like, or of something else: a reaction, nothing more
    if await step_supports.standing(node.store.reads, step_id, actor.id):
        raise InvalidActivity(
            f"{actor.id} supports {step_id} already",
            fr="Votre lieu soutient déjà cette étape.",
            en="Your place supports this step already.",
        )
    await signed.address_homes(node, activity, [step_id])


async def _publish_like(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    step_id = await _supporting_place(node, actor, activity)
    if step_id is None:
        return
    signed.sign(activity, actor)
    await step_supports.add(db, activity["id"], step_id, actor.id,
                            wire_to_posix(activity["published"]), time.time())  # fmt: skip


async def _validate_undo(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    like = _like_of(activity)
    step_id = _step_of(like) if like else None
    if like is None or step_id is None:
        return
    if id_of(like) not in await step_supports.standing(node.store.reads, step_id, actor.id):
        return  # not a standing support of the place: an ordinary Undo of a reaction
    await signed.address_homes(node, activity, [step_id])


async def _publish_undo(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    like = _like_of(activity)
    step_id = _step_of(like) if like else None
    if like is None or step_id is None:
        return
    if id_of(like) not in await step_supports.standing(db, step_id, actor.id):
        return
    signed.sign(activity, actor)
    await step_supports.undo(db, str(id_of(like)), step_id, actor.id,
                             wire_to_posix(str(like.get("published"))), time.time())  # fmt: skip


# --- received -------------------------------------------------------------------------------


def _checked_claim(activity: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(the signed Like or Undo, the Like, its author). Raises ForbiddenError when the sender
    may not speak for it, or an Undo takes back another's Like."""
    claimed, author = signed.signed_author(activity)
    like = _like_of(activity)
    if like is None or id_of(like.get("actor")) != author:
        raise ForbiddenError(f"{type_of(claimed)} {id_of(claimed)} takes back another's Like")
    return claimed, like, author


async def _arrived(node: Node, activity: dict[str, Any]) -> None:
    """In the inbox's request: a support's proof against its place's key (fetched if need
    be); a forged one is refused with 403 and the reason."""
    if not is_support(activity):
        return
    claimed, _, author = _checked_claim(activity)
    await signed.announced_by_home(node.store.reads, activity, claimed)
    signed.check_proof(claimed, author, await proof_keys(node, claimed, fetch=True))


async def _received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A support or its withdrawal, sent by its place or announced by the step's home:
    checked again (the backfill brings activities without the arrival check), kept, and
    passed on by the step's home."""
    if not is_support(activity):
        return
    try:
        claimed, like, author = _checked_claim(activity)
        await signed.announced_by_home(db, activity, claimed)
        signed.check_proof(claimed, author, await proof_keys(node, claimed, fetch=False))
        step_id = str(_step_of(like))
        published = wire_to_posix(str(like.get("published")))
    except (ForbiddenError, ValueError) as exc:
        log.warning("support %s not kept: %s", id_of(_signed_of(activity)), exc)
        return
    now = time.time()
    if type_of(claimed) == "Undo":
        changed = await step_supports.undo(db, str(id_of(like)), step_id, author, published, now)
    else:
        changed = await step_supports.add(db, str(id_of(like)), step_id, author, published, now)
    # Passed on once, by the step's home, when its place sent it (not when it comes back
    # announced, nor for our own place's, which reached our followers already).
    local = node.config.is_local(author)
    if changed and type_of(activity) != "Announce" and is_public(claimed) and not local:
        await signed.announce(db, node, claimed, [step_id])


# --- what the place's team does (the command and the step's page) -------------------------


async def support(node: Node, place: LocalActor, step_id: str) -> dict[str, Any]:
    """The place supports the step (read from its home first if this node does not hold it):
    the Like published, signed."""
    await known_step(node, step_id)
    return await publish(node, place, {"type": "Like", "object": step_id, "to": [signed.PUBLIC]})


async def withdraw(node: Node, place: LocalActor, step_id: str) -> list[dict[str, Any]]:
    """The place takes back its support: an Undo of each standing Like (the outbox embeds
    it, as Mastodon's Undo does, so that every node knows which step it was about)."""
    standing = await step_supports.standing(node.store.reads, step_id, place.id)
    if not standing:
        raise InvalidActivity(
            f"{place.id} does not support {step_id}",
            fr="Votre lieu ne soutient pas cette étape : il n'y a rien à retirer.",
            en="Your place does not support this step: there is nothing to take back.",
        )
    return [
        await publish(node, place, {"type": "Undo", "object": like_id, "to": [signed.PUBLIC]})
        for like_id in standing
    ]


async def supporters(db: Connection, step_id: str) -> list[str]:
    """The places that support the step, as every node holding the same rows says."""
    return evaluation.supporters(await step_supports.for_step(db, step_id), step_id)


ACTIVITY_ROUTES = [
    Route("Like", on_validate=_validate_like, on_publish=_publish_like, on_receive=_received,
          on_arrival=_arrived),
    Route("Undo", "Like", on_validate=_validate_undo, on_publish=_publish_undo,
          on_receive=_received, on_arrival=_arrived),
    Route("Announce", "Like", on_receive=_received, on_arrival=_arrived),
    Route("Announce", "Undo", on_receive=_received, on_arrival=_arrived),
]  # fmt: skip
