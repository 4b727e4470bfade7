"""A member erases their account: their actor is deleted for the whole network, what is theirs
is removed here, and what the place must keep (visits already claimed, the books, credit
accounts, badges a claim is checked against) is kept under an anonymous marker.

Here, in one transaction: a `Delete` of the actor (signed with the member's key, as every
server expects an actor's own Delete) is stored and queued for every server that may hold the
actor or its objects — its followers' servers, the servers it follows, the peer places, the
places it visited, and every inbox something of theirs was ever delivered to; then the
sessions, passkeys, invitations, tokens, account, profile fields, projects, residency,
participations, reactions, interests in projects (`directory.interests`: the others interested
are re-introduced without them, and the interests in the projects they carried end), inbox and
activities are removed, the objects become tombstones, and the records that stay name the
marker instead of the actor. The actor's row stays as a
tombstone (no name, type `Tombstone`, served 410 Gone) with its keys: the queued Delete is
signed with them while it is retried, and the id is never given to another member.

Received, another server's actor's `Delete` of themselves (`_actor_deleted`, verified by the
inbox: signed with that actor's key) drops their objects, activities, participations and
interests in projects (the core has already forgotten the actor, its keys and its follows,
`node.objects`), and this node's records of their visits and claims keep them under a marker
of its own.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vocab.context import DOCUMENT_CONTEXT, PUBLIC

from .. import objects as object_effects
from .. import tables
from ..access import badge
from ..activity import id_of
from ..actors import local, names
from ..directory import interests
from ..directory.projects import is_project
from ..errors import ForbiddenError, InvalidParameter, NotFoundError
from ..outbox.publish import Outgoing, prepare, record
from ..query import graph
from ..routing import Route
from ..sqlite import Connection

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node

MARKER_PREFIX = names.ERASED_PREFIX


@dataclass(frozen=True)
class Erased:
    actor_id: str
    marker: str
    delete_id: str
    inboxes: tuple[str, ...]  # where the Delete was queued


def new_marker() -> str:
    """What stands for an erased member in the records kept: random, so that it says nothing
    of who they were and two erased members are not one."""
    return MARKER_PREFIX + secrets.token_hex(12)


def confirmed(typed: str, handle: str) -> bool:
    """Whether the member typed their own handle (`alice`, `@alice`, `@alice@host`) (pure)."""
    text = typed.strip().lower().removeprefix("@")
    return text.partition("@")[0] == handle.lower() and text != ""


def not_confirmed() -> InvalidParameter:
    return InvalidParameter(
        "erasure not confirmed",
        fr="Pour effacer votre compte, tapez votre identifiant exactement (par exemple "
        "« alice ») : rien n'a été effacé.",
        en="To erase your account, type your username exactly (for example 'alice'): nothing "
        "was erased.",
    )


def audience(
    actor_id: str,
    followees: Iterable[str],
    peers: Iterable[str],
    visited: Iterable[str],
    is_local: Any,
) -> list[str]:
    """Who, besides the actor's followers, must hear of the Delete (pure): the servers the
    actor follows (they list it as a follower), the peer places (they honour its badges) and
    the places it visited (their books name it), each once, none of this node's."""
    found: list[str] = []
    for ref in (*followees, *peers, *visited):
        if ref and ref != actor_id and ref != PUBLIC and not is_local(ref) and ref not in found:
            found.append(ref)
    return found


def delete_activity(actor: LocalActor, base_url: str, cc: Iterable[str]) -> dict[str, Any]:
    """The actor's Delete of themselves, as Mastodon sends it: to Public, object the actor's
    id (pure but for the minted id)."""
    return {
        "@context": DOCUMENT_CONTEXT,
        "id": f"{base_url}/activities/{uuid.uuid4()}",
        "type": "Delete",
        "actor": actor.id,
        "object": actor.id,
        "to": [PUBLIC],
        "cc": [actor.followers, *cc],
    }


def every_inbox(resolved: Iterable[str], delivered_before: Iterable[str]) -> tuple[str, ...]:
    """The inboxes the addressing found, then those something of the actor's reached before
    (pure): a server that got one of their notes holds it, followed or not."""
    return tuple(dict.fromkeys([*resolved, *delivered_before]))


async def member_actor(node: Node, handle: str) -> LocalActor:
    actor = await local.by_handle(node.store, handle)
    account = await tables.accounts.by_handle(node.store.reads, handle)
    if actor.type != "Person" or account is None:
        raise NotFoundError(
            f"{handle} is no member with an account",
            fr=f"« {handle} » n'est pas un membre avec un compte sur ce nœud.",
            en=f"'{handle}' is not a member with an account on this node.",
        )
    return actor


def last_admin() -> ForbiddenError:
    return ForbiddenError(
        "the place's last admin account is not erased",
        fr="C'est le dernier compte « administration » du lieu : donnez d'abord ce rôle à "
        "quelqu'un d'autre (page Membres de l'équipe), puis effacez ce compte.",
        en="This is the place's last 'administration' account: give the role to someone else "
        "first (the team's Members page), then erase this account.",
    )


async def _check_not_last_admin(db: Connection, handle: str) -> None:
    account = await tables.accounts.by_handle(db, handle)
    holds_admin = account is not None and "admin" in str(account["roles"]).split(",")
    if holds_admin and await tables.accounts.count_holding(db, "admin") <= 1:
        raise last_admin()


async def erase(node: Node, handle: str) -> Erased:
    """Erase a member's account (see the module's docstring). The place's last admin account
    is refused: nobody would be left to give the role."""
    actor = await member_actor(node, handle)
    reads = node.store.reads
    await _check_not_last_admin(reads, handle)  # before the badges are revoked
    # Their badges stop opening doors everywhere first: the peers hear of the revocation.
    if await tables.grants.active_ids_of_member(reads, actor.id):
        await badge.revoke(node, member_handle=handle)
    visits = await tables.visits.of_member(reads, actor.id)
    cc = audience(
        actor.id,
        await tables.follows.accepted_followees(reads, actor.id),
        await tables.peers.every_peer(reads),
        [v.place for v in visits],
        node.config.is_local,
    )
    activity = delete_activity(actor, node.config.base_url, cc)
    resolved = await prepare(node, actor, activity)
    delivered = await tables.deliveries.inboxes_of_signer(reads, handle)
    # Local recipients get nothing: this node makes every effect itself, below.
    out = Outgoing(actor, resolved.activity, every_inbox(resolved.inboxes, delivered))
    marker = new_marker()
    delete_id = str(out.activity["id"])
    async with node.store.write() as db:
        await _check_not_last_admin(db, handle)  # again: two admins erasing themselves at once
        await record(db, out)
        await tables.erasures.add(db, actor.id, handle, delete_id, time.time())
        # Out of the projects they were interested in (the others re-introduced), and the
        # interests in the projects they carried ended, before these become tombstones.
        await interests.person_gone(db, node, actor.id, await _projects_of(db, actor.id))
        await _remove_own(db, actor, handle, delete_id)
        await _keep_anonymous(db, actor.id, marker)
        await tables.local_actors.erase(db, handle)
    return Erased(actor.id, marker, delete_id, out.inboxes)


async def _projects_of(db: Connection, actor_id: str) -> list[str]:
    """The projects an actor carries that this node holds, not deleted."""
    return [str(r["id"]) for r in await tables.objects.of_author(db, actor_id)
            if r["deleted_at"] is None and is_project({"type": r["type"]})]  # fmt: skip


async def _remove_own(db: Connection, actor: LocalActor, handle: str, delete_id: str) -> None:
    """What is the member's alone: gone."""
    for row in await tables.objects.of_author(db, actor.id):
        if row["deleted_at"] is None:
            await object_effects.tombstone(db, actor.id, str(row["id"]), str(row["type"]))
            await graph.sync(db, str(row["id"]), None, local=True)
    await graph.sync(db, actor.id, None, local=True)  # a public profile in the graph
    await tables.activities.forget_actor(db, actor.id, keep=delete_id)
    # The account's rows refer to it: they go first.
    await tables.sessions.forget_handle(db, handle)
    await tables.passkeys.forget_handle(db, handle)
    await tables.indieauth_codes.forget_handle(db, handle)
    await tables.invitations.forget_handle(db, handle)
    await tables.signup_requests.forget_handle(db, handle)
    await tables.accounts.remove(db, handle)
    await tables.tokens.forget_handle(db, handle)
    await tables.profile_fields.forget_handle(db, handle)
    await tables.projects.forget_handle(db, handle)
    await tables.volunteer_offers.forget_volunteer(db, actor.id, handle)
    await tables.residents.remove(db, actor.id)
    await tables.event_participants.forget_actor(db, actor.id)
    await tables.event_requests.forget_actor(db, actor.id)
    await tables.reactions.forget_actor(db, actor.id)
    await tables.inbox_items.forget_owner(db, handle)
    await tables.follows.forget_actor(db, actor.id)
    await tables.badge_texts.forget_member(db, actor.id)


async def _keep_anonymous(db: Connection, actor_id: str, marker: str) -> None:
    """What the place must keep (the evidence of visits others are paid for, the books,
    the credit accounts, the badges claims are checked against): under the marker."""
    await tables.visits.anonymize_member(db, actor_id, marker)
    await tables.taps.anonymize_member(db, actor_id, marker)
    await tables.grants.anonymize_member(db, actor_id, marker)
    await tables.credit_accounts.anonymize_member(db, actor_id, marker)
    await tables.claims.anonymize_visitor(db, actor_id, marker)
    await tables.activities.anonymize_mentions(db, actor_id, marker)


async def _actor_deleted(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """Another server's actor deleted themselves (see the module's docstring)."""
    actor = id_of(activity.get("actor"))
    if actor is None or id_of(activity.get("object")) != actor or node.config.is_local(actor):
        return
    await interests.person_gone(db, node, actor, await _projects_of(db, actor))
    for row in await tables.objects.of_author(db, actor):
        if row["deleted_at"] is None:
            await object_effects.tombstone(db, actor, str(row["id"]), str(row["type"]))
            await graph.sync(db, str(row["id"]), None, local=False)
    await tables.event_participants.forget_actor(db, actor)
    await tables.event_requests.forget_actor(db, actor)
    await tables.reactions.forget_actor(db, actor)
    # Their visits here stay claimable (a claim is checked by visit, badge and date, never by
    # name), under a marker of this node's own: nothing links it to the home place's.
    await tables.activities.forget_actor(db, actor, keep=str(activity.get("id")))
    await _keep_anonymous(db, actor, new_marker())


ACTIVITY_ROUTES = [Route("Delete", on_receive=_actor_deleted)]
