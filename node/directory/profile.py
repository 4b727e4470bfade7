"""A member's own profile as they edit it: their name and presentation (always public: the
actor document needs them), and the directory's fields (`residents.PROFILE_FIELDS`), each with
who may see it.

Saving goes through the functions the `profile` command uses (`residents.set_field`,
`set_visibility`, `publish_profile`), so the graph and the places that follow ours hear of it
the same way; when what the public sees changed, the member's followers get an `Update` of
the actor, as `place.announce_change` sends a place's. `seen_by` says what each audience
sees: the preview on the member's page and the node's faces read the same rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from vocab import skills

from ..errors import InvalidParameter, too_long
from ..outbox.publish import publish_outgoing
from ..tables import local_actors, profile_fields
from ..tables import residents as residents_table
from . import place, residents

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node
    from ..store import Store

# Who sees a field set at each level, widest audience first: everyone sees `public`, the
# network's places also `network`, the member and their place's team everything.
SEES: dict[str, tuple[str, ...]] = {
    "public": ("public",),
    "network": ("public", "network"),
    "private": residents.VISIBILITIES,
}
MAX_NAME = 100  # characters; a name longer than a line helps nobody find a person
MAX_SUMMARY = 1000  # characters of presentation (Mastodon allows 500; a résumé is longer)
LIST_FIELDS = ("skill", "projects")


@dataclass(frozen=True)
class Field:
    value: Any  # a list for skill and projects, text for availability; None: empty
    visibility: str


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    fields: dict[str, Field]  # every field of residents.PROFILE_FIELDS


def empty(value: Any) -> bool:
    return value is None or value == "" or value == []


async def load(store: Store, actor: LocalActor) -> Profile:
    """The member's whole profile, private fields included: for the member themselves."""
    found = {
        row["field"]: Field(json.loads(row["value"]), row["visibility"])
        for row in await profile_fields.of(store.reads, actor.handle)
    }
    fields = {f: found.get(f, Field(None, "private")) for f in residents.PROFILE_FIELDS}
    return Profile(actor.name, actor.summary, fields)


def seen_by(profile: Profile, audience: str) -> dict[str, Any]:
    """The fields `audience` (public, network, private) sees, empty ones left out (pure)."""
    shown = SEES[audience]
    return {
        name: f.value
        for name, f in profile.fields.items()
        if f.visibility in shown and not empty(f.value)
    }


def check_identity(name: str, summary: str) -> tuple[str, str]:
    """The name and presentation as kept, or InvalidParameter saying what to change (pure)."""
    name, summary = name.strip(), summary.strip()
    if not name:
        raise InvalidParameter(
            "empty name",
            fr="Indiquez votre nom : c'est ainsi que le réseau vous présente.",
            en="Give your name: that is how the network shows you.",
        )
    if len(name) > MAX_NAME:
        raise too_long(MAX_NAME, "Votre nom", "Your name")
    if len(summary) > MAX_SUMMARY:
        raise too_long(MAX_SUMMARY, "Votre présentation", "Your presentation", feminine=True)
    return name, summary


def check_skills(chosen: list[str]) -> list[str]:
    """The chosen concepts as full IRIs, each of the nomenclature (pure but for it)."""
    found = []
    for short in chosen:
        skill = skills.get(short)
        if skill is None:
            raise InvalidParameter(
                f"unknown skill {short}",
                fr=f"La compétence « {short} » n'est pas dans la nomenclature : choisissez "
                "dans la liste.",
                en=f"The skill '{short}' is not in the nomenclature: choose from the list.",
            )
        if skill.iri not in found:
            found.append(skill.iri)
    return found


async def save(node: Node, actor: LocalActor, wanted: Profile) -> int:
    """Keep the member's profile as `wanted`; the number of inboxes their Update was queued
    for (sent only when what the public sees changed, to their followers)."""
    before = await load(node.store, actor)
    name, summary = check_identity(wanted.name, wanted.summary)
    wanted = replace(wanted, name=name, summary=summary)
    for field, f in wanted.fields.items():
        if not empty(f.value):
            residents.check_field(field, f.value, f.visibility)  # raises before any write
    if wanted == before:
        return 0
    described = replace(actor, name=name, summary=summary)
    async with node.store.write() as db:
        if (name, summary) != (before.name, before.summary):
            await local_actors.describe(db, actor.handle, name, summary)
        for field, f in wanted.fields.items():
            old = before.fields[field]
            if f == old:
                continue
            if empty(f.value):
                await profile_fields.remove(db, actor.handle, field)
            elif f.value == old.value:
                await residents.set_visibility(db, actor.handle, field, f.visibility)
            else:
                await residents.set_field(db, actor.handle, field, f.value, f.visibility)
        await residents.publish_profile(db, node, described)
    public_before = (before.name, before.summary, seen_by(before, "public"))
    if public_before == (name, summary, seen_by(wanted, "public")):
        return 0
    return await place.announce_change(node, described)


async def residency(store: Store, actor: LocalActor) -> str | None:
    """`accepted`, `pending` (waiting for the team) or None: the member's residency here."""
    row = await residents_table.find(store.reads, actor.id)
    return None if row is None else str(row["state"])


async def ask_residency(node: Node, actor: LocalActor) -> None:
    """The member asks to be listed among the place's residents: a `Join` of the place from
    their outbox, as any client sends it; the team validates it (`resident accept`)."""
    place_id = await local_actors.place_id(node.store.reads)
    assert place_id is not None  # a node always has its place once initialised
    await publish_outgoing(node, actor, {"type": "Join", "object": place_id, "to": [place_id]})
