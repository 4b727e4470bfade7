"""Discovery and reading: WebFinger, NodeInfo, actor documents, collections, objects."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import __version__, tables, tokens
from ..audience import is_public, shown
from ..directory import place
from ..errors import InterlieuxError, InvalidParameter, NotFoundError, SignatureError
from ..fetch import same_origin
from ..governance.group import group_extras
from ..incoming import request_target
from ..signature import PublicKey, authenticate
from ..sqlite import Connection
from ..tables import activities, follows, inbox_items, local_actors, objects
from . import local
from .document import PAGE_SIZE, actor_document, collection, collection_page, with_context

# Pages of a collection one may ask for: 100 000 pages of PAGE_SIZE items is more than any
# place's collection holds, and keeps OFFSET far inside SQLite's integers.
MAX_PAGE = 100_000

if TYPE_CHECKING:
    from ..context import Node

AS_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


class ActivityJSON(JSONResponse):
    """Every ActivityStreams document the node serves goes out through here, so that none
    leaves without `@context`: a JSON-LD processor (Fedify) reads a document without one as
    an untyped object with no id."""

    media_type = AS_JSON

    def render(self, content: Any) -> bytes:
        # Nor without its blind recipients taken out, at every level (an outbox page's items).
        return json.dumps(with_context(shown(content)), ensure_ascii=False).encode()


def as_response(request: Request, document: dict[str, Any], status: int = 200) -> Response:
    """Answer in the media type the client asked for: both are the same document."""
    accept = request.headers.get("accept", "")
    media = LD_JSON if "application/ld+json" in accept else AS_JSON
    return ActivityJSON(document, status_code=status, media_type=media)


def node_of(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


async def webfinger(request: Request) -> Response:
    node = node_of(request)
    resource = request.query_params.get("resource", "")
    handle = None
    if resource.startswith("acct:"):
        user, _, host = resource[5:].rpartition("@")
        if host.lower() == node.config.host.lower():
            handle = user
    elif node.config.is_local(resource):
        handle = resource.rstrip("/").rsplit("/", 1)[-1]
    if handle is None:
        return JSONResponse({"error": "unknown resource"}, status_code=404)
    try:
        actor = await local.by_handle(node.store, handle)
    except NotFoundError:
        return JSONResponse({"error": "unknown resource"}, status_code=404)
    if actor.type == "Tombstone":  # an erased account
        return JSONResponse({"error": "gone"}, status_code=410)
    return JSONResponse(
        {
            "subject": f"acct:{actor.handle}@{node.config.host}",
            "aliases": [actor.id],
            "links": [
                {"rel": "self", "type": AS_JSON, "href": actor.id},
                {
                    "rel": "http://webfinger.net/rel/profile-page",
                    "type": "text/html",
                    "href": actor.id,
                },
            ],
        },
        media_type="application/jrd+json",
    )


async def nodeinfo_links(request: Request) -> Response:
    base = node_of(request).config.base_url
    return JSONResponse(
        {
            "links": [
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                    "href": f"{base}/nodeinfo/2.1",
                }
            ]
        }
    )


async def nodeinfo(request: Request) -> Response:
    node = node_of(request)
    users = await local_actors.count(node.store.reads)
    posts = await objects.count_live_local(node.store.reads)
    return JSONResponse(
        {
            "version": "2.1",
            "software": {
                "name": "interlieux",
                "version": __version__,
                "repository": "https://w3id.org/interlieux",
            },
            "protocols": ["activitypub"],
            "services": {"inbound": [], "outbound": []},
            "openRegistrations": False,
            "usage": {
                "users": {"total": users},
                "localPosts": posts,
            },
            "metadata": {"nodeName": node.config.name},
        },
        media_type='application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"',
    )


async def actor(request: Request) -> Response:
    node = node_of(request)
    found = await local.by_handle(node.store, request.path_params["handle"])
    if found.type == "Tombstone":  # a member who erased their account (node/people/erasure)
        return as_response(request, {"id": found.id, "type": "Tombstone"}, status=410)
    document = actor_document(
        found, node.config.base_url, await local.retired_keys(node.store, found.handle)
    )
    doors = await tables.tokens.door_keys(node.store.reads, found.handle)
    if doors:
        # The place's enrolled doors, for its peers: the keys that sign its tap reports.
        document["tl:doorKeys"] = [
            {"id": f"{found.id}#door-{name}", "type": "Multikey", "controller": found.id,
             "name": name, "publicKeyMultibase": key}
            for name, key in doors
        ]  # fmt: skip
    if found.type == "Group":  # a network of places: its members and rules (governance)
        document.update(await group_extras(node.store.reads, found.id))
        return as_response(request, document)
    network = await _signed_by_the_network(node, request)
    response = as_response(request, await place.actor_extras(node, found, document, network))
    if network:
        response.headers["cache-control"] = "private"  # fields for the network's places only
    response.headers["vary"] = "Accept, Signature"
    # IndieAuth discovery: the member's home node vouches for them (node/web/indieauth.py).
    metadata = f"{node.config.base_url}/.well-known/oauth-authorization-server"
    response.headers["link"] = f'<{metadata}>; rel="indieauth-metadata"'
    return response


async def _signed_by_the_network(node: Node, request: Request) -> bool:
    """Whether a GET is signed by a place this place trusts (a peer), or by an actor on a
    peer's server: they may read profile fields members keep for the network of places.
    Anything else (unsigned, unknown, failing) simply gets the public view."""
    if "signature" not in request.headers:
        return False
    target = request_target(request)
    headers = {k.lower(): v for k, v in request.headers.items()}

    async def cached_only(key_id: str, refresh: bool) -> tuple[str, PublicKey]:
        known = await node.directory.cached_key(key_id)
        if known is None or refresh:
            # Never fetch here: see Directory.cached_key.
            raise SignatureError(f"key {key_id} is not cached")
        return known

    try:
        _, signer = await authenticate(
            "GET", node.config.base_url + target, headers, None, cached_only
        )
    except InterlieuxError:
        return False
    peers = await tables.peers.every_peer(node.store.reads)
    return any(same_origin(signer, peer) for peer in peers)


def page_number(raw: str | None) -> int | None:
    """`?page=`: None without it, else 1 to MAX_PAGE; anything else is a 400 that says so
    (an absurd number would overflow SQLite's OFFSET, and `²` is a digit to `isdigit`)."""
    if raw is None:
        return None
    short = raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_PAGE))
    if short and 1 <= int(raw) <= MAX_PAGE:
        return int(raw)
    raise InvalidParameter(
        f"page {raw[:40]!r} is not a number from 1 to {MAX_PAGE}",
        fr=f"Le paramètre page doit être un nombre de 1 à {MAX_PAGE}.",
        en=f"The page parameter must be a number from 1 to {MAX_PAGE}.",
    )


async def paged_by(
    request: Request,
    collection_id: str,
    count: Callable[[], Awaitable[int]],
    page_of: Callable[[int, int], Awaitable[list[str]]],
) -> Response:
    """A collection, or the page `?page=` asks for: `count()` its size, `page_of(limit, offset)`
    its items in order, each a JSON document or an id."""
    page = page_number(request.query_params.get("page"))
    if page is None:
        return as_response(request, collection(collection_id, await count()))
    rows = await page_of(PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    items = [json.loads(r) if r.startswith("{") else r for r in rows[:PAGE_SIZE]]
    return as_response(request, collection_page(collection_id, page, items, len(rows) > PAGE_SIZE))


async def followers(request: Request) -> Response:
    node = node_of(request)
    found = await local.by_handle(node.store, request.path_params["handle"])
    return await paged_by(
        request, found.followers, partial(follows.count_followers, node.store.reads, found.id),
        partial(follows.followers_page, node.store.reads, found.id),
    )  # fmt: skip


async def following(request: Request) -> Response:
    node = node_of(request)
    found = await local.by_handle(node.store, request.path_params["handle"])
    return await paged_by(
        request, found.following, partial(follows.count_following, node.store.reads, found.id),
        partial(follows.following_page, node.store.reads, found.id),
    )  # fmt: skip


async def outbox(request: Request) -> Response:
    """Public activities only: what anyone may read without being addressed."""
    node = node_of(request)
    found = await local.by_handle(node.store, request.path_params["handle"])
    return await paged_by(
        request, found.outbox, partial(activities.count_public_by, node.store.reads, found.id),
        partial(activities.public_page_by, node.store.reads, found.id),
    )  # fmt: skip


async def inbox(request: Request) -> Response:
    """The owner reads their inbox with their bearer token."""
    node = node_of(request)
    found = await local.by_handle(node.store, request.path_params["handle"])
    await tokens.require(
        node.store, request.headers.get("authorization"), found.handle,
        fr="Seul le titulaire du compte (avec son jeton) lit sa boîte de réception.",
        en="Only the account's owner (with their token) reads its inbox.",
    )  # fmt: skip
    return await paged_by(
        request, found.inbox, partial(inbox_items.count, node.store.reads, found.handle),
        partial(inbox_items.page, node.store.reads, found.handle),
    )  # fmt: skip


async def stored_document(
    request: Request, read: Callable[[Connection, str], Awaitable[dict[str, Any] | None]]
) -> Response:
    """The object or activity at this URL, as `read` finds it: served if public."""
    node = node_of(request)
    document = await read(node.store.reads, f"{node.config.base_url}{request.url.path}")
    if document is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    if document.get("type") == "Tombstone":
        return as_response(request, document, status=410)
    if not is_public(document):
        # Non-public documents reach their recipients by delivery; they are not served.
        return JSONResponse({"error": "not found"}, status_code=404)
    return as_response(request, document)


async def object_document(request: Request) -> Response:
    return await stored_document(request, objects.document)


async def activity_document(request: Request) -> Response:
    return await stored_document(request, activities.document)
