"""The network as an actor: a `Group` hosted by one node, whose members are places.

    network create (the founder is its first member)
    network join   (a place's Join, kept as a request)
    network admit  (the founding second member, while the founder is alone)
    network leave  (a place's Leave: it is no member from then on; the host place stays)
    decision propose ─► Offer of a Proposal ─► opened at its arrival: Add to every member
    decision vote    ─► Create of a signed Vote ─► taken at arrival, or refused with the reason

Proposals and votes are taken when they reach the Group's inbox (the routes' `on_arrival`),
not later by the inbox worker: a refusal is answered to the sender with its reason (4xx), and
what is taken is dated by its arrival, which is what the close is measured against.
    the close (closing.py) ─► Add of the signed Decision; an adopted admission or rule applied

A place joins with a `Join` (AS2: "the actor has joined the object"), not a `Follow`:
following is reading a network's announcements, which anyone may do; joining is asking for a
vote in it, which only a decision grants. The request is kept until a decision admits the place.

The founding second member: admission is by decision, and a network of one place decides by
that place's vote alone, so `network admit` lets the founder's node admit one place while the
founder is the only member. From the second member on, only a decision admits.

What the Group announces to its members, each addressed to every member place:
- `Add` of a `Proposal` to its decisions (opened, with the members at the opening),
- `Add` of the signed `Decision` at the close (every counted vote embedded),
- `Add` of a place to its members (the whole list after it, in `members`),
- `Remove` of a place from its members, when it left (the list after it; to the leaver too),
- `Update` of the Group itself when its rules change (its document carries `rules`).

What a member node makes of them, in the transaction that takes each (`_network_changed`):
the network's members are its place's peers, on the network's terms (node/access/peering.py);
the credit accounts it opened on the network's overdraft follow the rule (node/ledger/credit.py).
A place that leaves drops the peers it had only through the network, at once.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from ..access import peering
from ..activity import id_of, recipients, type_of
from ..actors import local
from ..actors.document import actor_document
from ..actors.proof_keys import proof_key
from ..errors import ConfigError, ForbiddenError, NotFoundError
from ..ledger import credit
from ..origin import same_origin
from ..outbox.publish import emit
from ..routing import Route
from ..sqlite import Connection
from ..tables import (
    decision_votes,
    decisions,
    local_actors,
    network_members,
    networks,
    retired_keys,
)
from ..timestamps import posix_to_wire, wire_to_posix
from . import decision, rules
from .group import GROUP, decisions_url, group_extras, members_url
from .rules import DEFAULT_RULES
from .sending import Answer, send_now

if TYPE_CHECKING:
    from ..context import Node


# --- creating and admitting ----------------------------------------------------------------


async def create(
    db: Connection, node: Node, handle: str, name: str, founder: str
) -> local.LocalActor:
    """The Group actor, its rules, and its founder as first member."""
    group = await local.create(db, node.config, handle, name, GROUP,
                               summary=f"Réseau de lieux : {name}")  # fmt: skip
    now = time.time()
    await networks.add_hosted(db, group.id, handle, DEFAULT_RULES, now)
    await network_members.admit(db, group.id, founder, now)
    await networks.set_members(db, group.id, [founder], now)
    if await local_actors.is_place(db, founder):
        await networks.set_place_state(db, group.id, "member", now)
    return group


async def hosted_group(db: Connection, node: Node, network: str) -> local.LocalActor:
    """The Group hosted here with this id or handle; NotFoundError else."""
    ref = network if network.startswith("http") else node.config.actor_id(network)
    row = await networks.find(db, ref)
    if row is None or row["handle"] is None:
        raise NotFoundError(
            f"no network {network} hosted here",
            fr=f"Aucun réseau « {network} » sur ce nœud (« interlieux network create » le crée).",
            en=f"No network '{network}' on this node ('interlieux network create' creates one).",
        )
    return await local.by_handle(node.store, str(row["handle"]))


async def admit_founding_member(
    db: Connection, node: Node, group: local.LocalActor, place: str
) -> None:
    """`network admit`: only while the founder is the network's one member (see above)."""
    members = await network_members.members(db, group.id)
    if place in members:
        raise ConfigError(f"{place} is already a member",
                          fr=f"{place} est déjà membre du réseau.",
                          en=f"{place} is already a member of the network.")  # fmt: skip
    if len(members) != 1:
        raise ForbiddenError(
            "admission is by decision once the network has two members",
            fr="Le réseau a déjà plusieurs membres : un lieu n'y entre que par décision "
            "(« interlieux decision propose --kind admit »).",
            en="The network already has several members: a place joins only by decision "
            "('interlieux decision propose --kind admit').",
        )
    await admitted(db, node, group, place)


async def admitted(db: Connection, node: Node, group: local.LocalActor, place: str) -> None:
    """`place` becomes a member: its Join answered, every member told, its rules sent."""
    now = time.time()
    join_id = await network_members.admit(db, group.id, place, now)
    members = await network_members.members(db, group.id)
    await networks.set_members(db, group.id, members, now)
    if join_id:
        await emit(db, node, group, {
            "type": "Accept", "actor": group.id, "to": [place],
            "object": {"id": join_id, "type": "Join", "actor": place, "object": group.id},
        })  # fmt: skip
    await emit(db, node, group, {
        "type": "Add", "actor": group.id, "object": place, "target": members_url(group.id),
        "members": members, "to": members,
    })  # fmt: skip
    await announce_rules(db, node, group, [place])


async def group_document(db: Connection, node: Node, group: local.LocalActor) -> dict[str, Any]:
    """The Group's actor document, with its members' collection and its rules."""
    document = actor_document(
        group, node.config.base_url, await retired_keys.of_handle(db, group.handle)
    )
    document.update(await group_extras(db, group.id))
    return document


async def announce_rules(
    db: Connection, node: Node, group: local.LocalActor, to: list[str]
) -> None:
    await emit(db, node, group, {"type": "Update", "actor": group.id, "to": to,
                                 "object": await group_document(db, node, group)})  # fmt: skip


# --- proposals (the Group's side) ----------------------------------------------------------


def _hosted_recipient(node: Node, activity: dict[str, Any]) -> list[str]:
    return [r for r in recipients(activity) if node.config.is_local(r)]


def proposal_from_draft(
    draft: dict[str, Any], decision_id: str, network: str, proposer: str,
    members: list[str], now: float, network_rules: dict[str, Any] | None = None,
) -> decision.Proposal:  # fmt: skip
    """The proposal the Group opens from a place's draft, under the network's rules (an
    admission is decided in the mode its `admission` rule says). Raises ConfigError (French
    first)."""
    try:
        closes = wire_to_posix(str(draft.get("endTime")))
    except (TypeError, ValueError) as exc:
        raise ConfigError("endTime is not an ISO 8601 time",
                          fr="Proposition : la clôture doit être une date ISO 8601.",
                          en="Proposal: the close must be an ISO 8601 time.") from exc  # fmt: skip
    quorum = draft.get("quorum")
    if quorum is not None and (isinstance(quorum, bool) or not isinstance(quorum, int)):
        raise ConfigError("quorum is not an integer", fr="Proposition : quorum non entier.",
                          en="Proposal: the quorum is not an integer.")  # fmt: skip
    subject = draft.get("object")
    kind = str(draft.get("decisionKind"))
    if kind == "rule" and isinstance(subject, dict) and "value" in subject:
        # Checked now, so that an adopted rule always reads at every member node.
        subject = {**subject, "value": rules.checked(str(subject.get("name")), subject["value"])}
    mode = draft.get("decisionMode") or decision.DEFAULT_MODE
    if kind == "admit":
        required = rules.admission_mode(network_rules or DEFAULT_RULES)
        if draft.get("decisionMode") not in (None, "", required):
            raise ConfigError(
                f"admissions are decided in {required} mode",
                fr=f"Proposition : les admissions de ce réseau se décident en mode « {required} » "
                "(sa règle admission) ; laissez le mode de côté, ou changez d'abord la règle.",
                en=f"Proposal: this network decides admissions in '{required}' mode (its "
                "admission rule); leave the mode out, or change the rule first.",
            )
        mode = required
    return decision.open_proposal(
        decision_id, network, proposer, kind, str(draft.get("name", "")),
        str(draft.get("content", "")), closes, members, now, mode=str(mode), quorum=quorum,
        subject=subject,
    )  # fmt: skip


async def _offer_arrived(node: Node, activity: dict[str, Any]) -> None:
    """A proposal reaches the Group: refused now, with the reason, if its proposer is no
    member or its terms do not hold (a close in the past, a quorum above the membership);
    else opened to the members at once, at its time of arrival (once per Offer), so that a
    close a few minutes away is not missed while the inbox queue is busy."""
    draft = activity.get("object")
    network = id_of(draft.get("audience")) if isinstance(draft, dict) else None
    row = await networks.find(node.store.reads, network) if network else None
    if row is None or row["handle"] is None or not isinstance(draft, dict):
        return
    group = await local.by_handle(node.store, str(row["handle"]))
    proposer = str(id_of(activity["actor"]))
    async with node.store.write() as db:
        if await decisions.by_offer(db, activity["id"]):
            return  # a retry of an Offer already opened
        members = await network_members.members(db, group.id)
        if proposer not in members:
            raise ForbiddenError(
                f"{proposer} is not a member of {network}",
                fr="Ce lieu n'est pas membre du réseau : seuls ses membres font des propositions.",
                en="This place is not a member of the network: only members make proposals.",
            )
        now = time.time()
        proposal = proposal_from_draft(
            draft, f"{node.config.base_url}/decisions/{uuid.uuid4()}", group.id, proposer,
            members, now, json.loads(row["rules"]),
        )  # fmt: skip
        document = proposal.to_json()
        await decisions.open_proposal(db, document, group.id, proposal.closes, activity["id"],
                                      True, now)  # fmt: skip
        await emit(db, node, group, {
            "type": "Add", "actor": group.id, "object": document,
            "target": decisions_url(group.id), "to": members,
        })  # fmt: skip


# --- votes (the Group's side) --------------------------------------------------------------


async def _vote_arrived(node: Node, activity: dict[str, Any]) -> None:
    """A vote reaches the Group: checked and taken now, at its time of arrival, or refused
    with the reason (decision.receive_vote). Taken in the transaction that checks that the
    decision is still open, so that a vote is either in the result or refused."""
    vote = activity["object"]
    decision_id = id_of(vote.get("inReplyTo"))
    found = await decisions.find(node.store.reads, decision_id) if decision_id else None
    if found is None or not found["hosted"]:
        for ref in _hosted_recipient(node, activity):
            if await networks.find(node.store.reads, ref) is None:
                continue
            raise NotFoundError(f"no decision {decision_id} here",
                                fr="Aucune décision à cette adresse sur ce réseau.",
                                en="No decision at that address in this network.")  # fmt: skip
        return
    if await decision_votes.known(node.store.reads, str(vote.get("id"))):
        return  # a retry of a vote already taken
    proposal = decision.Proposal.from_json(json.loads(found["proposal"]))
    voter = str(id_of(activity["actor"]))
    # The key its proof names, as the voter's signed request left it cached (no fetch): only
    # a key of the voter's own (its vote, not another place's forwarded).
    named = await proof_key(node, vote, fetch=False)
    keys = {named[0]: named[1]} if named and named[0].split("#")[0] == voter else {}
    async with node.store.write() as db:
        row = await decisions.find(db, proposal.id)
        received = time.time()
        if row is None or row["state"] != "open":
            received = max(received, proposal.closes + 1)  # closed: refused as after the close
        members = await network_members.members(db, proposal.network)
        ballot = decision.receive_vote(proposal, vote, keys, members, received)
        await decision_votes.take(db, ballot.id, proposal.id, ballot.place, ballot.published,
                                  json.dumps(vote), received)  # fmt: skip


# --- a place's Join and Leave (the Group's side) -------------------------------------------


async def _join_received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    network = id_of(activity.get("object"))
    row = await networks.find(db, network) if network else None
    if row is None or row["handle"] is None:
        return  # the Join of an event or of a place: the agenda's and the directory's
    place = str(id_of(activity["actor"]))
    await network_members.ask(db, str(network), place, activity["id"], time.time())


def cannot_leave(network: str) -> ForbiddenError:
    return ForbiddenError(
        f"the host place cannot leave {network}",
        fr=f"Ce lieu héberge le réseau {network} : il ne peut pas le quitter, le réseau vit sur "
        "son nœud. Les autres lieux peuvent le quitter chacun (« interlieux network leave ») ; "
        "pour que le réseau continue sans ce lieu, un autre lieu en crée un nouveau chez lui "
        "(« interlieux network create ») et les lieux le rejoignent.",
        en=f"This place hosts the network {network}: it cannot leave it, the network lives on "
        "its node. The other places can each leave it ('interlieux network leave'); for the "
        "network to go on without this place, another place creates a new one on its own node "
        "('interlieux network create') and the places join it.",
    )


async def _hosted_left(db: Connection, activity: dict[str, Any]) -> tuple[Any, str] | None:
    """(the hosted network's row, the leaving place) of a Leave of a network hosted here."""
    network = id_of(activity.get("object"))
    row = await networks.find(db, network) if network else None
    if row is None or row["handle"] is None:
        return None  # the Leave of an event: the agenda's
    return row, str(id_of(activity["actor"]))


async def _leave_checked(node: Node, actor: local.LocalActor, activity: dict[str, Any]) -> None:
    """Our place may leave a network hosted elsewhere, not the one its own node hosts."""
    found = await _hosted_left(node.store.reads, activity)
    if found is not None and found[1] == node.config.place_id:
        raise cannot_leave(str(found[0]["id"]))


async def _leave_arrived(node: Node, activity: dict[str, Any]) -> None:
    """A Leave reaches the Group: refused now, with the reason, from a place that is neither
    a member nor asked to be one (nothing to leave), or from the place hosting it."""
    found = await _hosted_left(node.store.reads, activity)
    if found is None:
        return
    row, place = found
    if place == node.config.place_id:
        raise cannot_leave(str(row["id"]))
    states = {r["place"] for r in await network_members.requests(node.store.reads, row["id"])}
    states |= set(await network_members.members(node.store.reads, row["id"]))
    if place not in states:
        raise NotFoundError(
            f"{place} is not a member of {row['id']}",
            fr="Ce lieu n'est pas membre du réseau : il n'a rien à quitter.",
            en="This place is not a member of the network: nothing to leave.",
        )


async def _leave_received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A member place leaves: no member from now on (its later votes are refused, its votes
    on open proposals no longer count), every member told, the leaver too. A place that had
    only asked withdraws its request."""
    found = await _hosted_left(db, activity)
    if found is None or found[1] == node.config.place_id:
        return
    row, place = found
    group = await local.by_id(node.store, str(row["id"]))
    if group is None or await network_members.remove(db, group.id, place) != "member":
        return
    members = await network_members.members(db, group.id)
    await networks.set_members(db, group.id, members, time.time())
    await emit(db, node, group, {
        "type": "Remove", "actor": group.id, "object": place, "target": members_url(group.id),
        "members": members, "to": [*members, place],
    })  # fmt: skip


# --- our place leaving (its side) ----------------------------------------------------------


async def leave(node: Node, network_id: str) -> Answer:
    """Our place leaves a network it belongs to (or withdraws its request to join): a `Leave`
    sent to the Group; the place is no member from now on, here at once."""
    row = await networks.find(node.store.reads, network_id)
    if row is None or row["place_state"] is None:
        raise ConfigError(
            f"{node.config.place_id} is not a member of {network_id}",
            fr=f"Ce lieu n'est pas membre du réseau {network_id} (« interlieux network show » "
            "liste ses réseaux).",
            en=f"This place is not a member of the network {network_id} ('interlieux network "
            "show' lists its networks).",
        )
    place = await local.by_handle(node.store, node.config.handle)
    return await send_now(node, place, {
        "id": f"{node.config.base_url}/activities/{uuid.uuid4()}", "type": "Leave",
        "actor": place.id, "object": network_id, "to": [network_id],
        "published": posix_to_wire(time.time()),
    })  # fmt: skip


# --- what a member place does with the Group's announcements ------------------------------


async def _known_network(db: Connection, actor: str) -> Any:
    """The network row of an announcing Group, if our place asked to join or belongs to it."""
    row = await networks.find(db, actor)
    return row if row is not None and row["place_state"] is not None else None


async def _network_changed(db: Connection, node: Node, network: str) -> None:
    """What the network's members and rules make of this node, brought up to date: its
    members are our place's peers on the network's terms, and the accounts opened on its
    overdraft follow the rule."""
    await peering.reconcile(db, node.config.place_id)
    row = await networks.find(db, network)
    if row is not None and row["place_state"] == "member":
        await credit.follow_network(db, node, network, json.loads(row["rules"]))


async def _place_left(db: Connection, node: Node, network: str, members: list[str]) -> None:
    """Our place is no member of `network` any more: its peers through it go (those agreed
    bilaterally stay), its accounts keep the overdraft they have as their own."""
    now = time.time()
    await networks.set_place_state(db, network, None, now)
    await networks.set_members(db, network, members, now)
    await peering.reconcile(db, node.config.place_id)
    await credit.network_left(db, network)


async def _added(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A Group we belong to (or asked to join) added a place to its members, or opened a
    proposal, or published a decision."""
    group = str(id_of(activity["actor"]))
    row = await _known_network(db, group)
    if row is None:
        return
    target = id_of(activity.get("target"))
    obj = activity.get("object")
    now = time.time()
    if target == members_url(group):
        listed = activity.get("members")
        if isinstance(listed, list) and all(isinstance(m, str) for m in listed):
            await networks.set_members(db, group, listed, now)
            if node.config.place_id in listed:
                await networks.set_place_state(db, group, "member", now)
            await _network_changed(db, node, group)
        return
    if target != decisions_url(group) or not isinstance(obj, dict):
        return
    if type_of(obj) == decision.PROPOSAL:
        try:
            proposal = decision.Proposal.from_json(obj)
        except (KeyError, TypeError, ValueError):
            return
        if proposal.network == group and same_origin(proposal.id, group):
            await decisions.open_proposal(db, obj, group, proposal.closes, None, False, now)
    elif type_of(obj) == decision.DECISION:
        proposal_id = id_of(obj.get("proposal"))
        known = await decisions.find(db, proposal_id) if proposal_id else None
        if known is not None and not known["hosted"] and known["network"] == group:
            await decisions.close(db, str(proposal_id), obj, now)


async def _removed(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A Group we belong to removed a place from its members (it left): no peer of ours
    through this network any more; if it is our place, it is no member."""
    group = str(id_of(activity["actor"]))
    row = await _known_network(db, group)
    listed = activity.get("members")
    if row is None or id_of(activity.get("target")) != members_url(group):
        return
    if not (isinstance(listed, list) and all(isinstance(m, str) for m in listed)):
        return
    if id_of(activity.get("object")) == node.config.place_id and row["handle"] is None:
        await _place_left(db, node, group, listed)
        return
    await networks.set_members(db, group, listed, time.time())
    await _network_changed(db, node, group)


async def _leaving(
    db: Connection, node: Node, actor: local.LocalActor, activity: dict[str, Any]
) -> None:
    """Our place leaves a network: taken here at once (the Group's Remove, later, confirms
    it), so that no claim is built on the network's terms once the team said it leaves."""
    network = id_of(activity.get("object"))
    row = await networks.find(db, network) if network else None
    if actor.id != node.config.place_id or row is None or row["handle"] is not None:
        return
    if row["place_state"] is None:
        return
    members = [m for m in json.loads(row["members"]) if m != actor.id]
    await _place_left(db, node, str(network), members)


async def _group_updated(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A Group we belong to changed its rules: kept at our node, as the network's rules, and
    applied to our peers and accounts."""
    group = str(id_of(activity["actor"]))
    obj = activity.get("object")
    row = await _known_network(db, group)
    if row is None or not isinstance(obj, dict):
        return
    if id_of(obj) != group or not isinstance(obj.get("rules"), dict):
        return
    if row["handle"] is None:  # hosted here, the close changed this very row already
        await networks.set_rules(db, group, obj["rules"], time.time())
    await _network_changed(db, node, group)


ACTIVITY_ROUTES = [
    Route("Join", on_receive=_join_received),
    Route(
        "Leave",
        on_validate=_leave_checked,
        on_arrival=_leave_arrived,
        on_publish=_leaving,
        on_receive=_leave_received,
    ),
    Route("Offer", decision.PROPOSAL, on_arrival=_offer_arrived),
    Route("Create", decision.VOTE, on_arrival=_vote_arrived),
    Route("Add", on_receive=_added),
    Route("Remove", on_receive=_removed),
    Route("Update", GROUP, on_receive=_group_updated),
]
