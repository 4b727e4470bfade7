"""HTTP for the doors: the trust bundle they verify with, and the taps they report."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import tables, tokens
from ..actors import routes as actor_routes
from ..errors import InvalidActivity
from ..incoming import MAX_CLIENT_JSON, read_json
from .badge import record_tap, trust_bundle
from .grant import GrantError
from .tap import TapReport


async def _place_token(request: Request) -> None:
    """Doors use a token of the place's own account (`interlieux token --actor <place>`)."""
    node = actor_routes.node_of(request)
    await tokens.require(
        node.store, request.headers.get("authorization"), node.config.handle,
        fr="Ce jeton n'est pas celui du lieu : créez-en un avec « interlieux token "
        f"--actor {node.config.handle} ».",
        en=f"This token is not the place's: create one with 'interlieux token --actor "
        f"{node.config.handle}'.",
    )  # fmt: skip


async def bundle(request: Request) -> Response:
    await _place_token(request)
    node = actor_routes.node_of(request)
    return JSONResponse((await trust_bundle(node)).to_json())


async def taps(request: Request) -> Response:
    await _place_token(request)
    node = actor_routes.node_of(request)
    try:
        data: Any = await read_json(request, MAX_CLIENT_JSON)
        report = TapReport.from_json(data)
    except (ValueError, KeyError, TypeError, AttributeError, GrantError) as exc:
        raise InvalidActivity(
            f"unreadable tap report: {exc!r}",
            fr="Rapport de passage illisible : mettez à jour le lecteur de badges.",
            en="Unreadable tap report: update the badge reader.",
        ) from exc
    visit = await record_tap(node, report)
    return JSONResponse({"status": "recorded", "visit": visit}, status_code=201)


async def peers(request: Request) -> Response:
    """The places whose badges this place honours: public, so the network can be drawn."""
    node = actor_routes.node_of(request)
    if request.path_params["handle"] != node.config.handle:
        return JSONResponse({"error": "not found"}, status_code=404)
    collection_id = f"{node.config.place_id}/peers"
    reads = node.store.reads
    return await actor_routes.paged_by(
        request, collection_id,
        lambda: tables.peers.count(reads),
        lambda limit, offset: tables.peers.page(reads, limit, offset),
    )  # fmt: skip


ROUTES = [
    Route("/access/bundle", bundle),
    Route("/access/taps", taps, methods=["POST"]),
    Route("/actors/{handle}/peers", peers),
]
