"""HTTP for a place's tools: its balances, with the place's token (as the doors use)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..access.routes import _place_token
from ..actors import routes as actor_routes
from . import books
from .money import from_cents


async def balances(request: Request) -> Response:
    await _place_token(request)
    node = actor_routes.node_of(request)
    rows = await books.peer_balances(node.store)
    return JSONResponse(
        {"balances": [{"peer": b.peer, "balance": from_cents(b.cents), "currency": b.currency}
                      for b in rows]}
    )  # fmt: skip


ROUTES = [Route("/ledger/balances", balances)]
