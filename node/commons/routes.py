"""The place's needs and pledges collections."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..actors.routes import node_of, paged
from ..audience import PUBLIC_SQL


def _collection(kind: str, path: str):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        node = node_of(request)
        where = (
            f"FROM objects WHERE local = 1 AND type = '{kind}' AND deleted_at IS NULL AND "
            + PUBLIC_SQL
        )
        return await paged(
            request, f"{node.config.base_url}{path}", f"SELECT COUNT(*) {where}",
            f"SELECT document {where} ORDER BY created_at DESC", (),
        )  # fmt: skip

    return endpoint


ROUTES = [
    Route("/needs", _collection("Need", "/needs")),
    Route("/pledges", _collection("Pledge", "/pledges")),
]
