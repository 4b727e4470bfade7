"""Remote actors: fetched with a signed GET, cached, refreshed when their key stops verifying."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from ..errors import FederationError, FetchError, InvalidActivity, SignatureError
from ..fetch import Signer, check_url, fetch_document, origin_of, same_origin
from ..keys import assertion_methods
from ..knocking import Knocks
from ..limits import Throttles
from ..signature import PublicKey, load_public_key
from ..sqlite import Connection
from ..store import Store
from ..tables import remote_actors

ACTOR_TYPES = frozenset({"Person", "Organization", "Group", "Service", "Application"})
# An actor document older than this is fetched again when we need its inbox.
MAX_AGE = 2 * 86400.0
KEY_CACHE_SIZE = 10_000
KEY_CACHE_SECONDS = 600.0


@dataclass(frozen=True)
class RemoteActor:
    id: str
    inbox: str
    shared_inbox: str | None
    followers: str | None
    key_id: str
    public_key_pem: str

    @property
    def delivery_inbox(self) -> str:
        return delivery_inbox(self.inbox, self.shared_inbox)


def delivery_inbox(inbox: str, shared_inbox: str | None) -> str:
    """Where to deliver to an actor: its server's shared inbox when it has one (one POST per
    server instead of one per follower there), else its own."""
    return shared_inbox or inbox


def parse_actor(document: dict[str, Any], key_id: str | None = None) -> RemoteActor:
    """Read what we need from an actor document; `key_id` picks one of several keys."""
    actor_id = document.get("id")
    if not isinstance(actor_id, str):
        raise FetchError("actor document has no id")
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if not ACTOR_TYPES.intersection(t for t in types if isinstance(t, str)):
        raise FetchError(f"{actor_id} is a {types}, not an actor")
    inbox = document.get("inbox")
    if not isinstance(inbox, str):
        raise FetchError(f"actor {actor_id} has no inbox")
    check_url(inbox)
    endpoints = document.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    if shared is not None:
        check_url(shared)
    keys = document.get("publicKey")
    candidates = keys if isinstance(keys, list) else [keys]
    chosen = None
    for key in candidates:
        if not isinstance(key, dict) or not isinstance(key.get("publicKeyPem"), str):
            continue
        if key_id is None or key.get("id") == key_id:
            chosen = key
            break
    if chosen is None:
        raise SignatureError(
            f"actor {actor_id} publishes no key {key_id or ''}".strip(),
        )
    # A key is only the actor's if the actor document says so and it is on the same origin.
    if chosen.get("owner", actor_id) != actor_id or not same_origin(
        str(chosen.get("id")), actor_id
    ):
        raise SignatureError(f"key {chosen.get('id')} is not owned by {actor_id}")
    load_public_key(chosen["publicKeyPem"])  # a key we cannot load must not replace a good one
    followers = document.get("followers")
    return RemoteActor(
        id=actor_id,
        inbox=inbox,
        shared_inbox=shared if isinstance(shared, str) else None,
        followers=followers if isinstance(followers, str) else None,
        key_id=str(chosen["id"]),
        public_key_pem=chosen["publicKeyPem"],
    )


class Directory:
    """The node's cache of remote actors, and the key lookup its inbox verifies with."""

    def __init__(
        self,
        store: Store,
        http: httpx.AsyncClient,
        signer: Callable[[], Awaitable[Signer]],
        throttles: Throttles | None = None,
    ) -> None:
        self.store = store
        self.http = http
        # Key fetches are what a stranger's request makes us do: limited per origin and actor.
        self.throttles = throttles or Throttles()
        # Signed GETs knock with RFC 9421 first, then draft-cavage (node/knocking.py).
        self.knocks = Knocks(store)
        # Read when needed, not once at start: the place's key may be rotated (by the CLI,
        # in another process) while the server runs.
        self._signer = signer
        # Parsed keys by key id: every signed request needs one, and reading and parsing it
        # from the database each time was most of the inbox's cost. Entries expire, so that a
        # change made by another process (the CLI) is seen within minutes.
        self._keys: dict[str, tuple[str, PublicKey, float]] = {}
        self._fetching: dict[str, asyncio.Future[tuple[str, PublicKey]]] = {}

    async def get(self, actor_id: str, refresh: bool = False) -> RemoteActor:
        if not refresh:
            row = await remote_actors.by_id(self.store.reads, actor_id)
            if row is not None and _fresh(row, time.time()):
                return actor_from_row(row)
        document = await fetch_document(self.http, actor_id, await self._signer(), self.knocks)
        actor = parse_actor(document)
        await self._save(actor, document)
        return actor

    async def delivery_inboxes(
        self, actor_ids: Iterable[str], db: Connection | None = None
    ) -> dict[str, str]:
        """Where to deliver to each actor among `actor_ids` cached recently enough that `get`
        would not fetch it again (its shared inbox, else its own), in one read (`db`: inside
        a transaction, every cached one, however old). Only the columns that say where: a
        post to a thousand followers does not read a thousand public keys."""
        rows = await remote_actors.rows_among(
            db or self.store.reads, actor_ids, "id, inbox, shared_inbox, fetched_at"
        )
        now = time.time()
        return {
            ref: delivery_inbox(row["inbox"], row["shared_inbox"])
            for ref, row in rows.items()
            if db is not None or _fresh(row, now)
        }

    async def cached(self, actor_id: str) -> RemoteActor | None:
        row = await remote_actors.by_id(self.store.reads, actor_id)
        return actor_from_row(row) if row else None

    async def followers_collections(self, actor_ids: Iterable[str]) -> dict[str, str]:
        """The followers collections of the known actors among `actor_ids`, in one read (a
        batch of received activities addressed to their senders' followers)."""
        rows = await remote_actors.rows_among(self.store.reads, actor_ids, "id, followers")
        return {ref: row["followers"] for ref, row in rows.items() if row["followers"]}

    async def cached_key(self, key_id: str) -> tuple[str, PublicKey] | None:
        """A key we already have, never fetched: for checks made while serving a GET, where
        fetching the signer's key (a signed GET, which the signer would check by fetching ours)
        could bounce between two servers forever."""
        cached = self._keys.get(key_id)
        if cached is not None and cached[2] > time.monotonic():
            return cached[0], cached[1]
        row = await remote_actors.by_key(self.store.reads, key_id)
        if row is not None:
            return self._remember(key_id, row["id"], load_public_key(row["public_key_pem"]))
        # Not the RSA key: perhaps the actor's Ed25519 Multikey (FEP-521a `assertionMethod`),
        # which RFC 9421 senders may sign with; it lives in the stored actor document.
        owner = key_id.split("#", 1)[0]
        document = await remote_actors.document(self.store.reads, owner)
        if document is None:
            return None
        found = assertion_methods(document).get(key_id)
        return None if found is None else self._remember(key_id, owner, found)

    async def key_lookup(self, key_id: str, refresh: bool) -> tuple[str, PublicKey]:
        if not refresh:
            known = await self.cached_key(key_id)
            if known is not None:
                return known
        # Requests signed with the same unknown key at once (a server delivering a new actor's
        # backlog) wait for one fetch, and are charged one.
        fetching = self._fetching.get(key_id)
        if fetching is None:
            # Refused with 429 (RateLimited) past the limits: the sender retries later.
            self.throttles.key_fetch(key_id)
            fetching = asyncio.ensure_future(self._fetch_and_keep(key_id))
            self._fetching[key_id] = fetching
            fetching.add_done_callback(lambda done: self._fetched(key_id, done))
        # Shielded: one request that goes away does not cancel the others' fetch.
        return await asyncio.shield(fetching)

    def _fetched(self, key_id: str, done: asyncio.Future[tuple[str, PublicKey]]) -> None:
        del self._fetching[key_id]
        if not done.cancelled():
            done.exception()  # retrieved: when every requester went away, no warning

    async def _fetch_and_keep(self, key_id: str) -> tuple[str, PublicKey]:
        try:
            with self.throttles.fetches.slot(origin_of(key_id)):
                document = await self._fetch_key(key_id)
        except FetchError as exc:
            raise SignatureError(f"cannot fetch key {key_id}: {exc.log}") from exc
        multikey = assertion_methods(document).get(key_id)
        if multikey is not None:
            # The actor's Ed25519 key (RFC 9421 `ed25519`): only the actor's own, on its origin.
            actor = parse_actor(document)
            if not same_origin(key_id, actor.id):
                raise SignatureError(f"key {key_id} is not on the origin of {actor.id}")
            await self._save(actor, document)
            return self._remember(key_id, actor.id, multikey)
        actor = parse_actor(document, key_id=key_id)
        await self._save(actor, document)
        return self._remember(key_id, actor.id, load_public_key(actor.public_key_pem))

    async def _fetch_key(self, key_id: str) -> dict[str, Any]:
        document = await fetch_document(self.http, key_id, await self._signer(), self.knocks)
        if "inbox" not in document and (
            "publicKeyPem" in document or "publicKeyMultibase" in document
        ):
            # keyId points at a standalone key document: the owner is the actor.
            owner = document.get("owner") or document.get("controller")
            if not isinstance(owner, str):
                raise SignatureError(f"key {key_id} names no owner")
            document = await fetch_document(self.http, owner, await self._signer(), self.knocks)
        return document

    def _remember(self, key_id: str, owner: str, key: PublicKey) -> tuple[str, PublicKey]:
        if len(self._keys) >= KEY_CACHE_SIZE:
            self._keys.clear()  # rare, and the database still has them all
        self._keys[key_id] = (owner, key, time.monotonic() + KEY_CACHE_SECONDS)
        return owner, key

    async def update_from(self, document: dict[str, Any]) -> None:
        """An actor's own signed `Update` of itself: take its new inbox and key."""
        try:
            actor = parse_actor(document)
        except FederationError as exc:
            # Permanent: the same document will never parse; keep the key we have.
            raise InvalidActivity(f"actor update refused: {exc.log}") from exc
        await self._save(actor, document)

    def drop_keys_of(self, actor_id: str) -> None:
        for key_id in [k for k, v in self._keys.items() if v[0] == actor_id]:
            del self._keys[key_id]

    async def forget(self, actor_id: str) -> None:
        self.drop_keys_of(actor_id)
        async with self.store.write() as db:
            await remote_actors.forget(db, actor_id)

    async def _save(self, actor: RemoteActor, document: dict[str, Any]) -> None:
        self.drop_keys_of(actor.id)
        async with self.store.write() as db:
            await remote_actors.save(
                db,
                actor_id=actor.id,
                inbox=actor.inbox,
                shared_inbox=actor.shared_inbox,
                followers=actor.followers,
                key_id=actor.key_id,
                public_key_pem=actor.public_key_pem,
                document=document,
                fetched_at=time.time(),
            )


def _fresh(row: Any, now: float) -> bool:
    """A cached actor young enough to use without fetching it again."""
    return bool(now - row["fetched_at"] < MAX_AGE)


def actor_from_row(row: Any) -> RemoteActor:
    return RemoteActor(
        id=row["id"],
        inbox=row["inbox"],
        shared_inbox=row["shared_inbox"],
        followers=row["followers"],
        key_id=row["key_id"],
        public_key_pem=row["public_key_pem"],
    )
