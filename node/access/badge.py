"""The place's side of the badge: peers it trusts, grants it issues and revokes, the bundle
its doors verify with, and the taps and visits its doors report.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from vocab.context import PUBLIC

from .. import tables
from ..activity import id_of
from ..actors import local
from ..errors import ConfigError, FetchError, ForbiddenError, InvalidActivity, NotFoundError
from ..keys import assertion_methods
from ..multibase import ed25519_from_multibase
from ..outbox.publish import emit, publish
from ..routing import Route
from ..sqlite import Connection
from ..tables import follows, remote_actors
from ..timestamps import posix_to_wire, wire_to_posix
from . import grant as grants
from . import peering, policy
from .decision import Decision, TrustBundle, decide, seal
from .door import check_visit, endorsement, sign_report
from .tap import TapReport

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)
VISIT = "tl:Visit"
REVOCATION = "tl:Revocation"


# --- peers -------------------------------------------------------------------------------


def assertion_keys(document: dict[str, Any]) -> dict[bytes, ed25519.Ed25519PublicKey]:
    """The actor's badge keys, by the short key id grants carry."""
    return {grants.key_id(key): key for key in assertion_methods(document).values()}


async def add_peer(node: Node, actor_url: str, visit_rate: str = "0", currency: str = "EUR") -> str:
    """Trust a place's grants: cache its keys, follow it (to hear of revocations), say so."""
    try:
        peer = await node.directory.get(actor_url, refresh=True)
    except FetchError as exc:
        raise ConfigError(
            exc.log,
            fr=f"Impossible de joindre le lieu {actor_url} : vérifiez l'adresse de son acteur "
            "(par exemple https://lieu.exemple/actors/lieu) et que son nœud tourne.",
            en=f"Cannot reach the place {actor_url}: check its actor address and that its "
            "node is running.",
        ) from exc
    document = await remote_actors.document(node.store.reads, peer.id) or {}
    if not assertion_keys(document):
        raise ConfigError(
            f"{peer.id} publishes no Ed25519 assertion key",
            fr=f"{peer.id} ne publie pas de clé de badge : est-ce bien un nœud Interlieux ?",
            en=f"{peer.id} publishes no badge key: is it an Interlieux node?",
        )
    async with node.store.write() as db:
        await tables.peers.add(db, peer.id, visit_rate, currency, time.time())
    place = await local.by_handle(node.store, node.config.handle)
    if await follows.between(node.store.reads, place.id, peer.id) is None:
        await publish(node, place, {"type": "Follow", "object": peer.id})
    await publish(
        node, place,
        {"type": "Add", "object": peer.id, "target": f"{place.id}/peers",
         "to": [peer.id], "cc": [place.followers]},
    )  # fmt: skip
    return peer.id


async def remove_peer(node: Node, actor_url: str) -> str | None:
    """End the bilateral agreement with a place. A place a network shares with ours stays a
    peer on the network's terms: returns that network; None when the place is no peer now.
    A peer the network made is not removed here: it is one as long as both are members."""
    async with node.store.write() as db:
        found = await tables.peers.find(db, actor_url)
        if found is None:
            raise NotFoundError(
                f"{actor_url} is not a peer",
                fr=f"{actor_url} n'est pas dans vos pairs (« interlieux peer list »).",
                en=f"{actor_url} is not one of your peers ('interlieux peer list').",
            )
        if found.terms_from is not None:
            raise ForbiddenError(
                f"{actor_url} is a peer through the network {found.terms_from}",
                fr=f"{actor_url} est un pair par le réseau {found.terms_from} : ses badges sont "
                "honorés tant que vos deux lieux en sont membres, au tarif du réseau. Pour un "
                "autre tarif, convenez-en avec lui (« interlieux peer add --visit-rate … ») ; "
                "pour ne plus l'honorer, l'un des deux lieux doit quitter le réseau.",
                en=f"{actor_url} is a peer through the network {found.terms_from}: its badges "
                "are honoured while both places are members, at the network's rate. For "
                "another rate, agree on one ('interlieux peer add --visit-rate …'); to stop "
                "honouring them, one of the two places must leave the network.",
            )
        await tables.peers.remove(db, actor_url)
        await peering.reconcile(db, node.config.place_id)
        still = await tables.peers.find(db, actor_url)
    if still is not None:
        return still.terms_from
    place = await local.by_handle(node.store, node.config.handle)
    follow = await follows.between(node.store.reads, place.id, actor_url)
    if follow is not None:
        await publish(node, place, {"type": "Undo", "object": follow["activity_id"]})
    await publish(
        node, place,
        {"type": "Remove", "object": actor_url, "target": f"{place.id}/peers",
         "to": [actor_url], "cc": [place.followers]},
    )  # fmt: skip
    return None


# --- grants ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    grant_id: str
    data: bytes

    @property
    def text(self) -> str:
        return grants.to_text(self.data)


async def issue_badge(
    node: Node,
    member_handle: str,
    card_uid: bytes | None,
    days: int = 365,
    credit_account: str | None = None,
) -> Issued:
    place = await local.by_handle(node.store, node.config.handle)
    member = await local.by_handle(node.store, member_handle)
    now = int(time.time())
    gid, data = grants.issue(
        place.keys.ed25519_private, place.id, member.id, card_uid, now, now + days * 86400,
        credit_account=credit_account,
    )  # fmt: skip
    row = tables.grants.IssuedGrant(
        grant_id=gid,
        member=member.id,
        card_hash=grants.card_hash(gid, card_uid).hex() if card_uid else None,
        not_before=now,
        expires=now + days * 86400,
        scope=grants.DEFAULT_SCOPE,
        credit_account=credit_account,
        issued_at=time.time(),
        revoked_at=None,
    )
    async with node.store.write() as db:
        await tables.grants.add(db, row)
        await tables.badge_texts.add(db, gid, member.id, data)  # the member's /moi/badge
    return Issued(gid, data)


async def revoke(
    node: Node, grant_id: str | None = None, member_handle: str | None = None
) -> list[str]:
    """Revoke grants and tell the places that honour them."""
    place = await local.by_handle(node.store, node.config.handle)
    if member_handle is not None:
        member = await local.by_handle(node.store, member_handle)
        ids = await tables.grants.active_ids_of_member(node.store.reads, member.id)
    else:
        ids = await tables.grants.active_ids(node.store.reads, grant_id)
    if not ids:
        raise NotFoundError(
            "no active grant to revoke",
            fr="Aucun badge actif ne correspond : vérifiez l'identifiant (« interlieux badge "
            "list »).",
            en="No active badge matches: check the id ('interlieux badge list').",
        )
    now = time.time()
    async with node.store.write() as db:
        for gid in ids:
            await tables.grants.mark_revoked(db, gid, now)
            await tables.revocations.add(db, place.id, gid, now)
    audience = await tables.peers.places_to_tell(node.store.reads, place.id)
    if audience:
        await publish(
            node, place,
            {"type": REVOCATION, "tl:issuer": place.id, "tl:grant": ids, "to": audience,
             "summary": f"{len(ids)} badge(s) révoqué(s) par {node.config.name}"},
        )  # fmt: skip
    return ids


async def is_peer(db: Connection, actor_id: str | None) -> bool:
    """Whether a place is one whose grants, revocations, visits and balances we take."""
    return await tables.peers.is_peer(db, actor_id)


async def _peer_revoked(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    # Only an issuer revokes its own grants, and only a peer's revocations matter here.
    issuer = id_of(activity["actor"])
    if issuer is None or not await is_peer(db, issuer):
        return
    obj = activity["object"]
    ids = obj.get("tl:grant") or []
    for gid in ids if isinstance(ids, list) else [ids]:
        await tables.revocations.add(db, issuer, str(gid), time.time())


async def rotate_keys(node: Node, handle: str) -> str:
    """New keys for an actor; its followers (and, for the place, its peers) hear of it."""
    actor = await local.by_handle(node.store, handle)
    async with node.store.write() as db:
        await local.rotate_keys(db, actor)
    actor = await local.by_handle(node.store, handle)
    audience = (
        await tables.peers.places_to_tell(node.store.reads, actor.id)
        if handle == node.config.handle
        else []
    )
    await publish(
        node, actor,
        {"type": "Update", "object": actor.id, "to": [PUBLIC], "cc": [actor.followers, *audience]},
    )  # fmt: skip
    return actor.ed25519_key_id


# --- the trust bundle --------------------------------------------------------------------


async def trust_bundle(node: Node) -> TrustBundle:
    place = await local.by_handle(node.store, node.config.handle)
    own = place.keys.ed25519_private.public_key()
    issuers = {place.id: {grants.key_id(own): own}}
    # Keys replaced by a rotation still sign valid grants: honoured at home as at the peers.
    for _, multibase in await local.retired_keys(node.store, place.handle):
        retired = ed25519_from_multibase(multibase)
        if retired is not None:
            issuers[place.id][grants.key_id(retired)] = retired
    names = {place.id: node.config.name}
    reads = node.store.reads
    for actor_id, text in await tables.peers.documents(reads):
        document = json.loads(text)
        issuers[actor_id] = assertion_keys(document)
        names[actor_id] = str(document.get("name", ""))
    revoked = await tables.revocations.pairs(reads)
    credit = await tables.peer_credit.balances(reads)
    # Our own accounts, at our own doors: straight from our books.
    own_accounts = await tables.credit_accounts.holdings(reads)
    if own_accounts:
        credit.setdefault(place.id, {}).update(own_accounts)
    rates = {
        p.actor_id: round(float(p.visit_rate) * 100) for p in await tables.peers.listing(reads)
    }
    door_policy = await policy.load(node.store)
    doors = dict(await tables.tokens.door_keys(reads, place.handle))
    return TrustBundle(
        place=place.id, issuers=issuers, revoked=revoked, generated_at=time.time(),
        names=names, credit=credit, rates=rates, card_required=door_policy.card_required,
        stale_own_members=door_policy.stale_own_members, doors=doors,
    )  # fmt: skip


async def sealed_bundle(node: Node) -> dict[str, Any]:
    """The bundle as the doors get it: signed with the place's Ed25519 key."""
    place = await local.by_handle(node.store, node.config.handle)
    return seal(await trust_bundle(node), place.keys.ed25519_private)


async def enrol_door(node: Node, token_id: int, door: str, door_key: str) -> dict[str, str]:
    """Bind a door's key to its token (once; the same key again is fine) and tell the door
    which key signs its bundles. A new door is announced to the peers (actor Update): its key
    is in the place's actor document, `tl:doorKeys`."""
    if ed25519_from_multibase(door_key) is None:
        raise InvalidActivity(
            f"door key {door_key!r} is not an Ed25519 multibase key",
            fr="Clé de porte illisible : mettez à jour le lecteur.",
            en="Unreadable door key: update the reader.",
        )
    place = await local.by_handle(node.store, node.config.handle)
    known = dict(await tables.tokens.door_keys(node.store.reads, place.handle))
    async with node.store.write() as db:
        if not await tables.tokens.enrol_door(db, token_id, door, door_key, time.time()):
            raise ForbiddenError(
                f"token {token_id} is already enrolled with another door key",
                fr="Ce jeton de porte est déjà lié à un autre lecteur (une autre clé). Pour un "
                "nouveau lecteur, ou un lecteur réinstallé, créez un nouveau jeton avec "
                f"« interlieux token --actor {place.handle} --scope door » et révoquez l'ancien.",
                en="This door token is already bound to another reader (another key). For a "
                "new or reinstalled reader, make a new token with 'interlieux token --actor "
                f"{place.handle} --scope door' and revoke the old one.",
            )
    if known.get(door) != door_key:
        audience = await tables.peers.places_to_tell(node.store.reads, place.id)
        await publish(
            node, place,
            {"type": "Update", "object": place.id, "to": [PUBLIC],
             "cc": [place.followers, *audience]},
        )  # fmt: skip
    return {"place": place.id, "key": place.keys.ed25519_multibase, "door": door}


# --- taps and visits ---------------------------------------------------------------------


async def check_in(
    node: Node, data: bytes, card_uid: bytes | None, door: str, now: float | None = None
) -> tuple[Decision, str | None]:
    """Decide at this place and record the tap: what `interlieux checkin` does."""
    now = time.time() if now is None else now
    decision = decide(data, card_uid, await trust_bundle(node), now)
    place = await local.by_handle(node.store, node.config.handle)
    # A desk without a reader is the place itself: its report is signed with the place's key.
    report = sign_report(
        TapReport.of(decision, data, card_uid, door, now), place.keys.ed25519_private
    )
    visit = await record_tap(node, report)
    return decision, visit


async def record_tap(node: Node, report: TapReport) -> str | None:
    """Record a door's tap, once per report id; an accepted one becomes a visit, sent to the
    member's home place and to the member. Returns the visit id."""
    try:
        grant, signed, signature = grants.read(report.grant)
    except grants.GrantError:
        grant = None
    authentic = False
    if grant is not None and report.accepted:
        # The door decided (maybe offline, from an older bundle: its decision is recorded as
        # made); a visit, evidence others will pay on, needs a grant whose signature holds.
        keys = (await trust_bundle(node)).issuers.get(grant.issuer, {})
        try:
            grants.check_signature(grant, signed, signature, keys)
            authentic = True
        except grants.GrantError:
            log.warning("tap %s: accepted at the door, but its grant does not verify: no visit",
                        report.report_id)  # fmt: skip
    place = await local.by_handle(node.store, node.config.handle)
    visit_id: str | None = None
    async with node.store.write() as db:
        tap = tables.taps.Tap(
            report.report_id, report.door, report.decided_at,
            "accept" if report.accepted else "refuse", report.reason,
            grant.grant_id if grant else None, grant.issuer if grant else None,
            grant.member if grant else None, time.time(),
        )  # fmt: skip
        if not await tables.taps.record(db, tap):  # this report was already recorded
            return await tables.visits.id_of_report(db, report.report_id)
        if authentic and grant is not None:
            visit_id = f"{node.config.base_url}/visits/{uuid.uuid4()}"
            await tables.visits.add(db, tables.visits.Visit(
                visit_id, report.report_id, grant.grant_id, grant.issuer, grant.member,
                place.id, report.door, report.decided_at, local=True,
            ))  # fmt: skip
            audience = list(dict.fromkeys([grant.issuer, grant.member]))
            document = visit_document(visit_id, place.id, node.config.name, grant, report,
                                      audience)  # fmt: skip
            if report.door_key and report.door_key != place.keys.ed25519_multibase:
                document["tl:doorEndorsement"] = endorsement(
                    place.id, report.door, report.door_key, place.keys.ed25519_private
                )
            await emit(db, node, place, {
                "type": "Create",
                "actor": place.id,
                "to": audience,
                "object": document,
            })  # fmt: skip
    return visit_id


def visit_document(
    visit_id: str,
    place_id: str,
    place_name: str,
    grant: grants.Grant,
    report: TapReport,
    audience: list[str],
) -> dict[str, Any]:
    when = posix_to_wire(report.decided_at)
    return {
        "id": visit_id,
        "type": VISIT,
        "attributedTo": place_id,
        "tl:visitor": grant.member,
        "tl:homePlace": grant.issuer,
        "tl:place": place_id,
        "tl:door": report.door,
        "tl:grant": grant.grant_id,
        "startTime": when,
        "published": when,
        "summary": f"Passage à {place_name} ({report.door}) avec votre badge inter-lieux",
        "to": audience,
        # The door's signed report: what the home place checks (`door.check_visit`).
        "tl:tapReport": report.to_json(),
    }


async def _visit_of_our_member(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A peer reports one of our members' visits: keep it if the grant is one of ours and a
    door of that place signed the tap."""
    reporter = id_of(activity["actor"])
    if reporter is None or not await is_peer(db, reporter):
        return  # only places we trust fill our members' visit history
    visit = activity["object"]
    member = await tables.grants.member_of(db, str(visit.get("tl:grant")))
    if member is None or member != visit.get("tl:visitor"):
        return
    reporter_document = await remote_actors.document(db, reporter) or {}
    refused = check_visit(visit, reporter, assertion_methods(reporter_document))
    if refused is not None:
        log.warning("visit %s from %s not kept: %s", visit.get("id"), reporter, refused)
        return
    started = visit.get("startTime") or visit.get("published")
    try:
        visited_at = wire_to_posix(str(started))
    except ValueError:
        visited_at = time.time()
    await tables.visits.add(db, tables.visits.Visit(
        str(visit["id"]), None, str(visit["tl:grant"]), node.config.place_id, member,
        str(id_of(activity["actor"])), str(visit.get("tl:door", "")), visited_at, local=False,
    ))  # fmt: skip


ACTIVITY_ROUTES = [
    Route("Create", REVOCATION, on_receive=_peer_revoked),
    Route("Create", VISIT, on_receive=_visit_of_our_member),
]
