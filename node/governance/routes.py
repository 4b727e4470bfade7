"""What a network hosted here serves: its decisions (proposal, then signed result), its
members and its decisions as collections. Public: anyone may recount a decision."""

from __future__ import annotations

import json
from functools import partial

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..actors import local
from ..actors.routes import as_response, node_of, paged_by
from ..errors import NotFoundError
from ..tables import decisions, network_members, networks
from .closing import result_id
from .group import decisions_url, members_url


async def decision_document(request: Request) -> Response:
    """The proposal as opened; once closed, with a link to its result."""
    node = node_of(request)
    row = await decisions.find(
        node.store.reads, f"{node.config.base_url}/decisions/{request.path_params['did']}"
    )
    if row is None or not row["hosted"]:
        return JSONResponse({"error": "not found"}, status_code=404)
    document = json.loads(row["proposal"])
    if row["state"] == "closed":
        document["result"] = result_id(row["id"])
    return as_response(request, document)


async def decision_result(request: Request) -> Response:
    node = node_of(request)
    row = await decisions.find(
        node.store.reads, f"{node.config.base_url}/decisions/{request.path_params['did']}"
    )
    if row is None or not row["hosted"] or row["result"] is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return as_response(request, json.loads(row["result"]))


async def _group(request: Request) -> local.LocalActor:
    node = node_of(request)
    group = await local.by_handle(node.store, request.path_params["handle"])
    if await networks.find(node.store.reads, group.id) is None:
        raise NotFoundError(f"{group.id} is no network")
    return group


async def members(request: Request) -> Response:
    node = node_of(request)
    group = await _group(request)
    listed = await network_members.members(node.store.reads, group.id)

    async def page(limit: int, offset: int) -> list[str]:
        return listed[offset : offset + limit]

    async def count() -> int:
        return len(listed)

    return await paged_by(request, members_url(group.id), count, page)


async def decision_list(request: Request) -> Response:
    node = node_of(request)
    group = await _group(request)
    return await paged_by(
        request, decisions_url(group.id), partial(decisions.count_of, node.store.reads, group.id),
        partial(decisions.page_of, node.store.reads, group.id),
    )  # fmt: skip


ROUTES = [
    Route("/decisions/{did}", decision_document),
    Route("/decisions/{did}/result", decision_result),
    Route("/actors/{handle}/members", members),
    Route("/actors/{handle}/decisions", decision_list),
]
