"""The place's needs and pledges collections."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..actors.routes import node_of, paged_by
from ..tables import objects


def _collection(kind: str, path: str):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        node = node_of(request)
        reads = node.store.reads
        return await paged_by(
            request, f"{node.config.base_url}{path}", partial(objects.count_public, reads, kind),
            partial(objects.public_page, reads, kind),
        )  # fmt: skip

    return endpoint


ROUTES = [
    Route("/needs", _collection("Need", "/needs")),
    Route("/pledges", _collection("Pledge", "/pledges")),
    Route("/steps", _collection("Step", "/steps")),
]
