"""An actor's id opened in a browser: the place's page, or a resident's."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..actors import local
from ..actors.routes import node_of
from ..errors import NotFoundError
from . import governance, place, residents
from .render import render


async def page(request: Request) -> Response:
    node = node_of(request)
    handle = request.path_params["handle"]
    if handle == node.config.handle:
        return await place.page(request)
    try:
        actor = await local.by_handle(node.store, handle)
    except NotFoundError:
        return await render(request, "missing.html", status=404)
    if actor.type == "Tombstone":  # an erased account
        return await render(request, "missing.html", status=410)
    if actor.type == "Group":  # a network of places hosted here
        return await governance.network_page(request, actor)
    return await residents.resident_page(request, actor)
