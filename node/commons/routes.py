"""The place's needs, pledges and steps collections, and a step's replies."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..actors.routes import node_of, paged_by
from ..tables import objects, steps


def _collection(kind: str, path: str):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        node = node_of(request)
        reads = node.store.reads
        return await paged_by(
            request, f"{node.config.base_url}{path}", partial(objects.count_public, reads, kind),
            partial(objects.public_page, reads, kind),
        )  # fmt: skip

    return endpoint


async def step_replies(request: Request) -> Response:
    """A step's comments, as its home lists them (AS2 `replies`): public Notes in reply to
    it, oldest first, by id (a reader fetches each from its author's server)."""
    node = node_of(request)
    reads = node.store.reads
    step_id = f"{node.config.base_url}/objects/{request.path_params['oid']}"
    row = await steps.get(reads, step_id)
    if row is None or not node.config.is_local(row["author"]):
        return JSONResponse({"error": "not found"}, status_code=404)
    return await paged_by(
        request, f"{step_id}/replies", partial(objects.count_replies, reads, step_id),
        partial(objects.replies_page, reads, step_id),
    )  # fmt: skip


ROUTES = [
    Route("/needs", _collection("Need", "/needs")),
    Route("/pledges", _collection("Pledge", "/pledges")),
    Route("/steps", _collection("Step", "/steps")),
    Route("/objects/{oid}/replies", step_replies),
]
