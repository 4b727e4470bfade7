"""The résidentothèque: members who joined the place and whom the place's team validated.

A member sends `Join` to their place; the row waits (`pending`) until the team validates it
(`interlieux resident accept`, or POST /residents/{handle}/accept with the place's token); the
place then answers `Accept` (or `Reject`; a client may post either to the place's outbox, with
the Join as object), and the member appears in the public residents collection with the
public part of their profile. Each profile field has its own visibility: `public` (anyone),
`network` (kept for the places of the network; never in the public faces), `private` (this
node only). Public faces — the actor document, the residents collection, SPARQL, exports —
are built from `public` fields only, so private and network fields never leave the node there.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from vocab import shapes, skills
from vocab.context import PUBLIC

from ..activity import id_of, type_of
from ..actors import local
from ..errors import InvalidActivity, NotFoundError
from ..outbox.publish import emit
from ..query import graph
from ..routing import Route
from ..sqlite import Connection
from ..store import Store
from ..tables import local_actors, profile_fields
from ..tables import residents as residents_table

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node

VISIBILITIES = ("public", "network", "private")
PROFILE_FIELDS = ("skill", "availability", "projects")


def check_field(field: str, value: Any, visibility: str) -> Any:
    if field not in PROFILE_FIELDS:
        raise InvalidActivity(
            f"unknown profile field {field}",
            fr=f"Champ de profil inconnu « {field} » : choisissez parmi "
            f"{', '.join(PROFILE_FIELDS)}.",
            en=f"Unknown profile field '{field}': choose among {', '.join(PROFILE_FIELDS)}.",
        )
    if visibility not in VISIBILITIES:
        raise InvalidActivity(
            f"unknown visibility {visibility}",
            fr=f"Visibilité « {visibility} » inconnue : public (tout le monde), network (les "
            "lieux du réseau) ou private (ce nœud seulement).",
            en=f"Unknown visibility '{visibility}': public, network or private.",
        )
    violations = shapes.check({field: value}, "Profile")
    if violations:
        raise InvalidActivity(
            "profile: " + "; ".join(v.en for v in violations),
            fr=shapes.describe(violations, "Profile", "fr"),
            en=shapes.describe(violations, "Profile", "en"),
        )
    if field == "skill":
        return [skills.expand(s) for s in value]
    return value


async def set_field(db: Connection, handle: str, field: str, value: Any, visibility: str) -> None:
    value = check_field(field, value, visibility)
    await profile_fields.put(db, handle, field, json.dumps(value, ensure_ascii=False), visibility)


async def set_visibility(db: Connection, handle: str, field: str, vis: str) -> None:
    check_field(field, [] if field in ("skill", "projects") else "", vis)
    await profile_fields.set_visibility(db, handle, field, vis)


async def public_profile(
    store_or_db: Store | Connection, actor: LocalActor, network: bool = False
) -> dict[str, Any]:
    """The public fields of a member's profile (and the `network` ones for the network's
    places), and their place if validated. Private fields are never read here."""
    db = store_or_db.reads if isinstance(store_or_db, Store) else store_or_db
    shown = ("public", "network") if network else ("public",)
    found: dict[str, Any] = {}
    for row in await profile_fields.of(db, actor.handle):
        if row["visibility"] in shown:
            found[row["field"]] = json.loads(row["value"])
    place = await residents_table.place_of(db, actor.id)
    if place is not None:
        found["residentOf"] = place
    return found


async def resident_document(db: Connection, actor: LocalActor) -> dict[str, Any]:
    """What the public graph holds about a resident: name and public fields, nothing else."""
    return {
        "id": actor.id,
        "type": "Person",
        "name": actor.name,
        "to": [PUBLIC],
        **await public_profile(db, actor),
    }


async def publish_profile(db: Connection, node: Node, actor: LocalActor) -> None:
    """Refresh the resident's public profile in the graph (or take it out if not a resident),
    and tell the places that follow ours (`announce`)."""
    resident = await residents_table.is_resident(db, actor.id)
    document = await resident_document(db, actor) if resident else None
    await graph.sync(db, actor.id, document, local=True)
    if resident:
        await announce(db, node, "Add", actor.id)


async def announce(db: Connection, node: Node, kind: str, member_id: str) -> None:
    """An `Add` (a new resident, or a resident's public profile changed) or a `Remove` of the
    member to the place's residents collection, sent to the place's followers: the places
    that follow ours keep its residents in their knowledge graph, and read them again."""
    place_handle = await local_actors.place_handle(db)
    if place_handle is None:
        return
    place = await local.by_handle(node.store, place_handle)
    await emit(db, node, place, {
        "type": kind, "actor": place.id, "object": member_id,
        "target": f"{node.config.base_url}/residents", "to": [PUBLIC], "cc": [place.followers],
    })  # fmt: skip


async def _join_place(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    place_id = id_of(activity.get("object"))
    if not await local_actors.is_place(db, place_id):
        return
    await residents_table.ask(db, str(id_of(activity["actor"])), str(place_id), activity["id"])


async def admit(db: Connection, node: Node, place: LocalActor, member_id: str) -> Any:
    """List a member as the place's resident; returns their Join row (None without a Join)."""
    row = await residents_table.find(db, member_id)
    member = await local.by_id(node.store, member_id)
    if row is None and member is None:
        raise NotFoundError(
            f"no Join from {member_id}",
            fr=f"Aucune demande de résidence de {member_id} : le membre doit d'abord rejoindre "
            "le lieu (activité Join), ou être un membre de ce nœud.",
            en=f"No residency request from {member_id}: the member must first Join the place, "
            "or be a member of this node.",
        )
    await residents_table.admit(db, member_id, place.id)
    if member is not None:
        await publish_profile(db, node, member)
    return row


async def accept(db: Connection, node: Node, place: LocalActor, member_id: str) -> None:
    """The place's team validates a member: Accept their Join (if any), list them."""
    row = await admit(db, node, place, member_id)
    if row is not None and row["join_id"] and row["state"] != "accepted":
        join = {"id": row["join_id"], "type": "Join", "actor": member_id, "object": place.id}
        await emit(db, node, place, {"type": "Accept", "actor": place.id, "object": join,
                                     "to": [member_id]})  # fmt: skip


async def refuse(
    db: Connection, node: Node, place: LocalActor, member_id: str, reason: str = ""
) -> None:
    """The place's team turns a residency request down (or takes a resident off the list);
    a member who sent a Join hears it as a Reject."""
    row = await residents_table.find(db, member_id)
    if row is None:
        raise NotFoundError(
            f"no residency of {member_id}",
            fr=f"{member_id} n'est ni résident ni en attente de validation : rien à refuser.",
            en=f"{member_id} is neither a resident nor waiting: nothing to reject.",
        )
    await remove(db, node, member_id)
    if row["join_id"]:
        join = {"id": row["join_id"], "type": "Join", "actor": member_id, "object": place.id}
        answer: dict[str, Any] = {"type": "Reject", "actor": place.id, "object": join,
                                  "to": [member_id]}  # fmt: skip
        if reason:
            answer["content"] = reason
        await emit(db, node, place, answer)


# --- a client's Accept or Reject of a residency Join, through the place's outbox --------------


def _residency_join(actor: LocalActor, activity: dict[str, Any]) -> dict[str, Any] | None:
    join = activity.get("object")
    if isinstance(join, dict) and id_of(join.get("object")) == actor.id:
        return join
    return None


async def _check_answer(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
    join = _residency_join(actor, activity)
    if join is None:
        return
    state = await residents_table.state_of_join(
        node.store.reads, str(id_of(join.get("actor"))), join.get("id")
    )
    # An Accept needs a pending request; a Reject may also take a resident off the list.
    if state is None or (type_of(activity) == "Accept" and state != "pending"):
        raise NotFoundError(
            f"no pending residency Join {join.get('id')}",
            fr="Cette demande de résidence n'est plus en attente (déjà validée ou refusée) : "
            "rien n'a été envoyé.",
            en="This residency request is no longer pending (already accepted or rejected): "
            "nothing was sent.",
        )


async def _accepted(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    join = _residency_join(actor, activity)
    if join is not None:
        # The Accept itself is the client's activity, recorded and delivered by the outbox.
        await admit(db, node, actor, str(id_of(join.get("actor"))))


async def _rejected(
    db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
) -> None:
    join = _residency_join(actor, activity)
    if join is not None:
        await remove(db, node, str(id_of(join.get("actor"))))


async def remove(db: Connection, node: Node, member_id: str) -> None:
    was_resident = await residents_table.is_resident(db, member_id)
    await residents_table.remove(db, member_id)
    await graph.sync(db, member_id, None, local=True)
    if was_resident:
        await announce(db, node, "Remove", member_id)


ACTIVITY_ROUTES = [
    Route("Join", on_receive=_join_place),
    Route("Accept", "Join", on_validate=_check_answer, on_publish=_accepted),
    Route("Reject", "Join", on_validate=_check_answer, on_publish=_rejected),
]
