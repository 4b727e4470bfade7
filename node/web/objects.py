"""An object's id opened in a browser: the page of its kind (an event, a need, a pledge…).

Only what is public is shown, as for the JSON: a private or unknown object is the "not found"
page, a deleted one says it was removed (410)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..activity import type_of
from ..actors.routes import node_of
from ..audience import is_public
from ..tables import objects
from . import agenda, calls, commons, i18n, projects, steps
from .render import render

ObjectPage = Callable[[Request, dict[str, Any]], Awaitable[Response]]

i18n.english({"Cet objet a été retiré par le lieu.": "The place has removed this item."})


async def _plain(request: Request, document: dict[str, Any]) -> Response:
    return await render(request, "object.html", document=document)


# An object's type → its page; the kinds without a page of their own get the plain one.
KINDS: dict[str, ObjectPage] = {
    "Event": agenda.event_page,
    "Need": commons.need_page,
    "Pledge": commons.pledge_page,
    "Step": steps.step_page,
    "VolunteerCall": calls.call_page,
    "Project": projects.project_page,
}


def kinds_of(document: dict[str, Any]) -> list[str]:
    kind = document.get("type")
    return [k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)]


async def page(request: Request) -> Response:
    node = node_of(request)
    document = await objects.document(node.store.reads, f"{node.config.base_url}{request.url.path}")
    if document is None or (type_of(document) != "Tombstone" and not is_public(document)):
        return await render(request, "missing.html", status=404)
    if type_of(document) == "Tombstone":
        return await render(request, "missing.html", status=410,
                            message="Cet objet a été retiré par le lieu.")  # fmt: skip
    for kind in kinds_of(document):
        shown = KINDS.get(kind) or KINDS.get(kind.removeprefix("tl:"))
        if shown is not None:
            return await shown(request, document)
    return await _plain(request, document)
