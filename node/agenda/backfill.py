"""What a followed place published before we followed it, read from its outbox; the place
itself and its residents, read from its actor and its residents collection.

When a place accepts our place's Follow, the events (and notes, needs and pledges) it
already published would otherwise never reach us: ActivityPub only delivers what comes next.
So the accepted Follow queues a `backfills` row in the inbox transaction (no network there),
and this worker reads the place's outbox with signed GETs through the node's guarded fetch,
bounded in pages and items. What it keeps is queued in the inbox as if received, oldest
first, and applied by the inbox worker with the same checks and side effects as a delivery;
the inbox queue's primary key makes a second pass (a restart, a new Follow) apply nothing
twice.

Only what the place's own origin serves and vouches for is kept: each activity's id, its
actor and its object on the place's origin (the rules the inbox applies to a signed POST).

The place's actor (address, geo, hours, offers) and its residents' profiles go straight into
the public graph, in the place's named graph (`node.query.places`): they are no activity to
apply. A resident is kept when the place lists them, their actor is on the place's origin and
says it is the place's resident (`residentOf`); the node's directory then knows them, so
that their Update or Delete of themselves is applied. Residents are read unsigned: a place of the
network that signs is shown the profile fields its members keep for the network, and those
must never reach a public face such as SPARQL.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import ownership
from ..activity import authorize, check_incoming, id_of, type_of
from ..actors import local
from ..audience import is_public
from ..bounds import check_bounds
from ..config import tuning
from ..errors import FederationError, FetchError, InterlieuxError, InvalidActivity
from ..fetch import Signer, fetch_document, same_origin
from ..inbox.apply import enqueue
from ..query import places
from ..routing import Route
from ..sqlite import Connection
from ..tables import backfills, follows
from ..worker import QueueWorker

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)

MAX_PAGES = 5  # outboxes list newest first: the recent past is what an agenda needs
MAX_ITEMS = 200
MAX_ITEM_FETCHES = 50  # outboxes that list ids only cost a GET per item: fewer of those
MAX_RESIDENTS = 100  # a GET each: a large place's first 100 residents, in the order it accepted
# 1, 3, 9, 27 then 81 minutes apart: a place's server down for a couple of hours (a Raspberry
# Pi rebooted, a maintenance) is still read; after that the operator reruns it by hand.
MAX_ATTEMPTS = 6
KINDS = frozenset({"Create", "Update", "Delete"})
OBJECT_TYPES = frozenset({"Event", "Note", "Need", "Pledge"})
# What a step's home re-announces of other places (node.commons.steps, step_support,
# step_evaluation): signed by their authors, whose keys are fetched here, before the inbox
# worker checks each signature.
ANNOUNCED_TYPES = frozenset({"Pledge", "MatchingRule", "Review", "Like", "Undo"})


def _types(value: Any) -> set[str]:
    kinds = value.get("type") if isinstance(value, dict) else None
    return {k for k in (kinds if isinstance(kinds, list) else [kinds]) if isinstance(k, str)}


def pick(items: list[Any], place_id: str) -> list[dict[str, Any]]:
    """The outbox items worth storing, oldest first (pure).

    Creates and Updates of events, notes and needs, and Deletes (so that an event created and
    then deleted does not come back), each public and passing the inbox's own checks; and the
    Announces of other places' pledges, rules, evaluations and supports of a step's home
    (checked when applied)."""
    chosen: list[dict[str, Any]] = []
    for item in items:
        try:
            activity = check_incoming(item)
            check_bounds(activity)
            authorize(activity, place_id)
            ownership.check_received(activity, place_id)
        except InterlieuxError:
            continue
        kind = type_of(activity)
        obj = activity.get("object")
        if kind == "Announce" and _types(obj) & ANNOUNCED_TYPES and is_public(activity):
            chosen.append(activity)
            continue
        if kind not in KINDS or id_of(obj) == place_id:
            continue  # the place's Update or Delete of itself is not an agenda matter
        if kind != "Delete" and not _types(obj) & OBJECT_TYPES:
            continue
        if not is_public(activity):
            continue
        chosen.append(activity)
    chosen.reverse()  # AS2 outboxes are newest first; the inbox applies in arrival order
    return chosen


async def _follow_accepted(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """Our place's Follow was accepted (the core has just marked it): read what came before."""
    followee = str(id_of(activity["actor"]))
    if node.config.is_local(followee):
        return
    follow_id = await follows.accepted_follow_id(db, node.config.place_id, followee)
    if follow_id is None:
        return
    obj = activity.get("object")
    by_id = id_of(obj) == follow_id
    embedded = (
        type_of(obj) == "Follow"
        and isinstance(obj, dict)
        and id_of(obj.get("actor")) == node.config.place_id
    )
    if by_id or embedded:  # an Accept of our Follow, not of a Join or an Offer
        await backfills.request(db, followee)


ACTIVITY_ROUTES = [Route("Accept", on_receive=_follow_accepted)]


async def _signer(node: Node) -> Signer:
    # Signed by the place: servers in "authorized fetch" mode refuse unsigned reads.
    place = await local.by_handle(node.store, node.config.handle)
    return place.key_id, place.keys.rsa_private


@dataclass(frozen=True)
class PlaceReading:
    """What a followed place serves: its actor, its outbox's items, its residents' actors."""

    actor: dict[str, Any]
    items: list[Any] = field(default_factory=list)
    residents: list[dict[str, Any]] = field(default_factory=list)


async def read_place(node: Node, place_id: str) -> PlaceReading:
    """The place's actor, up to MAX_ITEMS items of its outbox, and its residents (up to
    MAX_RESIDENTS; a residents collection that cannot be read leaves the rest as it is)."""
    signer = await _signer(node)
    actor = await fetch_document(node.http, place_id, signer)
    items = await read_outbox(node, place_id, actor, signer)
    try:
        found = await read_residents(node, place_id, actor, signer)
    except FetchError as exc:
        log.info("backfill of %s reads no residents: %s", place_id, exc.log)
        found = []
    return PlaceReading(actor, items, found)


async def _collection_items(
    node: Node, collection_url: str, place_id: str, signer: Signer, limit: int
) -> list[Any]:
    """Up to `limit` items of a collection on the place's origin, over at most MAX_PAGES."""
    collection = await fetch_document(node.http, collection_url, signer)
    items: list[Any] = []
    page: Any = collection.get("first")
    if isinstance(collection.get("orderedItems"), list):
        page = collection  # a small collection may list its items in the collection itself
    pages = 0
    while page is not None and pages < MAX_PAGES and len(items) < limit:
        if isinstance(page, str):
            if not same_origin(page, place_id):
                break
            page = await fetch_document(node.http, page, signer)
        if not isinstance(page, dict):
            break
        pages += 1
        entries = page.get("orderedItems", page.get("items"))
        items.extend((entries if isinstance(entries, list) else [])[: limit - len(items)])
        page = page.get("next")
    return items


async def read_outbox(
    node: Node, place_id: str, actor: dict[str, Any], signer: Signer
) -> list[Any]:
    """Up to MAX_ITEMS items of the place's outbox, over at most MAX_PAGES pages."""
    outbox = actor.get("outbox")
    if not isinstance(outbox, str) or not same_origin(outbox, place_id):
        raise FetchError(f"{place_id} has no outbox on its own origin")
    items = await _collection_items(node, outbox, place_id, signer, MAX_ITEMS)
    found: list[Any] = []
    fetches = 0
    for item in items:
        if isinstance(item, str) and same_origin(item, place_id) and fetches < MAX_ITEM_FETCHES:
            fetches += 1
            # Some servers list ids only: each is read from the place's origin.
            try:
                item = await fetch_document(node.http, item, signer)
            except FetchError as exc:
                log.info("backfill of %s skips %s: %s", place_id, item, exc.log)
                continue
        found.append(item)
    return found


def announced_authors(activities: list[dict[str, Any]]) -> list[str]:
    """The authors of the signed objects the place re-announced, once each (pure)."""
    authors: list[str] = []
    for activity in activities:
        obj = activity.get("object")
        # An object's author, or a support's (a Like or its Undo: its actor).
        author = None
        if isinstance(obj, dict):
            author = id_of(obj.get("attributedTo") or obj.get("actor"))
        if type_of(activity) == "Announce" and author and author not in authors:
            authors.append(author)
    return authors


def resident_ids(items: list[Any], place_id: str) -> list[str]:
    """The residents a place lists that are on its own origin, once each, in its order (pure)."""
    ids: list[str] = []
    for item in items:
        ref = id_of(item)
        if ref and same_origin(ref, place_id) and ref != place_id and ref not in ids:
            ids.append(ref)
    return ids[:MAX_RESIDENTS]


async def read_residents(
    node: Node, place_id: str, actor: dict[str, Any], signer: Signer
) -> list[dict[str, Any]]:
    """The actors of the place's residents that say they are its residents; none when the
    place has no residents collection on its origin (a place that is not on Interlieux)."""
    listed = actor.get("residents")
    if not isinstance(listed, str) or not same_origin(listed, place_id):
        return []
    items = await _collection_items(node, listed, place_id, signer, MAX_RESIDENTS)
    found: list[dict[str, Any]] = []
    for resident in resident_ids(items, place_id):
        try:
            # Unsigned: the public view (see the module's note on network fields).
            document = await fetch_document(node.http, resident, None)
        except FetchError as exc:
            log.info("backfill of %s skips resident %s: %s", place_id, resident, exc.log)
            continue
        if not places.belongs_to(document, place_id):
            continue
        try:
            # Known from now on, as a key fetch would have it: its later Update or Delete of
            # itself is verified and applied, not ignored as a stranger's.
            await node.directory.update_from(document)
        except InvalidActivity as exc:
            log.info("backfill of %s skips resident %s: %s", place_id, resident, exc.log)
            continue
        found.append(document)
    return found


class BackfillWorker(QueueWorker):
    """Reads followed places' outboxes, one `backfills` row at a time."""

    name = "backfill-worker"

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self.poll = tuning("backfill_poll", 5.0)

    async def work(self) -> bool:
        due = await backfills.due(self.node.store.reads, time.time())
        for row in due:
            await self.run_one(row)
        return False  # a row that failed waits for its next attempt, not for another pass

    async def _authors_known(self, activities: list[dict[str, Any]]) -> None:
        """Fetch the keys the inbox worker will check re-announced objects with (it must not
        fetch inside its transaction); one that cannot be read leaves its objects unchecked,
        hence not kept."""
        for author in announced_authors(activities):
            if self.node.config.is_local(author):
                continue
            try:
                await self.node.directory.get(author)
            except FetchError as exc:
                log.info("backfill: cannot read %s's keys: %s", author, exc.log)

    async def run_one(self, row: Any) -> None:
        place_id = row["actor"]
        try:
            reading = await read_place(self.node, place_id)
            activities = pick(reading.items, place_id)
        except Exception as exc:
            # A place's server can be down for a while: retried with backoff, then set aside
            # with its reason (`interlieux agenda backfill` shows it and can queue it again).
            retry = isinstance(exc, FederationError) and row["attempts"] + 1 < MAX_ATTEMPTS
            reason = exc.log if isinstance(exc, InterlieuxError) else repr(exc)
            log.warning("backfill of %s failed: %s", place_id, reason)
            async with self.node.store.write() as db:
                await backfills.failed(
                    db, place_id, reason, retry, time.time() + 60 * 3 ** row["attempts"]
                )
            return
        await self._authors_known(activities)
        async with self.node.store.write() as db:
            now = time.time()
            for i, activity in enumerate(activities):
                # Distinct arrival times keep the outbox's order in the inbox queue.
                await enqueue(db, activity, now + i * 1e-6)
            # The place and its residents are no activity: straight into its graph.
            for document in (reading.actor, *reading.residents):
                await places.keep_actor(db, document)
            await backfills.done(db, place_id, len(activities), now)
        log.info(
            "backfill of %s: %d activities queued, %d residents",
            place_id, len(activities), len(reading.residents),
        )  # fmt: skip
